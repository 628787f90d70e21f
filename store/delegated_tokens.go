package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
)

// Delegated tokens (docs/delegated-tokens.md): a partner's admin, or a
// member the admin allows, obtains a short-lived token that acts as one of
// the partner's resale customers would with its own token. It is a
// principal of role customer, named "M of P acting for C" so that the
// audit trail and case timelines record who acted for whom, which
// authenticates only while it is unexpired and unrevoked, its member still
// the partner's (and still allowed) and the customer still the partner's
// resale customer (PrincipalByToken checks it at every request).

var (
	// ErrDelegationNotResale refuses a delegated token for a customer the
	// partner serves in consultative mode: it manages its own account.
	ErrDelegationNotResale = errors.New("delegated tokens act for resale customers only: a consultative customer manages its own account")
	// ErrDelegationNotAllowed refuses a delegated token to a member its
	// partner's admin has not allowed to act for customers.
	ErrDelegationNotAllowed = errors.New("the partner's admin has not allowed this member to act for customers")
)

// delegationLive is the condition (on principals d) under which a
// delegated token authenticates; a principal that is no delegated token
// passes it.
const delegationLive = `(d.delegated_by IS NULL OR (d.expires_at > now()
	AND EXISTS (SELECT 1 FROM customers c WHERE c.id = d.customer_id
		AND c.partner_id = d.delegated_partner_id AND c.association_mode = 'resale')
	AND EXISTS (SELECT 1 FROM principals m JOIN partners pa ON pa.id = m.partner_id
		WHERE m.id = d.delegated_by AND m.partner_id = d.delegated_partner_id AND m.revoked_at IS NULL
		  AND pa.status IN ('active', 'exiting') AND ` + mayDelegate + `)))`

// mayDelegate is the condition (on principals m) of a partner's account
// allowed to obtain delegated tokens: its admin, or a member the admin
// allowed since the member (last) joined.
const mayDelegate = `(m.role = 'admin' OR EXISTS (SELECT 1 FROM delegation_grants g
	WHERE g.partner_id = m.partner_id AND g.principal_id = m.id AND g.granted_at >= COALESCE(m.partner_since, m.created_at)))`

// DelegatedToken is a delegated token as its partner sees it; the token
// itself is shown once, when obtained, and only its hash is kept.
type DelegatedToken struct {
	ID          string       `db:"id"` // its principal's ID
	Name        string       `db:"name"`
	CustomerID  string       `db:"customer_id"`
	PartnerID   string       `db:"delegated_partner_id"`
	DelegatedBy string       `db:"delegated_by"`
	CreatedAt   time.Time    `db:"created_at"`
	ExpiresAt   time.Time    `db:"expires_at"`
	RevokedAt   sql.NullTime `db:"revoked_at"`
}

const delegatedTokenSelect = `
	SELECT id, name, customer_id, delegated_partner_id, delegated_by, created_at, expires_at, revoked_at
	FROM principals WHERE delegated_by IS NOT NULL`

// IssueDelegatedToken gives by, an account of the partner, a token acting
// for the partner's resale customer customerID for lifetime, and audits
// it (never the token). A customer that is not the partner's is
// ErrNotFound; a consultative one ErrDelegationNotResale; a member its
// admin has not allowed ErrDelegationNotAllowed.
func (s *Store) IssueDelegatedToken(ctx context.Context, partnerID, customerID string, lifetime time.Duration, by Principal) (DelegatedToken, string, error) {
	var out DelegatedToken
	var token string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cust, err := customer(ctx, tx, customerID, true)
		if err != nil {
			return err
		}
		if cust.PartnerID.String != partnerID {
			return ErrNotFound
		}
		if cust.AssociationMode.String != "resale" {
			return ErrDelegationNotResale
		}
		var allowed bool
		if err := tx.GetContext(ctx, &allowed, `SELECT `+mayDelegate+` FROM principals m
			WHERE m.id = $1 AND m.partner_id = $2 AND m.revoked_at IS NULL`, by.ID, partnerID); err != nil {
			return notFoundIfNoRows(err)
		}
		if !allowed {
			return ErrDelegationNotAllowed
		}
		id := NewID("prn")
		token = tokenPrefix + RandomToken()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO principals (id, name, role, customer_id, token_hash, delegated_by, delegated_partner_id, expires_at)
			VALUES ($1, $2 || ' of ' || $3 || ' acting for ' || $4, $5, $6, $7, $8, $9, now() + $10 * interval '1 microsecond')`,
			id, by.Name, cust.PartnerName.String, cust.Name, cases.RoleCustomer, customerID, hashToken(token), by.ID, partnerID,
			lifetime.Microseconds()); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &out, delegatedTokenSelect+` AND id = $1`, id); err != nil {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "delegated_token.issued", TargetKind: "principal", TargetID: id,
			Detail: map[string]any{"customer_id": customerID, "customer_name": cust.Name, "expires_at": out.ExpiresAt.UTC()},
		})
	})
	out.CreatedAt, out.ExpiresAt = out.CreatedAt.UTC(), out.ExpiresAt.UTC()
	return out, token, err
}

// RevokeDelegatedToken ends a delegated token of the partner's for the
// customer, by its partner's admin or the account that obtained it, and
// audits it; one already revoked stays so (no new entry). A token that is
// not the partner's for that customer, or not by's to revoke, is ErrNotFound.
func (s *Store) RevokeDelegatedToken(ctx context.Context, partnerID, customerID, tokenID string, by Principal) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		mine := `id = $1 AND delegated_partner_id = $2 AND customer_id = $3 AND ($4 OR delegated_by = $5)`
		admin := by.Role == cases.RoleAdmin
		res, err := tx.ExecContext(ctx, `UPDATE principals SET revoked_at = now() WHERE `+mine+` AND revoked_at IS NULL`,
			tokenID, partnerID, customerID, admin, by.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists bool
			err := tx.GetContext(ctx, &exists, `SELECT true FROM principals WHERE `+mine, tokenID, partnerID, customerID, admin, by.ID)
			return notFoundIfNoRows(err)
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "delegated_token.revoked", TargetKind: "principal", TargetID: tokenID,
			Detail: map[string]any{"customer_id": customerID},
		})
	})
}

// revokeDelegations ends, with tx, the partner's delegated tokens for the
// customer: its association ends.
func revokeDelegations(ctx context.Context, tx *sqlx.Tx, partnerID, customerID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE principals SET revoked_at = now()
		WHERE delegated_partner_id = $1 AND customer_id = $2 AND revoked_at IS NULL`, partnerID, customerID)
	return err
}

// AllowDelegation lets (allow) or stops letting a member of the partner
// obtain delegated tokens, and audits it; stopping also ends the member's
// live tokens. An account that is not a member of the partner is ErrNotFound.
func (s *Store) AllowDelegation(ctx context.Context, partnerID, principalID string, allow bool, by Principal) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		account, err := lockAccount(ctx, tx, principalID)
		if err != nil {
			return err
		}
		if !account.Exists || account.PartnerID != partnerID || account.Role != cases.RoleMember {
			return ErrNotFound
		}
		action := "member.delegation_allowed"
		if allow {
			_, err = tx.ExecContext(ctx, `INSERT INTO delegation_grants (partner_id, principal_id, granted_by) VALUES ($1, $2, $3)
				ON CONFLICT (partner_id, principal_id) DO UPDATE SET granted_by = $3, granted_at = now()`, partnerID, principalID, by.ID)
		} else {
			action = "member.delegation_withdrawn"
			if _, err = tx.ExecContext(ctx, `DELETE FROM delegation_grants WHERE partner_id = $1 AND principal_id = $2`,
				partnerID, principalID); err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE principals SET revoked_at = now()
					WHERE delegated_by = $1 AND delegated_partner_id = $2 AND revoked_at IS NULL`, principalID, partnerID)
			}
		}
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: action, TargetKind: "principal", TargetID: principalID,
		})
	})
}
