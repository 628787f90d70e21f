// Package activities holds every side effect the workflows ask for. Each
// activity is idempotent: Temporal may run it more than once, and running it
// again changes nothing more.
package activities

import (
	"context"
	"encoding/json"

	"go.temporal.io/sdk/activity"

	"partnerops/cases"
	"partnerops/store"
)

// Cases writes the case read model.
type Cases struct {
	Store *store.Store
	// Exits wakes a partner's running exit case when another of its
	// cases closes (nil: it is not woken, and checks daily).
	Exits ExitWaker
	// Subject says what a case is about from its details (the processes'
	// declarations: workflows.Catalog.Subject); nil: nothing.
	Subject func(kind cases.Kind, details json.RawMessage) string
}

// ExitWaker tells a partner's running exit case that one of its
// obligations may have cleared (outbox.Starter).
type ExitWaker interface {
	ObligationsChanged(ctx context.Context, partnerID string) error
}

// RecordTransition writes a case's new state, its event and its
// notifications; the event's sequence number makes a repeat a no-op. The
// workflows run it as a local activity, retried while the database is away,
// but not for an input PostgreSQL refuses (a NUL byte, a value a CHECK
// constraint forbids): Permanent makes that fail at once, non-retryable.
//
// A transition that closes a case of a partner wakes the partner's running
// exit case, for which the case was an open obligation: it checks again at
// once instead of at its daily check. The wake-up is a hint, so one that
// cannot be sent is only logged.
func (a *Cases) RecordTransition(ctx context.Context, t cases.Transition) error {
	if a.Subject != nil {
		t.Subject = a.Subject(t.Case.Kind, t.Case.Details)
	}
	if err := a.Store.ApplyTransition(ctx, t); err != nil {
		return err
	}
	c := t.Case
	if c.ClosedAt == nil || c.PartnerID == "" || c.Kind == cases.KindPartnerExit || a.Exits == nil {
		return nil
	}
	if err := a.Exits.ObligationsChanged(ctx, c.PartnerID); err != nil {
		activity.GetLogger(ctx).Warn("exit case not told that a case of its partner closed; it checks again daily",
			"case_id", c.ID, "partner_id", c.PartnerID, "error", err)
	}
	return nil
}
