// Package worker runs the Temporal worker that executes every partnerops
// workflow and activity. Start as many as load needs: they share the task
// queue.
package worker

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"partnerops/activities"
	"partnerops/store"
	"partnerops/workflows"
)

// Deps is what the activities need.
type Deps struct {
	Store    *store.Store
	Location *time.Location // the business calendar's time zone
}

// Register puts every workflow and activity on a worker (or a test
// environment, which is also a registry).
func Register(r sdkworker.Registry, d Deps) {
	workflows.Register(r)
	r.RegisterActivity(&activities.Cases{Store: d.Store})
	r.RegisterActivity(&activities.Calendar{Store: d.Store, Location: d.Location})
	r.RegisterActivity(&activities.Certification{Store: d.Store})
	r.RegisterActivity(&activities.Payments{Store: d.Store})
}

// Run polls the task queue until ctx is done, then stops gracefully.
func Run(ctx context.Context, c client.Client, taskQueue string, d Deps) error {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
	Register(w, d)
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
