package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/cases"
	"partnerops/events"
)

// caseRow is a row of the cases table.
type caseRow struct {
	ID          string         `db:"id"`
	Kind        string         `db:"kind"`
	PartnerID   string         `db:"partner_id"`
	CustomerID  sql.NullString `db:"customer_id"`
	Status      string         `db:"status"`
	SLADueAt    sql.NullTime   `db:"sla_due_at"`
	SLABreached bool           `db:"sla_breached"`
	Details     []byte         `db:"details"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
	ClosedAt    sql.NullTime   `db:"closed_at"`
	AssigneeID  sql.NullString `db:"assignee_id"`
}

// A renewal run belongs to no partner: its partner_id is NULL, read as "".
const caseColumns = `id, kind, COALESCE(partner_id, '') AS partner_id, customer_id, status, sla_due_at, sla_breached, details, created_at, updated_at, closed_at, assignee_id`

func (r caseRow) toCase() cases.Case {
	c := cases.Case{
		ID: r.ID, Kind: cases.Kind(r.Kind), PartnerID: r.PartnerID, CustomerID: r.CustomerID.String,
		Status: r.Status, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Details: json.RawMessage(r.Details), AssigneeID: r.AssigneeID.String,
	}
	if r.SLADueAt.Valid {
		c.SLA = &cases.SLA{DueAt: r.SLADueAt.Time.UTC(), Breached: r.SLABreached}
	}
	if r.ClosedAt.Valid {
		closed := r.ClosedAt.Time.UTC()
		c.ClosedAt = &closed
	}
	return c
}

// OpenCase records a case about to start, its workflow's start request, and
// the idempotency key of the request, in one transaction. When the key was
// used before with the same request it returns that earlier case and its
// start instead (whose workflow may still need starting); with another
// request, ErrIdempotencyConflict. A certification while the partner has
// one open is an *OpenCaseError.
func (s *Store) OpenCase(ctx context.Context, nc NewCase, idem *Idempotency) (cases.Case, CaseStart, error) {
	o, _, err := createIdempotently(ctx, s, idem, nc.ID, readOpenedCase, func(tx *sqlx.Tx) (openedCase, error) {
		st, err := insertCase(ctx, tx, nc)
		return openedCase{nc.Case, st}, err
	})
	if err != nil {
		return cases.Case{}, CaseStart{}, s.openCaseError(ctx, nc.Case, err)
	}
	return o.c, o.start, nil
}

// readCase reads a case row with q.
func readCase(ctx context.Context, q sqlx.QueryerContext, id string) (cases.Case, error) {
	var row caseRow
	if err := sqlx.GetContext(ctx, q, &row, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id); err != nil {
		return cases.Case{}, notFoundIfNoRows(err)
	}
	return row.toCase(), nil
}

// ApplyTransition writes one step of a case: its new state (unless a newer
// one is already there), its event, its notifications and the partner
// events it raises (events.FromTransition), in one transaction. Writing the same transition again changes nothing.
func (s *Store) ApplyTransition(ctx context.Context, t cases.Transition) error {
	c := t.Case
	var dueAt sql.NullTime
	breached := false
	if c.SLA != nil {
		dueAt = sql.NullTime{Time: c.SLA.DueAt, Valid: true}
		breached = c.SLA.Breached
	}
	details := c.Details
	if len(details) == 0 {
		details = json.RawMessage(`{}`)
	}
	eventDetail, err := json.Marshal(t.Event.Detail)
	if err != nil {
		return err
	}
	if t.Event.Detail == nil {
		eventDetail = []byte(`{}`)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		// previous is the case's status before this step ("" for a new
		// case, as the statement's snapshot saw it); no row comes back when a
		// newer step is already written
		var previous []string
		if err := tx.SelectContext(ctx, &previous, `
			WITH before AS (SELECT status FROM cases WHERE id = $1)
			INSERT INTO cases (id, kind, partner_id, customer_id, status, sla_due_at, sla_breached,
			                   workflow_id, run_id, details, seq, created_at, updated_at, closed_at, search_text)
			VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
			        lower(concat_ws(' ', $1, (SELECT name FROM partners WHERE id = $3),
			                        (SELECT name FROM customers WHERE id = $4), $15::text)))
			ON CONFLICT (id) DO UPDATE SET
				status = EXCLUDED.status, sla_due_at = EXCLUDED.sla_due_at, sla_breached = EXCLUDED.sla_breached,
				run_id = EXCLUDED.run_id, details = EXCLUDED.details, seq = EXCLUDED.seq, updated_at = EXCLUDED.updated_at,
				closed_at = EXCLUDED.closed_at, search_text = EXCLUDED.search_text
			WHERE cases.seq < EXCLUDED.seq
			RETURNING COALESCE((SELECT status FROM before), '')`,
			c.ID, c.Kind, c.PartnerID, c.CustomerID, c.Status, dueAt, breached,
			t.WorkflowID, t.RunID, []byte(details), t.Event.Seq, c.CreatedAt, c.UpdatedAt, c.ClosedAt, t.Subject); err != nil {
			return fmt.Errorf("write case: %w", err)
		}
		if len(previous) == 1 {
			if err := raiseEvents(ctx, tx, events.FromTransition(t, previous[0])); err != nil {
				return err
			}
		}
		e := t.Event
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO case_events (case_id, seq, type, status, actor_id, actor_role, actor_name, detail, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
			c.ID, e.Seq, e.Type, e.Status, e.Actor.ID, e.Actor.Role, e.Actor.Name, eventDetail, e.At); err != nil {
			return fmt.Errorf("write case event: %w", err)
		}
		for _, n := range t.Notifications {
			// A partner's or a customer's notification is addressed to that
			// partner or customer of the case; staff ones to the role.
			partnerID, customerID := "", ""
			switch n.Audience {
			case cases.AudiencePartner:
				partnerID = c.PartnerID
			case cases.AudienceCustomer:
				customerID = c.CustomerID
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO notifications (case_id, event_seq, audience, partner_id, customer_id, kind, message, created_at)
				VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7, $8) ON CONFLICT DO NOTHING`,
				c.ID, e.Seq, n.Audience, partnerID, customerID, n.Kind, n.Message, e.At); err != nil {
				return fmt.Errorf("write notification: %w", err)
			}
		}
		return nil
	})
}

// Case reads one case from the read model.
func (s *Store) Case(ctx context.Context, id string) (cases.Case, error) {
	return readCase(ctx, s.db, id)
}

// CaseFilter narrows the case list; zero values do not filter.
type CaseFilter struct {
	Kind        string
	Status      string
	PartnerID   string
	CustomerID  string
	SLABreached *bool
	// Open keeps the cases still running; the work queues read only these.
	Open bool
	// DueBefore keeps the cases whose deadline comes before it (zero: no
	// filter), soonest deadline first.
	DueBefore time.Time
	// AnyKindStatus keeps the cases in one of these statuses, each named
	// "kind:status" (none: no filter).
	AnyKindStatus []string
	// SoonestDue lists the cases with a deadline only, soonest deadline
	// first (the deadline queues), instead of newest first; DueBefore
	// implies it.
	SoonestDue bool
	// AssigneeID keeps the cases assigned to this staff member; Unassigned
	// those assigned to no one.
	AssigneeID string
	Unassigned bool
	// Search keeps the cases whose ID, partner's name, customer's name or
	// subject contains it, in any case (cases_search_trgm; at least
	// MinSearch characters).
	Search string
}

// MinSearch is the shortest text search: shorter ones find too many cases
// for the trigram index to narrow.
const MinSearch = 2

// likePattern is s as a LIKE pattern matching any text containing it.
func likePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(strings.TrimSpace(s))) + "%"
}

// ListCases returns page p of the cases f lets through, newest first, and
// the cursor of the next page ("" on the last). Each combination of
// filters has an index that serves it in this order (migrations 00001 and
// 00010).
func (s *Store) ListCases(ctx context.Context, f CaseFilter, p Page) ([]cases.Case, string, error) {
	q := caseListQuery(f)
	key := func(r caseRow) []any { return []any{r.CreatedAt, r.ID} }
	if f.soonestDue() {
		key = func(r caseRow) []any { return []any{r.SLADueAt.Time, r.ID} }
	}
	rows, next, err := selectPage(ctx, s, q, p, key)
	list := make([]cases.Case, len(rows))
	for i, r := range rows {
		list[i] = r.toCase()
	}
	return list, next, err
}

func (f CaseFilter) soonestDue() bool { return f.SoonestDue || !f.DueBefore.IsZero() }

// CountCases counts the cases f lets through, up to limit: more says
// there are more than limit (the count stops there, so that counting a
// large list costs no more than reading limit rows of its index).
func (s *Store) CountCases(ctx context.Context, f CaseFilter, limit int) (n int, more bool, err error) {
	q := caseListQuery(f)
	where := "true"
	if len(q.where) > 0 {
		where = strings.Join(q.where, " AND ")
	}
	err = s.db.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT 1 FROM cases WHERE `+where+fmt.Sprintf(` LIMIT %d) c`, limit+1), q.args...)
	return min(n, limit), n > limit, err
}

// caseListQuery is the case list's query for f.
func caseListQuery(f CaseFilter) listQuery {
	q := listQuery{from: `SELECT ` + caseColumns + ` FROM cases`, order: newestFirst("created_at", "id")}
	if f.soonestDue() {
		q.order = keyset{columns: []keyColumn{{"sla_due_at", keyTime}, {"id", keyText}}}
		q.and("sla_due_at IS NOT NULL")
	}
	if f.Kind != "" {
		q.and("kind = %s", f.Kind)
	}
	if f.Status != "" {
		q.and("status = %s", f.Status)
	}
	if f.PartnerID != "" {
		q.and("partner_id = %s", f.PartnerID)
	}
	if f.CustomerID != "" {
		q.and("customer_id = %s", f.CustomerID)
	}
	if f.Open {
		q.and("closed_at IS NULL")
	}
	if f.AssigneeID != "" {
		q.and("assignee_id = %s", f.AssigneeID)
	}
	if f.Unassigned {
		q.and("assignee_id IS NULL")
	}
	if f.Search != "" {
		q.and("search_text LIKE %s", likePattern(f.Search))
	}
	if !f.DueBefore.IsZero() {
		q.and("sla_due_at < %s", f.DueBefore)
	}
	if len(f.AnyKindStatus) > 0 {
		q.and("kind || ':' || status = ANY(%s)", pq.Array(f.AnyKindStatus))
	}
	if f.SLABreached != nil {
		if *f.SLABreached {
			q.and("sla_breached")
		} else {
			q.and("NOT sla_breached")
		}
	}
	return q
}

// CaseEvents returns page p of a case's timeline, oldest first, and the
// cursor of the next page ("" on the last).
func (s *Store) CaseEvents(ctx context.Context, caseID string, p Page) ([]cases.Event, string, error) {
	type eventRow struct {
		Seq       int64     `db:"seq"`
		Type      string    `db:"type"`
		Status    string    `db:"status"`
		ActorID   string    `db:"actor_id"`
		ActorRole string    `db:"actor_role"`
		ActorName string    `db:"actor_name"`
		Detail    []byte    `db:"detail"`
		At        time.Time `db:"at"`
	}
	q := listQuery{
		from:  `SELECT seq, type, status, actor_id, actor_role, actor_name, detail, at FROM case_events`,
		order: keyset{columns: []keyColumn{{"seq", keyInt}}},
	}
	q.and("case_id = %s", caseID)
	rows, next, err := selectPage(ctx, s, q, p, func(r eventRow) []any { return []any{r.Seq} })
	if err != nil {
		return nil, "", err
	}
	events := make([]cases.Event, len(rows))
	for i, r := range rows {
		events[i] = cases.Event{
			Seq: int(r.Seq), Type: r.Type, Status: r.Status, At: r.At.UTC(),
			Actor: cases.Actor{ID: r.ActorID, Role: r.ActorRole, Name: r.ActorName},
		}
		if err := json.Unmarshal(r.Detail, &events[i].Detail); err != nil {
			return nil, "", err
		}
	}
	return events, next, nil
}

// CertificationHolder returns the ID of another partner's certification case
// that holds the certificate number, or "" if none does. A certified case
// holds it, and an open one unless it is rejected; a case closed any other
// way (expired, needs_attention) releases it, so nobody squats a company's
// number by submitting it and walking away.
func (s *Store) CertificationHolder(ctx context.Context, certificateNumber, partnerID string) (string, error) {
	var id string
	err := s.db.GetContext(ctx, &id, `
		SELECT id FROM cases
		WHERE kind = 'certification' AND details -> 'business_info' ->> 'certificate_number' = $1
		  AND partner_id <> $2
		  AND (status = 'certified' OR (closed_at IS NULL AND status <> 'rejected'))
		ORDER BY created_at LIMIT 1`, certificateNumber, partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}
