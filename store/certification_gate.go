package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
)

// What the certification gate refuses (CertificationRequiredError.Refused).
const (
	GatedAssociation      = "request or create customer associations"
	GatedPartnerPayment   = "be asked to pay an order"
	GatedVendorShare      = "receive a vendor opportunity share"
	GatedIncentivePublish = "have an incentive settlement published"
	GatedLevelApplication = "apply for a level"
)

// gatedKinds are the cases only a certified partner may have opened for
// it, and what opening one is.
var gatedKinds = map[cases.Kind]string{
	cases.KindPartnerPayment:      GatedPartnerPayment,
	cases.KindIncentiveSettlement: GatedIncentivePublish,
}

// CertificationRequiredError refuses what only a certified partner may do.
type CertificationRequiredError struct {
	PartnerID   string
	PartnerName string
	Refused     string // what the partner may not do (one of the Gated constants)
	// CaseID is the partner's newest certification case and Status its
	// status; both "" when the partner never submitted one.
	CaseID string
	Status string
}

func (e *CertificationRequiredError) Error() string {
	if e.CaseID == "" {
		return fmt.Sprintf("%s is not certified (it never submitted a certification): it may not %s", e.PartnerName, e.Refused)
	}
	return fmt.Sprintf("%s is not certified (its certification %s is %s): it may not %s", e.PartnerName, e.CaseID, e.Status, e.Refused)
}

// requireCertified is the certification gate: the one rule every power
// over customers, money or the vendor's leads passes, with q in the
// transaction that exercises it. A partner is certified when one of its
// certification cases is: a re-certification in progress (or rejected)
// keeps the earlier certified status, and a partner never certified, or
// whose only certifications were rejected or expired, is refused
// (*CertificationRequiredError naming its newest certification case).
// It covers customer bindings (BindCustomer), partner payment and
// incentive settlement cases (gatedKinds, through insertCase), vendor
// opportunity shares (ShareVendorOpportunity) and level applications
// (SubmitLevelApplication).
func requireCertified(ctx context.Context, q sqlx.QueryerContext, partnerID, refused string) error {
	var newest struct {
		Name   string         `db:"name"`
		ID     sql.NullString `db:"id"`
		Status sql.NullString `db:"status"`
	}
	err := sqlx.GetContext(ctx, q, &newest, `SELECT p.name, c.id, c.status FROM partners p
		LEFT JOIN LATERAL (SELECT id, status FROM cases
			WHERE partner_id = p.id AND kind = 'certification'
			ORDER BY status = 'certified' DESC, created_at DESC, id DESC LIMIT 1) c ON true
		WHERE p.id = $1`, partnerID)
	switch {
	case err != nil:
		return fmt.Errorf("certification gate: %w", notFoundIfNoRows(err))
	case newest.Status.String == "certified":
		return nil
	}
	return &CertificationRequiredError{PartnerID: partnerID, PartnerName: newest.Name, Refused: refused,
		CaseID: newest.ID.String, Status: newest.Status.String}
}
