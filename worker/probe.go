package worker

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"

	"partnerops/store"
)

// Probe is what a worker process answers on its own port: /healthz (the
// process is alive), /readyz (PostgreSQL and Temporal answer, and the
// worker polls its task queue) and /metrics (the Temporal SDK's metrics,
// which the process's client records on the same registry, and the
// worker's own partnerops_ series).
type Probe struct {
	store    *store.Store
	temporal client.Client
	registry *prometheus.Registry
	polling  atomic.Bool
	checks   *prometheus.GaugeVec
}

// NewProbe is the probe of a worker on st and c; its metrics are served
// from registry, on which it registers its own.
func NewProbe(st *store.Store, c client.Client, registry *prometheus.Registry) *Probe {
	p := &Probe{store: st, temporal: c, registry: registry,
		checks: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "partnerops_worker_ready",
			Help: "Whether each readiness check of the worker passed at its last probe (1) or not (0): postgresql, temporal, polling.",
		}, []string{"check"}),
	}
	registry.MustRegister(p.checks, st.PoolCollector(),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "partnerops_worker_polling",
			Help: "1 while the worker polls its task queue, 0 before it starts and once it stops.",
		}, func() float64 { return boolGauge(p.polling.Load()) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return p
}

// Readiness is the answer of /readyz: each check is "ok" or what failed.
type Readiness struct {
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"`
}

// probeTimeout bounds each dependency's check, so that /readyz answers
// 503 within a few seconds of Temporal or PostgreSQL going away.
const probeTimeout = 2 * time.Second

// Ready checks PostgreSQL and Temporal, each within probeTimeout, and
// whether the worker is polling.
func (p *Probe) Ready(ctx context.Context) Readiness {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	r := Readiness{Ready: true, Checks: map[string]string{"postgresql": "ok", "temporal": "ok", "polling": "ok"}}
	fail := func(check, why string) {
		r.Ready, r.Checks[check] = false, why
		p.checks.WithLabelValues(check).Set(0)
	}
	p.checks.WithLabelValues("postgresql").Set(1)
	p.checks.WithLabelValues("temporal").Set(1)
	p.checks.WithLabelValues("polling").Set(1)
	if err := p.store.Ping(ctx); err != nil {
		fail("postgresql", err.Error())
	}
	if _, err := p.temporal.CheckHealth(ctx, nil); err != nil {
		fail("temporal", err.Error())
	}
	if !p.polling.Load() {
		fail("polling", "the worker is not polling its task queue (starting or stopping)")
	}
	return r
}

// Handler serves /healthz, /readyz and /metrics.
func (p *Probe) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ready := p.Ready(r.Context())
		status := http.StatusOK
		if !ready.Ready {
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", "5")
		}
		writeJSON(w, status, ready)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(p.registry, promhttp.HandlerOpts{}))
	return mux
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
