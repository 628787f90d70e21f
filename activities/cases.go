// Package activities holds every side effect the workflows ask for. Each
// activity is idempotent: Temporal may run it more than once, and running it
// again changes nothing more.
package activities

import (
	"context"
	"errors"

	"github.com/lib/pq"
	"go.temporal.io/sdk/temporal"

	"partnerops/cases"
	"partnerops/store"
)

// TransitionRefused is a transition the database refuses as it is (bad
// data, a broken constraint): retrying it would fail the same way for ever.
const TransitionRefused = "TransitionRefused"

// Cases writes the case read model.
type Cases struct {
	Store *store.Store
}

// RecordTransition writes a case's new state, its event and its
// notifications; the event's sequence number makes a repeat a no-op. The
// workflows run it as a local activity, retried while the database is away,
// but not for an input PostgreSQL refuses (a NUL byte, a value a CHECK
// constraint forbids): that fails at once, non-retryable.
func (a *Cases) RecordTransition(ctx context.Context, t cases.Transition) error {
	err := a.Store.ApplyTransition(ctx, t)
	if refusedInput(err) {
		return temporal.NewNonRetryableApplicationError(err.Error(), TransitionRefused, err)
	}
	return err
}

// refusedInput says whether PostgreSQL refused the data itself: SQLSTATE
// class 22 (data exception, e.g. a NUL byte in text) or 23 (integrity
// constraint violation).
func refusedInput(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return false
	}
	class := pqErr.Code.Class()
	return class == "22" || class == "23"
}
