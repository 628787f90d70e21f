package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
)

// Registered names of the sweeps a Temporal Schedule runs every minute.
const (
	StartPendingCasesWorkflow   = "StartPendingCases"
	CancelOverdueOrdersWorkflow = "CancelOverdueOrders"
	// PruneIdempotencyKeysWorkflow runs hourly.
	PruneIdempotencyKeysWorkflow = "PruneIdempotencyKeys"
)

// StartPendingCases is the start reconciler: it starts the workflow of every
// case whose start request is over a minute old and not marked started
// (its API died after the commit, or Temporal refused the start). It
// returns how many it started.
func StartPendingCases(ctx workflow.Context) (int, error) {
	var a *activities.Sweeps
	var started int
	err := workflow.ExecuteActivity(sweepContext(ctx), a.StartPendingCases).Get(ctx, &started)
	return started, err
}

// CancelOverdueOrders cancels the self-paid orders whose payment deadline
// passed, in bounded batches, and returns how many it cancelled. Reading an
// order never writes it: this sweep is what cancels it, within a minute of
// its deadline (and paying it after the deadline is refused all the same).
func CancelOverdueOrders(ctx workflow.Context) (int, error) {
	var a *activities.Sweeps
	var cancelled int
	err := workflow.ExecuteActivity(sweepContext(ctx), a.CancelOverdueOrders).Get(ctx, &cancelled)
	return cancelled, err
}

// PruneIdempotencyKeys deletes the idempotency keys past their retention
// and returns how many.
func PruneIdempotencyKeys(ctx workflow.Context) (int, error) {
	var a *activities.Sweeps
	var pruned int
	err := workflow.ExecuteActivity(sweepContext(ctx), a.PruneIdempotencyKeys).Get(ctx, &pruned)
	return pruned, err
}

// sweepContext gives a sweep's activity a few attempts: the next run, a
// minute later, takes over from one that keeps failing.
func sweepContext(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
	})
}
