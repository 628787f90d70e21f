// Package activities holds every side effect the workflows ask for. Each
// activity is idempotent: Temporal may run it more than once, and running it
// again changes nothing more.
package activities

import (
	"context"

	"partnerops/cases"
	"partnerops/store"
)

// Cases writes the case read model.
type Cases struct {
	Store *store.Store
}

// RecordTransition writes a case's new state, its event and its
// notifications; the event's sequence number makes a repeat a no-op. The
// workflows run it as a local activity, retried while the database is away,
// but not for an input PostgreSQL refuses (a NUL byte, a value a CHECK
// constraint forbids): Permanent makes that fail at once, non-retryable.
func (a *Cases) RecordTransition(ctx context.Context, t cases.Transition) error {
	return a.Store.ApplyTransition(ctx, t)
}
