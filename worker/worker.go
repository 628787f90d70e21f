// Package worker runs the Temporal worker that executes every partnerops
// workflow and activity. Start as many as load needs: they share the task
// queue.
package worker

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"partnerops/activities"
	"partnerops/config"
	"partnerops/outbox"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/webhooks"
	"partnerops/workflows"
)

// Deps is what the activities need.
type Deps struct {
	Store    *store.Store
	Location *time.Location // the business calendar's time zone
	// IdempotencyRetention is how long idempotency keys are kept (zero:
	// DefaultIdempotencyRetention).
	IdempotencyRetention time.Duration
	// OutboxParkAfter is how many failed starts park a case's start request
	// (zero: outbox.DefaultParkAfter).
	OutboxParkAfter int
	// Retention is how long resources are retained after expiry (the
	// zero value: rules.DefaultRetentionDays for every type).
	Retention rules.Retention
	// Temporal and TaskQueue start case workflows (the start reconciler);
	// Run sets them.
	Temporal  client.Client
	TaskQueue string
	// Probe, when set, is told when the worker polls and when it stops.
	Probe *Probe
	// Webhooks shapes the delivery of partner events.
	Webhooks config.Webhooks
}

// Register puts every workflow and activity on a worker (or a test
// environment, which is also a registry).
func Register(r sdkworker.Registry, d Deps) {
	workflows.Register(r)
	if d.Location != nil {
		workflows.UseZone(d.Location)
	}
	starter := &outbox.Starter{Temporal: d.Temporal, Store: d.Store, TaskQueue: d.TaskQueue, ParkAfter: d.OutboxParkAfter}
	r.RegisterActivity(&activities.Cases{Store: d.Store, Exits: starter, Subject: workflows.Declared().Subject})
	r.RegisterActivity(&activities.Calendar{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.Certification{Store: d.Store})
	r.RegisterActivity(&activities.Payments{Store: d.Store})
	r.RegisterActivity(&activities.Incentives{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.Opportunities{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.PartnerExit{Store: d.Store})
	r.RegisterActivity(&activities.Associations{Store: d.Store})
	r.RegisterActivity(&activities.Renewals{Store: d.Store, Location: d.Location, Retention: d.Retention})
	retention := d.IdempotencyRetention
	if retention <= 0 {
		retention = DefaultIdempotencyRetention
	}
	webhooks.Register(r, webhooks.Deps{Store: d.Store, Settings: d.Webhooks})
	r.RegisterActivity(&activities.Sweeps{
		Starter: starter, Store: d.Store,
		IdempotencyRetention: retention,
	})
}

// DefaultIdempotencyRetention is how long idempotency keys are kept when
// Deps names no period (PARTNEROPS_IDEMPOTENCY_RETENTION's default).
const DefaultIdempotencyRetention = 24 * time.Hour

// Options are the worker's options: every activity's permanent errors are
// non-retryable (activities.Permanent), and a case's short steps are
// heartbeated while they run (activities.Heartbeats).
// Stopping, the worker polls no more and waits up to StopTimeout for the
// activities it runs to finish.
// A workflow task meant for a worker that died goes to any other after
// StickyTimeout, not the SDK's default 5 s: with the heartbeats, a case
// whose worker was killed mid-step resumes on another within seconds.
func Options() sdkworker.Options {
	return sdkworker.Options{
		Interceptors:                 []interceptor.WorkerInterceptor{&activities.Interceptor{}, &activities.Heartbeats{}},
		WorkerStopTimeout:            StopTimeout,
		StickyScheduleToStartTimeout: StickyTimeout,
	}
}

// StickyTimeout is how long a workflow task waits for the worker that has
// the workflow cached before any worker may take it.
const StickyTimeout = 2 * time.Second

// StopTimeout bounds how long a stopping worker waits for its in-flight
// activities (an activity attempt is bounded at 30 s; one cut short is
// retried by another worker).
const StopTimeout = 10 * time.Second

// Run ensures the sweeps' schedules and the webhook dispatchers, then polls the task queue until ctx
// is done, and stops gracefully.
func Run(ctx context.Context, c client.Client, taskQueue string, d Deps) error {
	if err := EnsureSchedules(ctx, c, taskQueue, d.Location); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: nothing ran, nothing to drain
		}
		return err
	}
	if err := webhooks.EnsureDispatchers(ctx, c, taskQueue, d.Store); err != nil && ctx.Err() == nil {
		return err
	}
	d.Temporal, d.TaskQueue = c, taskQueue
	w := sdkworker.New(c, taskQueue, Options())
	Register(w, d)
	if err := w.Start(); err != nil {
		return err
	}
	if d.Probe != nil {
		d.Probe.polling.Store(true)
	}
	<-ctx.Done()
	if d.Probe != nil {
		d.Probe.polling.Store(false)
	}
	w.Stop()
	return nil
}
