package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
	"partnerops/rules"
)

// ErrRegistrationsFull refuses a self-registration while the most
// self-registered partners the program takes without a certification
// submitted (PARTNEROPS_PENDING_REGISTRATIONS) are waiting: nothing was stored.
var ErrRegistrationsFull = errors.New("self-registration is closed while too many registered partners have not submitted a certification")

// SelfRegisterPartner stores a partner that registered itself, with its
// contact and company (admin) account, in one transaction, and audits it
// as done by that account. The partner starts uncertified. At most
// maxPending self-registered partners may be pending (no certification
// case yet): one more is ErrRegistrationsFull (maxPending 0: no bound).
func (s *Store) SelfRegisterPartner(ctx context.Context, r rules.SelfRegistration, maxPending int) (RegisteredPartner, error) {
	r = r.Normalized()
	np := r.Partner()
	var out RegisteredPartner
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// one self-registration at a time, so the count holds until commit
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('partnerops.self_registration'))`); err != nil {
			return err
		}
		if maxPending > 0 {
			pending, err := PendingRegistrations(ctx, tx)
			if err != nil {
				return err
			}
			if pending >= maxPending {
				return ErrRegistrationsFull
			}
		}
		var err error
		if out.Partner, err = insertPartner(ctx, tx, np.Name, string(np.Type), string(np.Level), ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE partners SET self_registered = true, contact_name = $2, contact_phone = $3, contact_email = $4 WHERE id = $1`,
			out.Partner.ID, r.Contact.Name, r.Contact.Phone, r.Contact.Email); err != nil {
			return err
		}
		out.Partner.SelfRegistered = true
		out.Partner.ContactName = sql.NullString{String: r.Contact.Name, Valid: true}
		out.Partner.ContactPhone = sql.NullString{String: r.Contact.Phone, Valid: true}
		out.Partner.ContactEmail = sql.NullString{String: r.Contact.Email, Valid: true}
		out.Admin, out.AdminToken, err = createPrincipal(ctx, tx, NewPrincipal{
			Name: np.Name + " admin", Role: cases.RoleAdmin, PartnerID: out.Partner.ID,
		})
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: out.Admin.ID, PartnerID: out.Partner.ID, Action: "partner.self_registered",
			TargetKind: "partner", TargetID: out.Partner.ID,
			Detail: map[string]any{"name": out.Partner.Name, "type": out.Partner.Type, "level": out.Partner.Level.String,
				"admin_principal_id": out.Admin.ID},
		})
	})
	return out, err
}

// PendingRegistrations counts the self-registered partners that have not
// submitted a certification (and have not left the program).
func PendingRegistrations(ctx context.Context, q sqlx.QueryerContext) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `
		SELECT count(*) FROM partners p
		WHERE p.self_registered AND p.status IN ('active', 'exiting')
		  AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.partner_id = p.id AND c.kind = 'certification')`)
	return n, err
}
