package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// A burst from one token beyond its limit is answered 429 problem+json
// with Retry-After, exactly past the limit, while another token is served;
// the strict routes hold their stricter limit per token or address.
func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	token := func(name string) string {
		_, tok, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: name, Role: cases.RoleOps})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	busy, calm := token("Busy Ops"), token("Calm Ops")
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler),
		RateLimits: RateLimits{Window: time.Minute, PerToken: 50, PerAddress: 10_000, Strict: 2}})
	send := func(method, target, tok, body string) *http.Response {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Error(err)
			return nil
		}
		return resp
	}

	const burst = 200
	statuses := make([]int, burst)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			if resp := send("GET", "/v1/notifications", busy, ""); resp != nil {
				statuses[i] = resp.StatusCode
				if resp.StatusCode == http.StatusTooManyRequests &&
					(resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") != "application/problem+json") {
					t.Errorf("a 429 without Retry-After or problem+json: %v", resp.Header)
				}
			}
		})
	}
	wg.Wait()
	served, limited := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			served++
		case http.StatusTooManyRequests:
			limited++
		}
	}
	if served != 50 || limited != burst-50 {
		t.Errorf("a burst of %d from one token: %d served, %d limited, want 50 and %d", burst, served, limited, burst-50)
	}
	if resp := send("GET", "/v1/notifications", calm, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("another token during the burst: %d", resp.StatusCode)
	}

	// strict routes: association requests per token, sign-in per address
	for i, want := range []bool{false, false, true} {
		resp := send("POST", "/v1/partners/prt_x/customers", calm, `{}`)
		if limited := resp.StatusCode == http.StatusTooManyRequests; limited != want {
			t.Errorf("association request %d: %d", i+1, resp.StatusCode)
		}
	}
	for i, want := range []bool{false, false, true} {
		resp := send("POST", signInPath, "", "")
		if limited := resp.StatusCode == http.StatusTooManyRequests; limited != want {
			t.Errorf("sign-in %d: %d", i+1, resp.StatusCode)
		}
	}
	if strictRoute("POST", "/v1/partner-registrations") == "" || strictRoute("GET", "/v1/partners/prt_1/customers") != "" {
		t.Error("the strict routes' table matches the wrong requests")
	}
}
