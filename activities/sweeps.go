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
}

// StartPendingCases starts the workflows of cases left unstarted.
func (a *Sweeps) StartPendingCases(ctx context.Context) (int, error) {
	return a.Starter.StartPending(ctx)
}

// overdueBatch bounds the orders one statement cancels.
const overdueBatch = 500

// CancelOverdueOrders cancels self-paid orders past their deadline, a batch
// at a time until a batch comes back short, heartbeating the count.
func (a *Sweeps) CancelOverdueOrders(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := a.Store.CancelOverdueOrders(ctx, time.Now(), overdueBatch)
		total += n
		if err != nil || n < overdueBatch {
			return total, err
		}
		activity.RecordHeartbeat(ctx, total)
	}
}
