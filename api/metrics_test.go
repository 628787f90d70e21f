package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// /metrics keeps answering after traffic of every method: label values are
// copied before Prometheus keeps them (Fiber's strings point into buffers
// it reuses for the next request).
func TestMetricsAfterTraffic(t *testing.T) {
	st, _ := testdb.New(t)
	_, token, err := st.CreatePrincipal(context.Background(), store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	for range 3 {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			for _, path := range []string{"/healthz", "/v1/cases", "/v1/calendar/days/2027-01-01", "/nowhere", "/metrics"} {
				resp, err := app.Test(httptest.NewRequest(method, path, strings.NewReader("{}")), -1)
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
			}
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `partnerops_http_requests_total{method="DELETE"`) {
		t.Errorf("/metrics after traffic: %d\n%.2000s", resp.StatusCode, body)
	}
}
