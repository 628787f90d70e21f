package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"

	"partnerops/outbox"
	"partnerops/store"
)

// Sweeps are the activities of the scheduled sweeps.
type Sweeps struct {
	Starter *outbox.Starter
	Store   *store.Store
	// IdempotencyRetention is how long an idempotency key is kept.
	IdempotencyRetention time.Duration
}

// StartPendingCases starts the workflows of cases left unstarted.
func (a *Sweeps) StartPendingCases(ctx context.Context) (int, error) {
	return a.Starter.StartPending(ctx)
}

// PruneIdempotencyKeys deletes the idempotency keys past their retention,
// a batch at a time until a batch comes back short, heartbeating the count.
func (a *Sweeps) PruneIdempotencyKeys(ctx context.Context) (int, error) {
	return inBatches(ctx, func() (int, error) {
		return a.Store.PruneIdempotencyKeys(ctx, time.Now().Add(-a.IdempotencyRetention), overdueBatch)
	})
}

// inBatches runs batch until one comes back short (or fails), heartbeating
// the total, and returns the total.
func inBatches(ctx context.Context, batch func() (int, error)) (int, error) {
	total := 0
	for {
		n, err := batch()
		total += n
		if err != nil || n < overdueBatch {
			return total, err
		}
		activity.RecordHeartbeat(ctx, total)
	}
}

// overdueBatch bounds the rows one statement of a sweep changes.
const overdueBatch = 500

// CancelOverdueOrders cancels self-paid orders past their deadline, a batch
// at a time until a batch comes back short, heartbeating the count.
func (a *Sweeps) CancelOverdueOrders(ctx context.Context) (int, error) {
	return inBatches(ctx, func() (int, error) { return a.Store.CancelOverdueOrders(ctx, time.Now(), overdueBatch) })
}
