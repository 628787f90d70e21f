package workflows

import (
	"testing"
	"time"
)

// An action sent right after the case started (the API's 202) may arrive
// while the opening transition is still being recorded: it waits for it, so
// the read model never takes the action's transition before the case's
// first (seq 1 first, then 2).
func TestActionBeforeTheOpeningWaitsForIt(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.ledger.hold("RecordTransition:requested")
	h.at(time.Millisecond, ActionApprove, partnerActor, struct{}{})
	h.releaseAfter(time.Second, "RecordTransition:requested")
	if status := h.runPayment(); status != PaymentPaidByPartner {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "requested/awaiting_partner", "paid_by_partner/paid_by_partner")
	if len(h.outcomes) != 1 || h.outcomes[0].err != nil {
		t.Errorf("the approval answered %+v", h.outcomes)
	}
}
