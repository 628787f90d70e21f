package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
