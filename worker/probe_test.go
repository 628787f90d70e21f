package worker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	"partnerops/internal/testdb"
	"partnerops/internal/testhttp"
	"partnerops/internal/wait"
	"partnerops/telemetry"
	"partnerops/worker"
)

// A worker's probe: ready while it polls with PostgreSQL and Temporal up,
// its metrics hold the SDK's temporal_ series and its own partnerops_
// ones, and /readyz turns 503 within 5 s of Temporal going away.
func TestWorkerProbe(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	reg := prometheus.NewRegistry()
	handler, err := telemetry.TemporalMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	// A client of its own, not the server's: stopping the server must not
	// close it, the probe has to find Temporal gone.
	c, err := client.Dial(client.Options{HostPort: ts.GetFrontendHostPort(), Namespace: ts.GetDefaultNamespace(), MetricsHandler: handler})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := worker.EnsureSearchAttributes(ctx, c, ts.GetDefaultNamespace()); err != nil {
		t.Fatal(err)
	}
	probe := worker.NewProbe(st, c, reg)
	srv := httptest.NewServer(probe.Handler())
	defer srv.Close()

	if status, body := testhttp.Get(t, srv.URL+"/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, `"polling":"the worker is not polling`) {
		t.Errorf("before the worker polls, /readyz answers %d %s; want 503 naming polling", status, body)
	}
	workerCtx, stopWorker := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- worker.Run(workerCtx, c, "probe", worker.Deps{Store: st, Location: time.UTC, Probe: probe})
	}()
	defer func() { stopWorker(); <-done }()
	wait.Until(t, 30*time.Second, func() bool { status, _ := testhttp.Get(t, srv.URL+"/readyz"); return status == http.StatusOK })
	if status, body := testhttp.Get(t, srv.URL+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz answers %d %s", status, body)
	}
	_, metrics := testhttp.Get(t, srv.URL+"/metrics")
	for _, series := range []string{"temporal_request", "temporal_num_pollers", `partnerops_worker_ready{check="temporal"} 1`, "partnerops_worker_polling 1", `partnerops_db_connections{state="idle"}`} {
		if !strings.Contains(metrics, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}

	ts.Stop()
	stopped := time.Now()
	wait.Until(t, 5*time.Second, func() bool {
		status, body := testhttp.Get(t, srv.URL+"/readyz")
		if status != http.StatusServiceUnavailable {
			return false
		}
		var r worker.Readiness
		if err := json.Unmarshal([]byte(body), &r); err != nil || r.Checks["temporal"] == "ok" || r.Checks["postgresql"] != "ok" {
			t.Errorf("503 with %s; want the temporal check failed, postgresql ok", body)
		}
		return true
	})
	t.Logf("/readyz answered 503 %s after Temporal stopped", time.Since(stopped).Round(time.Millisecond))
	if _, metrics := testhttp.Get(t, srv.URL+"/metrics"); !strings.Contains(metrics, `partnerops_worker_ready{check="temporal"} 0`) {
		t.Errorf("/metrics does not show the temporal check failed")
	}
}
