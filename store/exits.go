package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
	"partnerops/rules"
)

// Partner standing in the program (partners.status, migration 00013).
const (
	PartnerActive       = "active"
	PartnerExiting      = "exiting"
	PartnerExited       = "exited"
	PartnerDeregistered = "deregistered"
)

// PartnerExitingError refuses what would bind a partner that is leaving
// or has left the program: from the moment its exit is requested, no new
// process of it may start, and no customer, deposit or allocation may be
// added to it (they would be obligations its exit just checked away).
type PartnerExitingError struct {
	Status     string // exiting, exited or deregistered
	ExitCaseID string
}

func (e *PartnerExitingError) Error() string {
	return fmt.Sprintf("the partner is %s (exit case %s): no new process, customer, deposit or allocation of it", e.Status, e.ExitCaseID)
}

// claimPartnerForCase is the one check every new case passes, in the
// transaction that opens it (insertCase): the partner must be active, and
// certified for the kinds the certification gate covers. The
// partner's row is locked, so an exit request and a case opening for the
// same partner happen one after the other: either the case is open before
// the exit (and the exit waits for it) or it is refused. Opening an exit
// case marks the partner exiting (markExiting, once its row exists). A
// releasing case (it only undoes what binds the partner) opens while the
// partner exits too, and only then: the exit waits for it.
func claimPartnerForCase(ctx context.Context, tx *sqlx.Tx, c cases.Case, releasing bool) error {
	lock := "FOR SHARE"
	if c.Kind == cases.KindPartnerExit {
		lock = "FOR NO KEY UPDATE"
	}
	if releasing {
		var status string
		err := tx.GetContext(ctx, &status, `SELECT status FROM partners WHERE id = $1 `+lock, c.PartnerID)
		if err != nil || status == PartnerActive || status == PartnerExiting {
			return notFoundIfNoRows(err)
		}
	}
	if err := claimActivePartner(ctx, tx, c.PartnerID, lock); err != nil {
		return err
	}
	if refused, gated := gatedKinds[c.Kind]; gated {
		return requireCertified(ctx, tx, c.PartnerID, refused)
	}
	return nil
}

// holdActivePartner is the check of whatever else would bind the partner
// (a customer bound, a deposit, an allocation), in its transaction and
// before anything else it locks (the ledger's lock order: the partner's
// row, then a customer's, then the accounts): the partner must be active,
// and its row stays share-locked until the transaction ends, so the exit's
// end (EndPartnerExit, which locks it to update) comes wholly before or
// wholly after it.
func holdActivePartner(ctx context.Context, tx *sqlx.Tx, partnerID string) error {
	return claimActivePartner(ctx, tx, partnerID, "FOR SHARE")
}

// claimActivePartner locks the partner's row (lock) and refuses a partner
// that is not active (*PartnerExitingError).
func claimActivePartner(ctx context.Context, tx *sqlx.Tx, partnerID, lock string) error {
	var row struct {
		Status     string  `db:"status"`
		ExitCaseID *string `db:"exit_case_id"`
	}
	if err := tx.GetContext(ctx, &row, `SELECT status, exit_case_id FROM partners WHERE id = $1 `+lock, partnerID); err != nil {
		return notFoundIfNoRows(err)
	}
	if row.Status != PartnerActive {
		refusal := &PartnerExitingError{Status: row.Status}
		if row.ExitCaseID != nil {
			refusal.ExitCaseID = *row.ExitCaseID
		}
		return refusal
	}
	return nil
}

// markExiting records, once the exit case's row exists, that the partner
// is leaving by it.
func markExiting(ctx context.Context, tx *sqlx.Tx, c cases.Case) error {
	if c.Kind != cases.KindPartnerExit {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE partners SET status = 'exiting', exit_case_id = $2 WHERE id = $1`, c.PartnerID, c.ID)
	return err
}

// exitListLimit bounds each list of what still binds an exiting partner;
// beyond it the check counts.
const exitListLimit = 50

// ExitFacts reads what still binds the partner to the program, for the
// obligations check of its exit case exitCaseID: its other open cases (of
// any kind), its associated customers, the positive balances of its
// accounts and its customers' accounts it funded, and its personal accounts.
func (s *Store) ExitFacts(ctx context.Context, partnerID, exitCaseID string) (rules.ExitFacts, error) {
	return exitFacts(ctx, s.db, partnerID, exitCaseID)
}

// exitFacts reads ExitFacts with q (in CompletePartnerExit: its transaction).
func exitFacts(ctx context.Context, q sqlx.QueryerContext, partnerID, exitCaseID string) (rules.ExitFacts, error) {
	var facts rules.ExitFacts
	var openCases []struct {
		ID     string `db:"id"`
		Kind   string `db:"kind"`
		Status string `db:"status"`
		Total  int    `db:"total"`
	}
	if err := sqlx.SelectContext(ctx, q, &openCases, `
		SELECT id, kind, status, count(*) OVER () AS total FROM cases
		WHERE partner_id = $1 AND closed_at IS NULL AND id <> $2
		ORDER BY created_at, id LIMIT $3`, partnerID, exitCaseID, exitListLimit); err != nil {
		return facts, fmt.Errorf("open cases: %w", err)
	}
	for _, c := range openCases {
		facts.OpenCases = append(facts.OpenCases, rules.ExitOpenCase{ID: c.ID, Kind: c.Kind, Status: c.Status})
		facts.MoreCases = c.Total - len(openCases)
	}
	var err error
	if facts.Customers, facts.MoreCustomers, err = exitParties(ctx, q, `
		SELECT id, name, count(*) OVER () AS total FROM customers
		WHERE partner_id = $1 ORDER BY created_at, id LIMIT $2`, partnerID); err != nil {
		return facts, fmt.Errorf("customers: %w", err)
	}
	if facts.Members, facts.MoreMembers, err = exitParties(ctx, q, `
		SELECT id, name, count(*) OVER () AS total FROM principals
		WHERE partner_id = $1 AND role = 'member' ORDER BY COALESCE(partner_since, created_at), id LIMIT $2`, partnerID); err != nil {
		return facts, fmt.Errorf("members: %w", err)
	}
	var balances []struct {
		CustomerID *string `db:"customer_id"`
		Balance    int64   `db:"balance"`
		Currency   string  `db:"currency"`
		Total      int     `db:"total"`
	}
	if err := sqlx.SelectContext(ctx, q, &balances, `
		SELECT customer_id, sum(balance)::bigint AS balance, currency, count(*) OVER () AS total FROM money_accounts
		WHERE partner_id = $1 AND kind IN ('partner', 'customer') AND balance > 0
		GROUP BY kind, customer_id, currency ORDER BY kind DESC, customer_id NULLS FIRST, currency LIMIT $2`,
		partnerID, exitListLimit); err != nil {
		return facts, fmt.Errorf("balances: %w", err)
	}
	for _, b := range balances {
		facts.MoreBalances = b.Total - len(balances)
		eb := rules.ExitBalance{Balance: rules.Money{Amount: b.Balance, Currency: b.Currency}}
		if b.CustomerID != nil {
			eb.CustomerID = *b.CustomerID
		}
		facts.Balances = append(facts.Balances, eb)
	}
	return facts, nil
}

// exitParties reads a bounded list of customers or personal accounts, and
// how many were left out.
func exitParties(ctx context.Context, q sqlx.QueryerContext, query, partnerID string) ([]rules.ExitParty, int, error) {
	var rows []struct {
		ID    string `db:"id"`
		Name  string `db:"name"`
		Total int    `db:"total"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, query, partnerID, exitListLimit); err != nil {
		return nil, 0, err
	}
	var list []rules.ExitParty
	more := 0
	for _, r := range rows {
		list = append(list, rules.ExitParty{ID: r.ID, Name: r.Name})
		more = r.Total - len(rows)
	}
	return list, more, nil
}

// Outcomes of an exit case for its partner.
const (
	ExitWithdrawn = "withdrawn" // the admin withdrew it: the partner is active again
	ExitRefused   = "refused"   // ops refused it: the partner is active again
	ExitCompleted = "exited"    // the partner left the program
)

// EndPartnerExit applies the outcome of the exit case caseID to its
// partner, once: withdrawn or refused make it active again; exited ends
// its level and program rights and revokes every token of its accounts but
// the admin's (who may still deregister). Applying it again, or for a case
// that no longer holds the partner, changes nothing.
func (s *Store) EndPartnerExit(ctx context.Context, partnerID, caseID, outcome string, at time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		switch outcome {
		case ExitWithdrawn, ExitRefused:
			_, err := tx.ExecContext(ctx, `UPDATE partners SET status = 'active', exit_case_id = NULL
				WHERE id = $1 AND exit_case_id = $2 AND status = 'exiting'`, partnerID, caseID)
			return err
		case ExitCompleted:
			return exitPartner(ctx, tx, partnerID, caseID, at)
		}
		return fmt.Errorf("EndPartnerExit: unknown outcome %q", outcome)
	})
}

// exitPartner makes the partner exited by its exit case caseID, if the
// case still holds it: its level ends, and every token of its accounts but
// the admin's is revoked.
func exitPartner(ctx context.Context, tx *sqlx.Tx, partnerID, caseID string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE partners SET status = 'exited', level = NULL, exited_at = $3
		WHERE id = $1 AND exit_case_id = $2 AND status = 'exiting'`, partnerID, caseID, at)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	if err := endSessions(ctx, tx, at, `p.partner_id = $2 AND p.role <> 'admin'`, partnerID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE principals SET revoked_at = $2
		WHERE partner_id = $1 AND role <> 'admin' AND revoked_at IS NULL`, partnerID, at)
	return err
}

// CompletePartnerExit is the exit's last check and its end in one
// transaction, under the partner's row lock (FOR NO KEY UPDATE, which waits
// for every binding in flight: they hold it FOR SHARE, holdActivePartner):
// it reads what still binds the partner (ExitFacts) and, with nothing
// open, exits it (EndPartnerExit's ExitCompleted). It returns what is
// open; none means the partner exited. Nothing can be bound to the partner
// between the check and the end. Running it again for an exit already
// completed, or for a case that no longer holds the partner, changes
// nothing and returns none.
func (s *Store) CompletePartnerExit(ctx context.Context, partnerID, caseID string, at time.Time) ([]rules.ExitObligation, error) {
	open := []rules.ExitObligation{}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		open = []rules.ExitObligation{}
		var row struct {
			Status     string  `db:"status"`
			ExitCaseID *string `db:"exit_case_id"`
		}
		if err := tx.GetContext(ctx, &row, `SELECT status, exit_case_id FROM partners WHERE id = $1 FOR NO KEY UPDATE`, partnerID); err != nil {
			return notFoundIfNoRows(err)
		}
		if row.Status != PartnerExiting || row.ExitCaseID == nil || *row.ExitCaseID != caseID {
			return nil
		}
		facts, err := exitFacts(ctx, tx, partnerID, caseID)
		if err != nil {
			return fmt.Errorf("read what binds partner %s: %w", partnerID, err)
		}
		if open = rules.ExitObligations(facts); len(open) > 0 {
			return nil
		}
		return exitPartner(ctx, tx, partnerID, caseID, at)
	})
	return open, err
}

// NotExitedError refuses to deregister a partner that has not exited the
// program; ExitCaseID is its running exit case, "" when none was requested.
type NotExitedError struct {
	Status     string
	ExitCaseID string
}

func (e *NotExitedError) Error() string {
	if e.ExitCaseID == "" {
		return "the partner has not asked to exit the program"
	}
	return fmt.Sprintf("the partner's exit case %s has not ended yet", e.ExitCaseID)
}

// anonymised replaces personal data a deregistration removes.
const anonymised = "(removed)"

// DeregisterPartner closes an exited partner's account for good, in one
// transaction: every token of its accounts is revoked, the names of its
// accounts and delegated tokens, the contact it registered itself with and
// the contact and legal representative of its business information (its
// certification cases and their start requests) are anonymised, and the
// data key of its Temporal histories is destroyed (they can no longer be
// decrypted). The ledger, invoices, case timelines and audit trail are
// kept as they are. A partner that has not exited is *NotExitedError; one
// already deregistered is returned unchanged (deregistering is
// idempotent and irreversible).
func (s *Store) DeregisterPartner(ctx context.Context, partnerID string, by Principal, at time.Time) (Partner, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			Status     string  `db:"status"`
			ExitCaseID *string `db:"exit_case_id"`
		}
		if err := tx.GetContext(ctx, &row, `SELECT status, exit_case_id FROM partners WHERE id = $1 FOR NO KEY UPDATE`, partnerID); err != nil {
			return notFoundIfNoRows(err)
		}
		switch row.Status {
		case PartnerDeregistered:
			return nil
		case PartnerActive, PartnerExiting:
			refusal := &NotExitedError{Status: row.Status}
			if row.ExitCaseID != nil {
				refusal.ExitCaseID = *row.ExitCaseID
			}
			return refusal
		}
		// the audit entry names who asked, before its name is anonymised
		if err := recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "partner.deregistered", TargetKind: "partner", TargetID: partnerID,
			Detail: map[string]any{"exit_case_id": row.ExitCaseID},
		}); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, at, `p.partner_id = $2`, partnerID); err != nil {
			return err
		}
		contact := `jsonb_set(jsonb_set(%s, '{business_info,contact}', '{"name": "` + anonymised + `", "phone": "", "email": ""}'),
			'{business_info,legal_representative}', '"` + anonymised + `"')`
		for _, w := range []struct {
			query string
			args  []any
		}{
			{`UPDATE partners SET status = 'deregistered', deregistered_at = $2 WHERE id = $1`, []any{partnerID, at}},
			// its Temporal histories' data key: they become unreadable (package historykeys)
			{`DELETE FROM history_keys WHERE partner_id = $1`, []any{partnerID}},
			{`UPDATE principals SET revoked_at = COALESCE(revoked_at, $2), name = '` + anonymised + `' WHERE partner_id = $1`,
				[]any{partnerID, at}},
			// its delegated tokens, named after its members; a self-registered partner's contact
			{`UPDATE principals SET revoked_at = COALESCE(revoked_at, $2), name = '` + anonymised + `' WHERE delegated_partner_id = $1`,
				[]any{partnerID, at}},
			{`UPDATE partners SET contact_name = '` + anonymised + `', contact_phone = '` + anonymised + `', contact_email = '` + anonymised + `'
				WHERE id = $1 AND self_registered`, []any{partnerID}},
			{`UPDATE cases SET details = ` + fmt.Sprintf(contact, "details") + `
				WHERE partner_id = $1 AND kind = 'certification' AND details ? 'business_info'`, []any{partnerID}},
			{`UPDATE case_starts cs SET input = ` + fmt.Sprintf(contact, "cs.input") + `
				FROM cases c WHERE c.id = cs.case_id AND c.partner_id = $1 AND c.kind = 'certification'
				  AND cs.input ? 'business_info'`, []any{partnerID}},
		} {
			if _, err := tx.ExecContext(ctx, w.query, w.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Partner{}, err
	}
	return s.Partner(ctx, partnerID)
}

// ErrWithdrawalConflict is a withdrawal's transaction ID used before for
// another movement (a deposit, an adjustment, another amount).
var ErrWithdrawalConflict = errors.New("this transaction_id was already used for another movement")

// Withdraw records staff paying money on the partner's own account back
// out to the partner (partner -> vendor funding), once per transaction ID:
// the same withdrawal again returns the first posting with replayed true.
// It takes no more than the account holds (*InsufficientBalanceError,
// nothing written).
func (s *Store) Withdraw(ctx context.Context, partnerID string, req rules.DepositRequest, by Operator) (Posting, bool, error) {
	var p Posting
	var replayed bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		p, replayed, err = post(ctx, tx, PostingRequest{
			Kind: PostingWithdrawal, Reference: txnReference(partnerID, req.TransactionID),
			From: PartnerAccount(partnerID), To: VendorFundingAccount(partnerID), Amount: *req.Amount, Memo: req.Memo,
		})
		if errors.Is(err, ErrPostingConflict) {
			return ErrWithdrawalConflict
		}
		if err != nil || replayed {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "withdrawal.recorded", TargetKind: "posting", TargetID: p.ID,
			Detail: map[string]any{"amount": req.Amount, "transaction_id": req.TransactionID, "by_name": by.Name},
		})
	})
	return p, replayed, err
}
