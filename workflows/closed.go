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
	cases.KindCertification:  {CertificationCertified},
	cases.KindPartnerPayment: {PaymentPaidByPartner, PaymentPaidByCustomer, PaymentCancelled, PaymentFailed},
}

// closes reports whether a case of kind in status is closed.
func closes(kind cases.Kind, status string) bool {
	return slices.Contains(closedStatuses[kind], status)
}
