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
	"partnerops/store"
	"partnerops/webhooks"
	"partnerops/workflows"
)

// Deps is what the activities need.
type Deps struct {
	Store    *store.Store
	Location *time.Location // the business calendar's time zone
	// Temporal and TaskQueue start case workflows (the start reconciler);
	// Run sets them.
	Temporal  client.Client
	TaskQueue string
	// Webhooks shapes the delivery of partner events.
	Webhooks config.Webhooks
}

// Register puts every workflow and activity on a worker (or a test
// environment, which is also a registry).
func Register(r sdkworker.Registry, d Deps) {
	workflows.Register(r)
	r.RegisterActivity(&activities.Cases{Store: d.Store})
	r.RegisterActivity(&activities.Calendar{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.Certification{Store: d.Store})
	r.RegisterActivity(&activities.Payments{Store: d.Store})
	r.RegisterActivity(&activities.Incentives{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.Opportunities{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.PartnerExit{Store: d.Store})
	r.RegisterActivity(&activities.Renewals{Store: d.Store, Location: d.Location})
	webhooks.Register(r, webhooks.Deps{Store: d.Store, Settings: d.Webhooks})
	r.RegisterActivity(&activities.Sweeps{
		Starter: &outbox.Starter{Temporal: d.Temporal, Store: d.Store, TaskQueue: d.TaskQueue}, Store: d.Store,
	})
}

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
	<-ctx.Done()
	w.Stop()
	return nil
}
