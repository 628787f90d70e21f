package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"partnerops/internal/testdb"
)

// The bearer scheme is case-insensitive (RFC 9110), and every answer says
// nosniff.
func TestBearerSchemeAndHeaders(t *testing.T) {
	st, _ := testdb.New(t)
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	for _, auth := range []string{"bearer nope", "BEARER nope", "Bearer nope", "Basic nope"} {
		req := httptest.NewRequest(http.MethodGet, "/v1/cases", nil)
		req.Header.Set("Authorization", auth)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		// an unknown token is read as a token, whatever the scheme's case;
		// another scheme is no token at all
		read := strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token")
		if resp.StatusCode != http.StatusUnauthorized || read != strings.EqualFold(auth[:6], "bearer") {
			t.Errorf("%q: %d, WWW-Authenticate %q", auth, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%q: no nosniff", auth)
		}
	}
}

// Request IDs are random unless the client's is short and plain; no
// answer may be cached.
func TestRequestIDsAndNoStore(t *testing.T) {
	st, _ := testdb.New(t)
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	get := func(clientID string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		if clientID != "" {
			req.Header.Set("X-Request-Id", clientID)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	first, second := get("").Header.Get("X-Request-Id"), get("").Header.Get("X-Request-Id")
	if a, err := uuid.Parse(first); err != nil || a.Version() != 4 || first == second {
		t.Errorf("generated IDs %q, %q: want random UUIDs", first, second)
	}
	if got := get("trace-42.a").Header.Get("X-Request-Id"); got != "trace-42.a" {
		t.Errorf("a plain client ID came back as %q", got)
	}
	for _, bad := range []string{strings.Repeat("x", 65), "a b", "<script>"} {
		if got := get(bad).Header.Get("X-Request-Id"); got == bad {
			t.Errorf("the client ID %q was echoed", bad)
		}
	}
	if cc := get("").Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
}
