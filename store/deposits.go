package store

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/rules"
)

// Deposit is money the vendor recorded a partner paid in.
type Deposit struct {
	ID            string      `json:"id"`
	PartnerID     string      `json:"partner_id"`
	Amount        rules.Money `json:"amount"`
	TransactionID string      `json:"transaction_id"`
	Memo          string      `json:"memo"`
	RecordedAt    time.Time   `json:"recorded_at"`
	RecordedBy    Operator    `json:"recorded_by"`
}

type depositRow struct {
	ID             string    `db:"id"`
	PartnerID      string    `db:"partner_id"`
	Amount         int64     `db:"amount"`
	Currency       string    `db:"currency"`
	TransactionID  string    `db:"transaction_id"`
	Memo           string    `db:"memo"`
	RecordedByID   string    `db:"recorded_by_id"`
	RecordedByName string    `db:"recorded_by_name"`
	RecordedAt     time.Time `db:"recorded_at"`
}

const depositColumns = `id, partner_id, amount, currency, transaction_id, memo, recorded_by_id, recorded_by_name, recorded_at`

func (r depositRow) toDeposit() Deposit {
	return Deposit{
		ID: r.ID, PartnerID: r.PartnerID, Amount: rules.Money{Amount: r.Amount, Currency: r.Currency},
		TransactionID: r.TransactionID, Memo: r.Memo, RecordedAt: r.RecordedAt.UTC(),
		RecordedBy: Operator{ID: r.RecordedByID, Name: r.RecordedByName},
	}
}

// NewDeposit is what recording a deposit needs; the fields are valid
// (rules.DepositRequest) and the partner exists.
type NewDeposit struct {
	PartnerID     string
	Amount        rules.Money
	TransactionID string
	Memo          string
	By            Operator
}

// CreateDeposit records a deposit and moves its amount from the vendor's
// funding account to the partner's, with its audit entry and idempotency
// key, in one transaction. A key used before with the same request returns
// that deposit (replayed true) and moves nothing; with another request,
// ErrIdempotencyConflict. A transaction ID used before is
// ErrDuplicateTransactionID, and nothing is written; so is a deposit for a
// partner that is leaving the program (*PartnerExitingError).
func (s *Store) CreateDeposit(ctx context.Context, d NewDeposit, idem *Idempotency) (Deposit, bool, error) {
	id := NewID("dep")
	return createIdempotently(ctx, s, idem, id, deposit, func(tx *sqlx.Tx) (Deposit, error) {
		return recordDeposit(ctx, tx, id, d)
	})
}

// recordDeposit writes a deposit in tx.
func recordDeposit(ctx context.Context, tx *sqlx.Tx, id string, d NewDeposit) (Deposit, error) {
	if err := holdActivePartner(ctx, tx, d.PartnerID); err != nil {
		return Deposit{}, err
	}
	posting, again, err := post(ctx, tx, PostingRequest{
		Kind: PostingDeposit, Reference: txnReference(d.PartnerID, d.TransactionID),
		From: VendorFundingAccount(d.PartnerID), To: PartnerAccount(d.PartnerID), Amount: d.Amount, Memo: d.Memo,
	})
	if again || errors.Is(err, ErrPostingConflict) {
		return Deposit{}, ErrDuplicateTransactionID
	}
	if err != nil {
		return Deposit{}, err
	}
	var row depositRow
	err = tx.GetContext(ctx, &row, `
		INSERT INTO money_deposits (id, partner_id, posting_id, amount, currency, transaction_id, memo,
		                            recorded_by_id, recorded_by_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+depositColumns,
		id, d.PartnerID, posting.ID, d.Amount.Amount, d.Amount.Currency, d.TransactionID, d.Memo, d.By.ID, d.By.Name)
	if isUniqueViolation(err) {
		return Deposit{}, ErrDuplicateTransactionID
	}
	if err != nil {
		return Deposit{}, err
	}
	if err := recordAudit(ctx, tx, AuditEntry{
		PrincipalID: d.By.ID, PartnerID: d.PartnerID, Action: "deposit.recorded", TargetKind: "deposit", TargetID: id,
		Detail: map[string]any{"amount": d.Amount, "transaction_id": d.TransactionID, "posting_id": posting.ID},
	}); err != nil {
		return Deposit{}, err
	}
	return row.toDeposit(), nil
}

func deposit(ctx context.Context, q sqlx.QueryerContext, id string) (Deposit, error) {
	var row depositRow
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+depositColumns+` FROM money_deposits WHERE id = $1`, id)
	return row.toDeposit(), notFoundIfNoRows(err)
}

// Deposit reads one deposit.
func (s *Store) Deposit(ctx context.Context, id string) (Deposit, error) {
	return deposit(ctx, s.db, id)
}

// ListDeposits returns page p of a partner's deposits, newest first, and
// the cursor of the next page ("" on the last).
func (s *Store) ListDeposits(ctx context.Context, partnerID string, p Page) ([]Deposit, string, error) {
	q := listQuery{from: `SELECT ` + depositColumns + ` FROM money_deposits`, order: newestFirst("recorded_at", "id")}
	q.and("partner_id = %s", partnerID)
	rows, next, err := selectPage(ctx, s, q, p, func(r depositRow) []any { return []any{r.RecordedAt, r.ID} })
	return listOf(rows, depositRow.toDeposit), next, err
}
