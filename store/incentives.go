package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"partnerops/cases"
	"partnerops/rules"
)

// PayIncentive pays a settlement into the partner's account from the
// vendor's incentive account facing it, exactly once per reference (the
// settlement's case): calling it again moves nothing and returns the first
// posting with replayed true.
func (s *Store) PayIncentive(ctx context.Context, partnerID string, amount rules.Money, reference, memo string) (Posting, bool, error) {
	if reference == "" {
		return Posting{}, false, errors.New("PayIncentive: the reference is required")
	}
	return s.Post(ctx, PostingRequest{
		Kind: PostingIncentivePayout, Reference: "incentive:" + reference,
		From: AccountRef{Kind: AccountVendorIncentive, PartnerID: partnerID}, To: PartnerAccount(partnerID),
		Amount: amount, Memo: memo,
	})
}

// SubmittedInvoice is one invoice submitted for a settlement, in one round.
type SubmittedInvoice struct {
	CaseID      string
	Round       int
	PartnerID   string
	Invoice     rules.Invoice
	SubmittedAt time.Time
}

// RecordInvoice records an invoice submitted in a round of a settlement.
// It returns used true, recording nothing, when another submission (of any
// settlement, or an earlier round of this one) already holds its code and
// number; recording the same round again is a no-op.
func (s *Store) RecordInvoice(ctx context.Context, si SubmittedInvoice) (used bool, err error) {
	inv := si.Invoice.Normalized()
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO incentive_invoices (case_id, round, partner_id, kind, medium, code, number, issue_date, total, currency, submitted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		si.CaseID, si.Round, si.PartnerID, inv.Kind, inv.Medium, inv.Code, inv.Number, inv.IssueDate,
		inv.Total.Amount, inv.Total.Currency, si.SubmittedAt)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return false, err
	}
	// Nothing inserted: this round was recorded before (a retry), or the
	// number belongs to another submission.
	var holder struct {
		CaseID string `db:"case_id"`
		Round  int    `db:"round"`
	}
	err = s.db.GetContext(ctx, &holder, `SELECT case_id, round FROM incentive_invoices WHERE code = $1 AND number = $2`, inv.Code, inv.Number)
	if errors.Is(err, sql.ErrNoRows) {
		// The round holds another number: it was recorded before with
		// another invoice, which cannot happen for one round.
		return false, errors.New("RecordInvoice: the round was recorded with another invoice")
	}
	if err != nil {
		return false, err
	}
	return holder.CaseID != si.CaseID || holder.Round != si.Round, nil
}

// CertifiedBusinessInfo is the business information of the partner's
// newest certified certification; ok false when it has none.
func (s *Store) CertifiedBusinessInfo(ctx context.Context, partnerID string) (info rules.BusinessInfo, ok bool, err error) {
	var raw []byte
	err = s.db.GetContext(ctx, &raw, `SELECT details -> 'business_info' FROM cases
		WHERE partner_id = $1 AND kind = 'certification' AND status = 'certified'
		ORDER BY created_at DESC, id DESC LIMIT 1`, partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return info, false, nil
	}
	if err != nil {
		return info, false, err
	}
	return info, true, json.Unmarshal(raw, &info)
}

// SettlementFilter narrows a partner's settlements; zero values do not filter.
type SettlementFilter struct {
	Status string
	Period string
}

// IncentiveSettlements returns page p of the partner's incentive
// settlement cases f lets through, newest first, and the cursor of the
// next page. Served by cases_incentive_partner_newest, or with a period by
// cases_incentive_partner_period_newest (a status filters their few rows).
func (s *Store) IncentiveSettlements(ctx context.Context, partnerID string, f SettlementFilter, p Page) ([]cases.Case, string, error) {
	q := listQuery{from: `SELECT ` + caseColumns + ` FROM cases`, order: newestFirst("created_at", "id")}
	q.and("kind = 'incentive_settlement'") // a literal: the partial indexes' predicate
	q.and("partner_id = %s", partnerID)
	if f.Period != "" {
		q.and("details ->> 'period' = %s", f.Period)
	}
	if f.Status != "" {
		q.and("status = %s", f.Status)
	}
	rows, next, err := selectPage(ctx, s, q, p, func(r caseRow) []any { return []any{r.CreatedAt, r.ID} })
	return listOf(rows, caseRow.toCase), next, err
}
