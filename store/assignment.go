package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/cases"
)

// Refusals of an assignment.
var (
	// ErrNotStaff: cases are assigned to the vendor's staff only.
	ErrNotStaff = errors.New("the assignee is not one of the vendor's staff (ops or supervisor)")
	// ErrCaseClosed: a closed case is nobody's work any more.
	ErrCaseClosed = errors.New("the case is closed: it is assigned to no one any more")
)

// AlreadyAssignedError refuses a claim of a case another staff member holds
// (assign it to oneself instead, to take it over knowingly).
type AlreadyAssignedError struct {
	CaseID, AssigneeID, AssigneeName string
}

func (e *AlreadyAssignedError) Error() string {
	return fmt.Sprintf("case %s is already assigned to %s", e.CaseID, e.AssigneeName)
}

// Assignment is a change of a case's assignee.
type Assignment struct {
	CaseID     string
	AssigneeID string // "" unassigns
	ActorID    string // who does it
	// Claim takes the case only when no one else holds it.
	Claim bool
}

// Assign gives a case to a staff member (or to no one), and records it in
// the case's activity and the audit trail, in one transaction. Assigning a
// case to whoever holds it already changes nothing. It answers the case as
// it is now.
func (s *Store) Assign(ctx context.Context, a Assignment) (cases.Case, error) {
	var c cases.Case
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			AssigneeID sql.NullString `db:"assignee_id"`
			Name       sql.NullString `db:"name"`
			ClosedAt   sql.NullTime   `db:"closed_at"`
		}
		if err := tx.GetContext(ctx, &cur, `
			SELECT c.assignee_id, p.name, c.closed_at FROM cases c LEFT JOIN principals p ON p.id = c.assignee_id
			WHERE c.id = $1 FOR UPDATE OF c`, a.CaseID); err != nil {
			return notFoundIfNoRows(err)
		}
		if cur.ClosedAt.Valid {
			return ErrCaseClosed
		}
		if a.AssigneeID != "" {
			var staff bool
			err := tx.GetContext(ctx, &staff, `SELECT role = ANY($2) AND revoked_at IS NULL FROM principals WHERE id = $1`,
				a.AssigneeID, pq.Array(cases.StaffRoles))
			if errors.Is(err, sql.ErrNoRows) || (err == nil && !staff) {
				return ErrNotStaff
			}
			if err != nil {
				return err
			}
		}
		if a.Claim && cur.AssigneeID.Valid && cur.AssigneeID.String != a.AssigneeID {
			return &AlreadyAssignedError{CaseID: a.CaseID, AssigneeID: cur.AssigneeID.String, AssigneeName: cur.Name.String}
		}
		if cur.AssigneeID.String != a.AssigneeID {
			if err := recordAssignment(ctx, tx, a, cur.AssigneeID.String); err != nil {
				return err
			}
		}
		var err error
		c, err = readCase(ctx, tx, a.CaseID)
		return err
	})
	return c, err
}

// recordAssignment writes the new assignee, the case's activity and the
// audit entry (staff's own: it names no partner, so the partner's audit
// trail does not show it).
func recordAssignment(ctx context.Context, tx *sqlx.Tx, a Assignment, previous string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET assignee_id = NULLIF($2, '') WHERE id = $1`, a.CaseID, a.AssigneeID); err != nil {
		return err
	}
	typ, whom, action := "assigned", a.AssigneeID, "case.assigned"
	if a.AssigneeID == "" {
		typ, whom, action = "unassigned", previous, "case.unassigned"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_activity (case_id, type, actor_id, assignee_id) VALUES ($1, $2, $3, $4)`,
		a.CaseID, typ, a.ActorID, whom); err != nil {
		return err
	}
	return recordAudit(ctx, tx, AuditEntry{PrincipalID: a.ActorID, Action: action, TargetKind: "case", TargetID: a.CaseID,
		Detail: map[string]any{"assignee_id": a.AssigneeID, "previous_assignee_id": previous}})
}

// Activity is one entry of a case's activity: an assignment or a comment.
type Activity struct {
	ID             int64          `db:"id" json:"id"`
	Type           string         `db:"type" json:"type"`
	ActorID        string         `db:"actor_id" json:"actor_id"`
	ActorName      string         `db:"actor_name" json:"actor_name"`
	ActorRole      string         `db:"actor_role" json:"actor_role"`
	AssigneeID     sql.NullString `db:"assignee_id" json:"-"`
	AssigneeName   sql.NullString `db:"assignee_name" json:"-"`
	Body           string         `db:"body" json:"body,omitempty"`
	PartnerVisible bool           `db:"partner_visible" json:"partner_visible"`
	At             time.Time      `db:"at" json:"at"`
}

// CaseActivity is a case's activity, oldest first: all of it, or (for the
// partner's side) only the comments its members may see.
func (s *Store) CaseActivity(ctx context.Context, caseID string, partnerVisibleOnly bool) ([]Activity, error) {
	rows := []Activity{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT a.id, a.type, a.actor_id, p.name AS actor_name, p.role AS actor_role, a.assignee_id, q.name AS assignee_name,
		       a.body, a.partner_visible, a.at
		FROM case_activity a JOIN principals p ON p.id = a.actor_id LEFT JOIN principals q ON q.id = a.assignee_id
		WHERE a.case_id = $1 AND (a.partner_visible OR NOT $2) ORDER BY a.id`, caseID, partnerVisibleOnly)
	for i := range rows {
		rows[i].At = rows[i].At.UTC()
	}
	return rows, err
}

// StaffMembers are the vendor's staff (ops and supervisors) who may be
// assigned cases, by name.
func (s *Store) StaffMembers(ctx context.Context) ([]NamedID, error) {
	rows := []NamedID{}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, name FROM principals WHERE role = ANY($1) AND revoked_at IS NULL ORDER BY name, id`,
		pq.Array(cases.StaffRoles))
	return rows, err
}

// PrincipalNames are the names of principals, by ID.
func (s *Store) PrincipalNames(ctx context.Context, ids []string) (map[string]string, error) {
	return s.namesOf(ctx, "principals", ids)
}

// AddComment writes a comment on a case's timeline: staff's internal note,
// or (partnerVisible) a comment the partner's members see too.
func (s *Store) AddComment(ctx context.Context, caseID, actorID, body string, partnerVisible bool) (Activity, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `
		INSERT INTO case_activity (case_id, type, actor_id, body, partner_visible) VALUES ($1, 'comment', $2, $3, $4) RETURNING id`,
		caseID, actorID, body, partnerVisible); err != nil {
		return Activity{}, err
	}
	var a Activity
	err := s.db.GetContext(ctx, &a, `
		SELECT a.id, a.type, a.actor_id, p.name AS actor_name, p.role AS actor_role, a.assignee_id, NULL AS assignee_name,
		       a.body, a.partner_visible, a.at
		FROM case_activity a JOIN principals p ON p.id = a.actor_id WHERE a.id = $1`, id)
	a.At = a.At.UTC()
	return a, err
}
