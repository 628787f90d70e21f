package webhooks

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"partnerops/config"
	"partnerops/store"
)

// The Temporal cost of a delivery is small: one dispatcher workflow per
// endpoint runs one long drain activity after another, and the drain sends
// every queued delivery itself (woken by PostgreSQL's notification of the
// commit that queued it). Per event, Temporal records nothing; per
// endpoint, a few history events per DrainSpan.

// DispatcherWorkflow is the name of the dispatcher workflow.
const DispatcherWorkflow = "WebhookDispatcher"

// DrainSpan is how long one drain runs before it hands back to its
// workflow; drainsPerRun drains make a run, then it continues as new.
const (
	DrainSpan    = 5 * time.Minute
	drainsPerRun = 50
)

// DispatcherID is the workflow ID of an endpoint's dispatcher.
func DispatcherID(endpointID string) string { return "webhook-dispatcher-" + endpointID }

// Dispatcher is the workflow of an endpoint: drain after drain until the
// endpoint is disabled or deleted. A drain's attempt that dies (its worker
// stopped) is retried by another worker after its heartbeat times out.
func Dispatcher(ctx workflow.Context, endpointID string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: DrainSpan + time.Minute,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	var d *Drainer
	for range drainsPerRun {
		var out DrainOutcome
		if err := workflow.ExecuteActivity(ctx, d.Drain, endpointID).Get(ctx, &out); err != nil {
			return err
		}
		if out.Stopped {
			return nil
		}
	}
	return workflow.NewContinueAsNewError(ctx, DispatcherWorkflow, endpointID)
}

// Deps is what delivery needs.
type Deps struct {
	Store    *store.Store
	Settings config.Webhooks
}

// Register puts the dispatcher and its drain on a worker.
func Register(r sdkworker.Registry, d Deps) {
	r.RegisterWorkflowWithOptions(Dispatcher, workflow.RegisterOptions{Name: DispatcherWorkflow})
	r.RegisterActivity(NewDrainer(d))
}

// StartDispatcher starts the endpoint's dispatcher unless it runs.
func StartDispatcher(ctx context.Context, c client.Client, taskQueue, endpointID string) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: DispatcherID(endpointID), TaskQueue: taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, DispatcherWorkflow, endpointID)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start the dispatcher of webhook endpoint %s: %w", endpointID, err)
	}
	return nil
}

// EnsureDispatchers starts the dispatcher of every enabled endpoint whose
// dispatcher does not run (its start failed after the endpoint was
// written): a worker does it as it starts.
func EnsureDispatchers(ctx context.Context, c client.Client, taskQueue string, s *store.Store) error {
	page := store.Page{Limit: store.MaxPageSize}
	for {
		list, next, err := s.WebhookEndpoints(ctx, "", page)
		if err != nil {
			return err
		}
		for _, e := range list {
			if e.Enabled {
				if err := StartDispatcher(ctx, c, taskQueue, e.ID); err != nil {
					return err
				}
			}
		}
		if next == "" {
			return nil
		}
		page.Cursor = next
	}
}
