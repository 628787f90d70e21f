package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var (
	anyURL       = regexp.MustCompile(`(?i)(https?:)?//[^\s"'<>]*`)
	pageResource = regexp.MustCompile(`(?i)\b(?:src|href)="([^"]*)"`)
)

// TestDocsPageWorksOffline checks that /v1/docs names no URL outside the
// server, that every script and link it names is served here (the renderer
// as JavaScript), and that its Content-Security-Policy keeps the browser to
// this server too.
func TestDocsPageWorksOffline(t *testing.T) {
	app := New(Deps{Logger: slog.New(slog.DiscardHandler)})
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp, string(body)
	}

	resp, page := get("/v1/docs")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/docs = %d, want 200", resp.StatusCode)
	}
	if urls := anyURL.FindAllString(page, -1); len(urls) > 0 {
		t.Errorf("the docs page names URLs outside the server: %v", urls)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'self';") || anyURL.MatchString(csp) {
		t.Errorf("Content-Security-Policy = %q, want default-src 'self' and no other origin", csp)
	}

	resources := pageResource.FindAllStringSubmatch(page, -1)
	var script bool
	for _, m := range resources {
		path := m[1]
		resp, _ := get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the docs page names %s, which answers %d", path, resp.StatusCode)
		}
		if strings.HasSuffix(path, ".js") {
			script = true
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
				t.Errorf("GET %s Content-Type = %q, want text/javascript", path, ct)
			}
		}
	}
	if !script {
		t.Errorf("the docs page loads no script of its own: %v", resources)
	}
}
