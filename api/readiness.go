package api

import (
	"context"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	enumspb "go.temporal.io/api/enums/v1"
)

// Readiness is the state of each dependency of this process. The API is
// ready when its own dependencies answer (PostgreSQL, the Temporal
// frontend); workers are reported but do not make it unready: with its
// workers away the API still serves reads from the read model and refuses
// actions with a 503, so it must stay in its load balancer. An alert fires
// on the pollers gauge instead.
//
// When it is not ready the answer is a problem (RFC 9457) whose detail
// names what is down, with ready and checks as its extension members.
type Readiness struct {
	Type   string          `json:"type,omitempty" doc:"When not ready: the problem's type"`
	Title  string          `json:"title,omitempty" doc:"When not ready: the HTTP status text"`
	Status int             `json:"status,omitempty" doc:"When not ready: 503"`
	Detail string          `json:"detail,omitempty" doc:"When not ready: which dependency is down"`
	Ready  bool            `json:"ready"`
	Checks ReadinessChecks `json:"checks"`
	// Warnings are what needs someone's attention without making the API
	// unready: the business calendar's missing next-year schedule.
	Warnings []string `json:"warnings,omitempty"`
}

// ReadinessChecks names each dependency's state: "ok", or what failed.
type ReadinessChecks struct {
	PostgreSQL string      `json:"postgresql"`
	Temporal   string      `json:"temporal"`
	Workers    WorkerState `json:"workers"`
}

// WorkerState says whether any worker polled the task queue recently.
type WorkerState struct {
	// State is "ok" (a worker polled recently), "none" (no worker did) or
	// the error that kept the API from knowing.
	State     string `json:"state"`
	TaskQueue string `json:"task_queue"`
	// Pollers is how many workers polled within the window.
	Pollers    int        `json:"pollers"`
	LastPollAt *time.Time `json:"last_poll_at,omitempty"`
}

// pollerWindow is how recent a worker's last poll must be to count. An idle
// worker keeps one long poll open for up to a minute and is seen at each new
// one, so the window is a little over a minute; a worker that stops cleanly
// is forgotten by Temporal at once.
const pollerWindow = 70 * time.Second

// readinessTimeout bounds the whole readiness check.
const readinessTimeout = 3 * time.Second

// readiness checks each dependency, each within the readiness deadline.
func (s *Server) readiness(ctx context.Context) Readiness {
	ctx, cancel := context.WithTimeout(ctx, readinessTimeout)
	defer cancel()
	r := Readiness{Ready: true, Checks: ReadinessChecks{PostgreSQL: "ok", Temporal: "ok"}}
	if err := s.store.Ping(ctx); err != nil {
		r.Checks.PostgreSQL, r.Ready = err.Error(), false
	}
	if _, err := s.temporal.CheckHealth(ctx, nil); err != nil {
		r.Checks.Temporal, r.Ready = err.Error(), false
	}
	r.Checks.Workers = s.workerState(ctx)
	if w := s.calendarWarning(ctx); w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	if !r.Ready {
		var down []string
		if r.Checks.PostgreSQL != "ok" {
			down = append(down, "PostgreSQL")
		}
		if r.Checks.Temporal != "ok" {
			down = append(down, "Temporal")
		}
		p := problem(http.StatusServiceUnavailable, "not-ready", strings.Join(down, " and ")+" not answering; see checks")
		r.Type, r.Title, r.Status, r.Detail = p.Type, p.Title, p.Status, p.Detail
	}
	return r
}

// readinessRetryAfter is the Retry-After, in seconds, of a not-ready answer.
const readinessRetryAfter = databaseRetryAfter

// workerState asks Temporal which workers polled the workflow task queue
// within the poller window.
func (s *Server) workerState(ctx context.Context) WorkerState {
	w := WorkerState{State: "none", TaskQueue: s.taskQueue}
	resp, err := s.temporal.DescribeTaskQueue(ctx, s.taskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
	if err != nil {
		w.State = err.Error()
		return w
	}
	cutoff := time.Now().Add(-pollerWindow)
	for _, p := range resp.GetPollers() {
		at := p.GetLastAccessTime().AsTime()
		if at.Before(cutoff) {
			continue
		}
		w.Pollers++
		if w.LastPollAt == nil || at.After(*w.LastPollAt) {
			w.LastPollAt = &at
		}
	}
	if w.Pollers > 0 {
		w.State = "ok"
	}
	return w
}

// pollersGauge is partnerops_task_queue_pollers: the workers that polled
// the task queue within the poller window, asked of Temporal at each scrape
// (NaN when Temporal cannot say). Alert when it is 0.
func (s *Server) pollersGauge() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "partnerops_task_queue_pollers",
		Help:        "Workers that polled the task queue in the last 70 seconds; 0 means no worker runs the cases.",
		ConstLabels: prometheus.Labels{"task_queue": s.taskQueue},
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), readinessTimeout)
		defer cancel()
		w := s.workerState(ctx)
		if w.State != "ok" && w.State != "none" {
			return math.NaN()
		}
		return float64(w.Pollers)
	})
}
