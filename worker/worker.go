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
	"partnerops/outbox"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// Deps is what the activities need.
type Deps struct {
	Store    *store.Store
	Location *time.Location // the business calendar's time zone
	// IdempotencyRetention is how long idempotency keys are kept (zero:
	// DefaultIdempotencyRetention).
	IdempotencyRetention time.Duration
	// Retention is how long resources are retained after expiry (the
	// zero value: rules.DefaultRetentionDays for every type).
	Retention rules.Retention
	// Temporal and TaskQueue start case workflows (the start reconciler);
	// Run sets them.
	Temporal  client.Client
	TaskQueue string
}

// Register puts every workflow and activity on a worker (or a test
// environment, which is also a registry).
func Register(r sdkworker.Registry, d Deps) {
	workflows.Register(r)
	starter := &outbox.Starter{Temporal: d.Temporal, Store: d.Store, TaskQueue: d.TaskQueue}
	r.RegisterActivity(&activities.Cases{Store: d.Store, Exits: starter})
	r.RegisterActivity(&activities.Calendar{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.Certification{Store: d.Store})
	r.RegisterActivity(&activities.Payments{Store: d.Store})
	r.RegisterActivity(&activities.Incentives{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.Opportunities{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.PartnerExit{Store: d.Store})
	r.RegisterActivity(&activities.Renewals{Store: d.Store, Location: d.Location, Retention: d.Retention})
	retention := d.IdempotencyRetention
	if retention <= 0 {
		retention = DefaultIdempotencyRetention
	}
	r.RegisterActivity(&activities.Sweeps{
		Starter: starter, Store: d.Store,
		IdempotencyRetention: retention,
	})
}

// DefaultIdempotencyRetention is how long idempotency keys are kept when
// Deps names no period (PARTNEROPS_IDEMPOTENCY_RETENTION's default).
const DefaultIdempotencyRetention = 24 * time.Hour

// Options are the worker's options: every activity's permanent errors are
// non-retryable (activities.Permanent).
// Stopping, the worker polls no more and waits up to StopTimeout for the
// activities it runs to finish.
func Options() sdkworker.Options {
	return sdkworker.Options{
		Interceptors:      []interceptor.WorkerInterceptor{&activities.Interceptor{}},
		WorkerStopTimeout: StopTimeout,
	}
}

// StopTimeout bounds how long a stopping worker waits for its in-flight
// activities (an activity attempt is bounded at 30 s; one cut short is
// retried by another worker).
const StopTimeout = 10 * time.Second

// Run ensures the sweeps' schedules, then polls the task queue until ctx
// is done, and stops gracefully.
func Run(ctx context.Context, c client.Client, taskQueue string, d Deps) error {
	if err := EnsureSchedules(ctx, c, taskQueue, d.Location); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: nothing ran, nothing to drain
		}
		return err
	}
	d.Temporal, d.TaskQueue = c, taskQueue
	w := sdkworker.New(c, taskQueue, Options())
	Register(w, d)
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
