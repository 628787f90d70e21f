package outbox

import (
	"context"
	"fmt"

	"partnerops/cases"
	"partnerops/store"
)

// ObligationsChanged tells the partner's running exit case, if it has one,
// that one of its obligations may have cleared (cases.SignalObligationsChanged).
// It is a hint: the exit also checks daily, so a caller that cannot send
// it only logs the error.
func (s *Starter) ObligationsChanged(ctx context.Context, partnerID string) error {
	if s.Temporal == nil || partnerID == "" {
		return nil
	}
	partner, err := s.Store.Partner(ctx, partnerID)
	if err != nil {
		return fmt.Errorf("read partner %s: %w", partnerID, err)
	}
	if partner.Status != store.PartnerExiting || !partner.ExitCaseID.Valid {
		return nil
	}
	if err := s.Temporal.SignalWorkflow(ctx, partner.ExitCaseID.String, "", cases.SignalObligationsChanged, nil); err != nil {
		return fmt.Errorf("signal exit case %s: %w", partner.ExitCaseID.String, err)
	}
	return nil
}
