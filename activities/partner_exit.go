package activities

import (
	"context"
	"fmt"
	"time"

	"partnerops/rules"
	"partnerops/store"
)

// PartnerExit checks what still binds an exiting partner and applies the
// exit's outcome to it.
type PartnerExit struct {
	Store *store.Store
}

// ObligationsRequest asks for the open obligations of the partner of an
// exit case.
type ObligationsRequest struct {
	PartnerID string `json:"partner_id"`
	CaseID    string `json:"case_id"`
}

// CheckExitObligations lists every open obligation of the partner, with
// what clears it: its other open cases, associated customers, positive
// balances and associated personal accounts. An empty list means it may
// leave. It only reads, so running it again is harmless.
func (a *PartnerExit) CheckExitObligations(ctx context.Context, req ObligationsRequest) ([]rules.ExitObligation, error) {
	facts, err := a.Store.ExitFacts(ctx, req.PartnerID, req.CaseID)
	if err != nil {
		return nil, fmt.Errorf("read what binds partner %s: %w", req.PartnerID, err)
	}
	return rules.ExitObligations(facts), nil
}

// Outcomes of an exit case for its partner.
const (
	ExitWithdrawn = store.ExitWithdrawn
	ExitRefused   = store.ExitRefused
	ExitCompleted = store.ExitCompleted
)

// ExitOutcome is how an exit case ended for its partner.
type ExitOutcome struct {
	PartnerID string    `json:"partner_id"`
	CaseID    string    `json:"case_id"`
	Outcome   string    `json:"outcome"` // ExitWithdrawn, ExitRefused or ExitCompleted
	At        time.Time `json:"at"`
}

// CompletePartnerExit is the exit's last check and its end in one store
// transaction under the partner's lock: it returns what is still open, and
// with nothing open the partner has exited (nothing could bind it in
// between). Running it again for a completed exit returns nothing open.
func (a *PartnerExit) CompletePartnerExit(ctx context.Context, o ExitOutcome) ([]rules.ExitObligation, error) {
	open, err := a.Store.CompletePartnerExit(ctx, o.PartnerID, o.CaseID, o.At)
	if err != nil {
		return nil, fmt.Errorf("complete the exit of partner %s: %w", o.PartnerID, err)
	}
	return open, nil
}

// EndPartnerExit applies the outcome to the partner: active again
// (withdrawn, refused), or exited with its rights ended and its tokens
// but the admin's revoked. Applying it again changes nothing.
func (a *PartnerExit) EndPartnerExit(ctx context.Context, o ExitOutcome) error {
	return a.Store.EndPartnerExit(ctx, o.PartnerID, o.CaseID, o.Outcome, o.At)
}
