package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
	"partnerops/rules"
)

// Invitation is a partner admin's invitation of a personal account to
// associate with the partner.
type Invitation struct {
	ID            string       `db:"id"`
	PartnerID     string       `db:"partner_id"`
	PartnerName   string       `db:"partner_name"`
	PrincipalID   string       `db:"principal_id"`
	PrincipalName string       `db:"principal_name"`
	Status        string       `db:"status"`
	InvitedBy     string       `db:"invited_by"`
	InvitedByName string       `db:"invited_by_name"`
	InvitedByRole string       `db:"invited_by_role"`
	CreatedAt     time.Time    `db:"created_at"`
	RespondedAt   sql.NullTime `db:"responded_at"`
}

const invitationSelect = `
	SELECT i.id, i.partner_id, pa.name AS partner_name, i.principal_id, invitee.name AS principal_name, i.status,
	       i.invited_by, inviter.name AS invited_by_name, inviter.role AS invited_by_role, i.created_at, i.responded_at
	FROM partner_invitations i
	JOIN partners pa ON pa.id = i.partner_id
	JOIN principals invitee ON invitee.id = i.principal_id
	JOIN principals inviter ON inviter.id = i.invited_by`

// lockAccount reads a principal as the membership rules see it, locking its
// row for the rest of the transaction so that membership changes of one
// account happen one at a time. A missing principal is an account that
// does not exist, not an error.
func lockAccount(ctx context.Context, tx *sqlx.Tx, principalID string) (rules.MemberAccount, error) {
	var row struct {
		Role      string         `db:"role"`
		PartnerID sql.NullString `db:"partner_id"`
	}
	err := tx.GetContext(ctx, &row, `SELECT role, partner_id FROM principals WHERE id = $1 FOR NO KEY UPDATE`, principalID)
	if errors.Is(err, sql.ErrNoRows) {
		return rules.MemberAccount{}, nil
	}
	if err != nil {
		return rules.MemberAccount{}, err
	}
	return rules.MemberAccount{Exists: true, Role: row.Role, PartnerID: row.PartnerID.String}, nil
}

// Invite records the partner's invitation of a personal account when
// refuse (the rules, given the invitee read under a lock and whether this
// partner's invitation is already pending) returns nil; else it returns
// refuse's error and writes nothing.
func (s *Store) Invite(ctx context.Context, partnerID, principalID string, by Principal,
	refuse func(invitee rules.MemberAccount, pendingFromPartner bool) error) (Invitation, error) {
	var out Invitation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		invitee, err := lockAccount(ctx, tx, principalID)
		if err != nil {
			return err
		}
		var pending bool
		if err := tx.GetContext(ctx, &pending, `
			SELECT EXISTS (SELECT 1 FROM partner_invitations
			               WHERE partner_id = $1 AND principal_id = $2 AND status = 'pending')`,
			partnerID, principalID); err != nil {
			return err
		}
		if err := refuse(invitee, pending); err != nil {
			return err
		}
		id := NewID("inv")
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO partner_invitations (id, partner_id, principal_id, status, invited_by)
			VALUES ($1, $2, $3, 'pending', $4)`, id, partnerID, principalID, by.ID); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &out, invitationSelect+` WHERE i.id = $1`, id); err != nil {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "member.invited",
			TargetKind: "principal", TargetID: principalID,
			Detail: map[string]any{"invitation_id": id, "principal_name": out.PrincipalName},
		})
	})
	return out, err
}

// PartnerInvitations returns page p of the invitations a partner has sent,
// newest first, and the cursor of the next page ("" on the last).
func (s *Store) PartnerInvitations(ctx context.Context, partnerID string, p Page) ([]Invitation, string, error) {
	q := listQuery{from: invitationSelect, order: newestFirst("i.created_at", "i.id")}
	q.and("i.partner_id = %s", partnerID)
	return selectPage(ctx, s, q, p, invitationKey)
}

// invitationKey places an invitation in the newest-first lists.
func invitationKey(inv Invitation) []any { return []any{inv.CreatedAt, inv.ID} }

// PartnerInvitation reads one invitation the partner has sent.
func (s *Store) PartnerInvitation(ctx context.Context, partnerID, id string) (Invitation, error) {
	var inv Invitation
	err := s.db.GetContext(ctx, &inv, invitationSelect+` WHERE i.id = $1 AND i.partner_id = $2`, id, partnerID)
	return inv, notFoundIfNoRows(err)
}

// Invitation reads one invitation, whoever it is addressed to: the API's
// policy decides who may know of it.
func (s *Store) Invitation(ctx context.Context, id string) (Invitation, error) {
	var inv Invitation
	err := s.db.GetContext(ctx, &inv, invitationSelect+` WHERE i.id = $1`, id)
	return inv, notFoundIfNoRows(err)
}

// PendingInvitations returns page p of the invitations awaiting the
// principal's answer, newest first, and the cursor of the next page (""
// on the last).
func (s *Store) PendingInvitations(ctx context.Context, principalID string, p Page) ([]Invitation, string, error) {
	q := listQuery{from: invitationSelect, order: newestFirst("i.created_at", "i.id")}
	q.and("i.principal_id = %s AND i.status = %s", principalID, rules.InvitationPending)
	return selectPage(ctx, s, q, p, invitationKey)
}

// AnswerInvitation records the invitee's answer to its invitation: on
// accept the account joins the partner. The invitation and the account are
// locked, so of two invitations accepted at once only one wins; refuse (the
// rules, given the invitation's status and the account) decides first, and
// its error leaves everything as it was. An invitation that is not the
// invitee's is ErrNotFound.
func (s *Store) AnswerInvitation(ctx context.Context, invitationID string, invitee Principal, accept bool,
	refuse func(status rules.InvitationStatus, account rules.MemberAccount) error) (Invitation, error) {
	var out Invitation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var inv struct {
			PartnerID string `db:"partner_id"`
			Status    string `db:"status"`
		}
		err := tx.GetContext(ctx, &inv, `
			SELECT partner_id, status FROM partner_invitations WHERE id = $1 AND principal_id = $2 FOR NO KEY UPDATE`,
			invitationID, invitee.ID)
		if err != nil {
			return notFoundIfNoRows(err)
		}
		account, err := lockAccount(ctx, tx, invitee.ID)
		if err != nil {
			return err
		}
		if err := refuse(rules.InvitationStatus(inv.Status), account); err != nil {
			return err
		}
		status, action := rules.InvitationDeclined, "invitation.declined"
		if accept {
			status, action = rules.InvitationAccepted, "invitation.accepted"
			res, err := tx.ExecContext(ctx, `
				UPDATE principals SET partner_id = $2, partner_since = now()
				WHERE id = $1 AND role = 'member' AND partner_id IS NULL`, invitee.ID, inv.PartnerID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return errors.New("accept invitation: the account changed under its lock")
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE partner_invitations SET status = $2, responded_at = now() WHERE id = $1`,
			invitationID, status); err != nil {
			return err
		}
		if err := recordAudit(ctx, tx, AuditEntry{
			PrincipalID: invitee.ID, PartnerID: inv.PartnerID, Action: action,
			TargetKind: "invitation", TargetID: invitationID,
		}); err != nil {
			return err
		}
		return tx.GetContext(ctx, &out, invitationSelect+` WHERE i.id = $1`, invitationID)
	})
	return out, err
}

// Member is an account of a partner: its company (admin) account or a
// personal account associated with it.
type Member struct {
	PrincipalID string    `db:"id"`
	Name        string    `db:"name"`
	Role        string    `db:"role"`
	Since       time.Time `db:"since"`
}

// Members returns page p of the partner's accounts, the admin first, then
// the personal accounts in the order they joined, and the cursor of the
// next page ("" on the last).
func (s *Store) Members(ctx context.Context, partnerID string, p Page) ([]Member, string, error) {
	q := listQuery{
		from: `SELECT id, name, role, COALESCE(partner_since, created_at) AS since FROM principals`,
		order: keyset{columns: []keyColumn{
			{"(role <> 'admin')", keyBool}, {"COALESCE(partner_since, created_at)", keyTime}, {"id", keyText},
		}},
	}
	q.and("partner_id = %s", partnerID)
	list, next, err := selectPage(ctx, s, q, p, func(m Member) []any {
		return []any{m.Role != cases.RoleAdmin, m.Since, m.PrincipalID}
	})
	for i := range list {
		list[i].Since = list[i].Since.UTC()
	}
	return list, next, err
}

// RemoveMember dissociates an account from the partner when refuse (the
// rules, given the account read under a lock) returns nil; the account
// keeps its token but no longer acts for the partner, and its console
// sessions end in the same transaction. An account that is
// not the partner's is ErrNotFound.
func (s *Store) RemoveMember(ctx context.Context, partnerID, principalID string, by Principal,
	refuse func(rules.MemberAccount) error) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		account, err := lockAccount(ctx, tx, principalID)
		if err != nil {
			return err
		}
		if !account.Exists || account.PartnerID != partnerID {
			return ErrNotFound
		}
		if err := refuse(account); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, time.Now(), `p.id = $2`, principalID); err != nil {
			return err
		}
		var name string
		if err := tx.GetContext(ctx, &name, `
			UPDATE principals SET partner_id = NULL, partner_since = NULL WHERE id = $1 RETURNING name`,
			principalID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "member.removed",
			TargetKind: "principal", TargetID: principalID,
			Detail: map[string]any{"principal_name": name},
		})
	})
}
