package workflows

import (
	"slices"

	"partnerops/cases"
)

// closedStatuses are, per kind, the statuses in which the workflow ends.
// The transition into one records the case's closed_at, so the API reads a
// closed case from the read model (no worker replays it) and the database's
// one-open-certification rule lets the partner start another.
var closedStatuses = map[cases.Kind][]string{
	cases.KindCertification:       {CertificationCertified, CertificationExpired},
	cases.KindPartnerPayment:      {PaymentPaidByPartner, PaymentPaidByCustomer, PaymentCancelled, PaymentFailed, PaymentNeedsAttention},
	cases.KindIncentiveSettlement: {SettlementPaid, SettlementForfeited},
	cases.KindOpportunity:         {OpportunityRejected, OpportunityWon, OpportunityLost, OpportunityDeclined, OpportunityExpired},
	cases.KindPartnerExit:         {ExitWithdrawn, ExitRefused, ExitExited},
	cases.KindRenewalRun:          {RenewalCompleted},
}

// closed reports whether the case is in one of its kind's final statuses,
// or needs attention (which every kind may end in).
func (s *caseState) closed() bool {
	return s.status == StatusNeedsAttention || slices.Contains(closedStatuses[s.kind], s.status)
}
