package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/cases"
)

// NewCase is a case to open: its first row, and the workflow that runs it
// with that workflow's input. Both are written in one transaction (the
// start is an outbox row), so a case never exists without the request to
// start its workflow, and a workflow is started only from a committed row:
// there is no workflow without its case.
type NewCase struct {
	cases.Case
	Workflow string
	Input    any // the workflow's input, stored as JSON and passed on as is
	// Releasing: the case only undoes what binds the partner (a
	// dissociation request), so it opens while the partner exits too.
	Releasing bool
}

// CaseStart is a case's request to start its workflow (the workflow ID is
// the case ID). StartedAt is set once Temporal has the workflow. A start
// the reconciler failed is tried again at NextTryAt (Attempts failures so
// far, the last one LastError), and is parked (ParkedAt) after too many.
type CaseStart struct {
	CaseID    string          `db:"case_id"`
	Workflow  string          `db:"workflow"`
	Input     json.RawMessage `db:"input"`
	CreatedAt time.Time       `db:"created_at"`
	StartedAt sql.NullTime    `db:"started_at"`
	Attempts  int             `db:"attempts"`
	NextTryAt time.Time       `db:"next_try_at"`
	LastError string          `db:"last_error"`
	ParkedAt  sql.NullTime    `db:"parked_at"`
}

// caseStartColumns are CaseStart's columns.
const caseStartColumns = `case_id, workflow, input, created_at, started_at, attempts, next_try_at, last_error, parked_at`

// OpenCaseError is the refusal of a case because the partner already has one
// of its kind open (certification: one at a time).
type OpenCaseError struct {
	Kind   cases.Kind
	CaseID string // the open case
}

func (e *OpenCaseError) Error() string {
	return fmt.Sprintf("the partner already has an open %s case, %s", e.Kind, e.CaseID)
}

// openCertificationIndex is the partial unique index that allows one open
// certification per partner (migration 00009).
const openCertificationIndex = "cases_one_open_certification"

// insertCase writes a new case row and its start request, in the
// transaction of whatever else opening the case records. A partner that
// is leaving the program opens none (*PartnerExitingError).
func insertCase(ctx context.Context, tx *sqlx.Tx, nc NewCase) (CaseStart, error) {
	c := nc.Case
	details := c.Details
	if len(details) == 0 {
		details = json.RawMessage(`{}`)
	}
	st := CaseStart{CaseID: c.ID, Workflow: nc.Workflow, CreatedAt: c.CreatedAt}
	var err error
	if st.Input, err = json.Marshal(nc.Input); err != nil {
		return st, err
	}
	if err := claimPartnerForCase(ctx, tx, c, nc.Releasing); err != nil {
		return st, err
	}
	var dueAt *time.Time
	if c.SLA != nil {
		dueAt = &c.SLA.DueAt
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO cases (id, kind, partner_id, customer_id, status, workflow_id, details, sla_due_at, created_at, updated_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, $1, $6, $7, $8, $8)`,
		c.ID, c.Kind, c.PartnerID, c.CustomerID, c.Status, []byte(details), dueAt, c.CreatedAt); err != nil {
		return st, err
	}
	if err := markExiting(ctx, tx, c); err != nil {
		return st, err
	}
	st.NextTryAt = st.CreatedAt
	_, err = tx.ExecContext(ctx, `INSERT INTO case_starts (case_id, workflow, input, created_at, next_try_at) VALUES ($1, $2, $3, $4, $4)`,
		st.CaseID, st.Workflow, []byte(st.Input), st.CreatedAt)
	return st, err
}

// openCaseError turns the violation of the one-open-certification index
// into an OpenCaseError naming the open case.
func (s *Store) openCaseError(ctx context.Context, c cases.Case, err error) error {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" || pqErr.Constraint != openCertificationIndex {
		return err
	}
	refusal := &OpenCaseError{Kind: c.Kind}
	if lookupErr := s.db.GetContext(ctx, &refusal.CaseID, `SELECT id FROM cases
		WHERE partner_id = $1 AND kind = 'certification' AND closed_at IS NULL`, c.PartnerID); lookupErr != nil {
		// closed meanwhile: the submission may go ahead on a retry
		return errors.Join(err, lookupErr)
	}
	return refusal
}

// CertifiedCase returns the partner's latest certified certification case,
// or "" when it has none: a new submission then re-certifies it.
func (s *Store) CertifiedCase(ctx context.Context, partnerID string) (string, error) {
	var id string
	err := s.db.GetContext(ctx, &id, `SELECT id FROM cases
		WHERE partner_id = $1 AND kind = 'certification' AND status = 'certified'
		ORDER BY created_at DESC, id DESC LIMIT 1`, partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// OpenedCase reads a case and its start request.
func (s *Store) OpenedCase(ctx context.Context, id string) (cases.Case, CaseStart, error) {
	o, err := readOpenedCase(ctx, s.db, id)
	return o.c, o.start, err
}

// openedCase is a case with its start request.
type openedCase struct {
	c     cases.Case
	start CaseStart
}

func readOpenedCase(ctx context.Context, q sqlx.QueryerContext, id string) (openedCase, error) {
	c, err := readCase(ctx, q, id)
	if err != nil {
		return openedCase{}, err
	}
	var st CaseStart
	err = sqlx.GetContext(ctx, q, &st, `SELECT `+caseStartColumns+` FROM case_starts WHERE case_id = $1`, id)
	return openedCase{c, st}, notFoundIfNoRows(err)
}

// MarkCaseStarted records that the case's workflow runs. Marking it again
// changes nothing.
func (s *Store) MarkCaseStarted(ctx context.Context, caseID string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE case_starts SET started_at = greatest(now(), created_at)
		WHERE case_id = $1 AND started_at IS NULL`, caseID)
	return err
}

// UnstartedCases returns up to limit start requests created before the
// given time, not marked started nor parked, and due (their next try is
// not in the future), in the order of their next try: those whose opener
// did not live (or was not able) to start them. A failed start's next try
// moves on (CaseStartFailed), so newer requests are never starved by old
// failures.
func (s *Store) UnstartedCases(ctx context.Context, before time.Time, limit int) ([]CaseStart, error) {
	list := []CaseStart{}
	err := s.db.SelectContext(ctx, &list, `SELECT `+caseStartColumns+` FROM case_starts
		WHERE started_at IS NULL AND parked_at IS NULL AND next_try_at <= now() AND created_at < $1
		ORDER BY next_try_at, case_id LIMIT $2`, before, limit)
	return list, err
}

// StartRetry is how a failed start is tried again: after Backoff, doubled
// with each failure up to MaxBackoff, and parked after ParkAfter failures.
type StartRetry struct {
	Backoff, MaxBackoff time.Duration
	ParkAfter           int
}

// CaseStartFailed records a failed start of the case's workflow: one more
// attempt, why it failed, and its next try after the backoff; the start is
// parked once it failed r.ParkAfter times. A start marked started or
// parked meanwhile is left alone. It says whether the start is now parked.
func (s *Store) CaseStartFailed(ctx context.Context, caseID string, cause error, r StartRetry) (bool, error) {
	var parked bool
	err := s.db.GetContext(ctx, &parked, `UPDATE case_starts
		SET attempts = attempts + 1, last_error = left($2, 1000),
			next_try_at = now() + make_interval(secs => least($3::float8 * power(2, attempts), $4::float8)),
			parked_at = CASE WHEN attempts + 1 >= $5::int THEN now() END
		WHERE case_id = $1 AND started_at IS NULL AND parked_at IS NULL
		RETURNING parked_at IS NOT NULL`,
		caseID, cause.Error(), r.Backoff.Seconds(), r.MaxBackoff.Seconds(), r.ParkAfter)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return parked, err
}

// RetryParkedCaseStart takes a parked start back to the reconciler, due at
// once with its attempts counted anew; NotFound when the case has no parked start.
func (s *Store) RetryParkedCaseStart(ctx context.Context, caseID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE case_starts SET parked_at = NULL, attempts = 0, next_try_at = now()
		WHERE case_id = $1 AND started_at IS NULL AND parked_at IS NOT NULL`, caseID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, ErrNotFound)
	}
	return nil
}

// PendingCaseStarts lists up to limit start requests not started yet: the
// parked ones first (oldest parking first), then the others by next try.
func (s *Store) PendingCaseStarts(ctx context.Context, limit int) ([]CaseStart, error) {
	list := []CaseStart{}
	err := s.db.SelectContext(ctx, &list, `SELECT `+caseStartColumns+` FROM case_starts
		WHERE started_at IS NULL
		ORDER BY parked_at IS NULL, parked_at, next_try_at, case_id LIMIT $1`, limit)
	return list, err
}

// CaseStartCounts are the start requests not started yet: retrying (failed
// at least once, not parked) and parked.
type CaseStartCounts struct {
	Retrying int `db:"retrying" json:"retrying"`
	Parked   int `db:"parked" json:"parked"`
}

// PendingCaseStartCounts counts the start requests that failed, retrying or parked.
func (s *Store) PendingCaseStartCounts(ctx context.Context) (CaseStartCounts, error) {
	var c CaseStartCounts
	err := s.db.GetContext(ctx, &c, `SELECT
		count(*) FILTER (WHERE parked_at IS NULL AND attempts > 0) AS retrying,
		count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked
		FROM case_starts WHERE started_at IS NULL`)
	return c, err
}
