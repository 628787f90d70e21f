package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/rules"
)

// The recorded movements of money, each with a transaction ID and who made
// it: deposits (the vendor records money a partner paid in) and account
// adjustments (调账: a partner allocates funds to a resale customer or
// reclaims them). Each is one posting of the ledger (ledger.go), written in
// the same transaction as its record, its audit entry and its idempotency key.

var (
	// ErrDuplicateTransactionID is a transaction ID the partner already used
	// for a deposit or an adjustment.
	ErrDuplicateTransactionID = errors.New("this transaction ID was already used for a deposit or adjustment of the partner")
	// ErrNotResaleCustomer is an adjustment for a customer that is not a
	// resale sub-customer.
	ErrNotResaleCustomer = errors.New("only resale sub-customers can receive account adjustments")
)

// Operator is who made a write, as records show it.
type Operator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OperatorOf is the principal as records show it.
func OperatorOf(p Principal) Operator { return Operator{ID: p.ID, Name: p.Name} }

// txnReference is the posting reference of a transaction ID: one namespace
// per partner, shared by its deposits and adjustments.
func txnReference(partnerID, transactionID string) string {
	return "txn:" + partnerID + ":" + transactionID
}

// isUniqueViolation reports whether err is PostgreSQL refusing a duplicate key.
func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505"
}

// Adjustment is an account adjustment (调账) record.
type Adjustment struct {
	ID            string                    `json:"id"`
	PartnerID     string                    `json:"partner_id"`
	CustomerID    string                    `json:"customer_id"`
	Operation     rules.AdjustmentOperation `json:"operation"`
	Amount        rules.Money               `json:"amount"`
	ApplyScenes   []string                  `json:"apply_scenes"`
	TransactionID string                    `json:"transaction_id"`
	Memo          string                    `json:"memo"`
	OperatedAt    time.Time                 `json:"operated_at"`
	OperatedBy    Operator                  `json:"operated_by"`
}

type adjustmentRow struct {
	ID             string         `db:"id"`
	PartnerID      string         `db:"partner_id"`
	CustomerID     string         `db:"customer_id"`
	Operation      string         `db:"operation"`
	Amount         int64          `db:"amount"`
	Currency       string         `db:"currency"`
	ApplyScenes    pq.StringArray `db:"apply_scenes"`
	TransactionID  string         `db:"transaction_id"`
	Memo           string         `db:"memo"`
	OperatedByID   string         `db:"operated_by_id"`
	OperatedByName string         `db:"operated_by_name"`
	OperatedAt     time.Time      `db:"operated_at"`
}

const adjustmentColumns = `id, partner_id, customer_id, operation, amount, currency, apply_scenes, transaction_id, memo,
	operated_by_id, operated_by_name, operated_at`

func (r adjustmentRow) toAdjustment() Adjustment {
	scenes := []string(r.ApplyScenes)
	if scenes == nil {
		scenes = []string{}
	}
	return Adjustment{
		ID: r.ID, PartnerID: r.PartnerID, CustomerID: r.CustomerID, Operation: rules.AdjustmentOperation(r.Operation),
		Amount: rules.Money{Amount: r.Amount, Currency: r.Currency}, ApplyScenes: scenes,
		TransactionID: r.TransactionID, Memo: r.Memo, OperatedAt: r.OperatedAt.UTC(),
		OperatedBy: Operator{ID: r.OperatedByID, Name: r.OperatedByName},
	}
}

// NewAdjustment is what an adjustment needs; the fields are valid
// (rules.AdjustmentRequest, normalized).
type NewAdjustment struct {
	PartnerID     string
	CustomerID    string
	Operation     rules.AdjustmentOperation
	Amount        rules.Money
	ApplyScenes   []string
	TransactionID string
	Memo          string
	By            Operator
}

// CreateAdjustment records an allocation (partner -> customer) or a reclaim
// (customer -> partner) and moves the money, with its audit entry and
// idempotency key, in one transaction. The customer must be the partner's
// resale customer (else ErrNotFound, or ErrNotResaleCustomer); the account
// taken from must hold the amount (else *InsufficientBalanceError); the
// transaction ID must be new for the partner (else
// ErrDuplicateTransactionID); an allocation's partner must not be leaving
// the program (else *PartnerExitingError). A refused adjustment writes nothing. The
// Idempotency-Key rules are CreateDeposit's.
func (s *Store) CreateAdjustment(ctx context.Context, a NewAdjustment, idem *Idempotency) (Adjustment, bool, error) {
	if !a.Operation.Requestable() {
		return Adjustment{}, false, fmt.Errorf("CreateAdjustment: operation %q is not allocate or reclaim", a.Operation)
	}
	id := NewID("adj")
	return createIdempotently(ctx, s, idem, id, adjustment, func(tx *sqlx.Tx) (Adjustment, error) {
		return adjust(ctx, tx, id, a)
	})
}

// customerAssociation is the part of a customer an adjustment depends on.
type customerAssociation struct {
	PartnerID       sql.NullString `db:"partner_id"`
	AssociationMode sql.NullString `db:"association_mode"`
}

// adjust writes an adjustment in tx.
func adjust(ctx context.Context, tx *sqlx.Tx, id string, a NewAdjustment) (Adjustment, error) {
	// An allocation binds money to a partner that must still be in the
	// program (its row is locked first); a reclaim is how an exiting
	// partner clears it.
	if a.Operation.ToCustomer() {
		if err := holdActivePartner(ctx, tx, a.PartnerID); err != nil {
			return Adjustment{}, err
		}
	}
	// The customer must still be the partner's (resale) customer when the
	// money moves: FOR SHARE keeps a concurrent dissociation from changing
	// that until this transaction ends. It is locked before the accounts.
	var cust customerAssociation
	err := tx.GetContext(ctx, &cust, `
		SELECT partner_id, association_mode FROM customers WHERE id = $1 FOR SHARE`, a.CustomerID)
	if err != nil {
		return Adjustment{}, notFoundIfNoRows(err)
	}
	if cust.PartnerID.String != a.PartnerID {
		return Adjustment{}, ErrNotFound
	}
	if a.Operation != rules.ReclaimOnUnbind && rules.AdjustmentCustomerProblem(cust.AssociationMode.String) != "" {
		return Adjustment{}, ErrNotResaleCustomer
	}
	// An allocation's money is earmarked for its scenes; a reclaim takes
	// back from the money earmarked for the scenes it names; the reclaim on
	// unbind takes everything the customer holds in the currency.
	from, to := PartnerAccount(a.PartnerID), EarmarkedAccount(a.PartnerID, a.CustomerID, a.ApplyScenes)
	if !a.Operation.ToCustomer() {
		from, to = to, from
	}
	req := PostingRequest{
		Kind: PostingKind(a.Operation), Reference: txnReference(a.PartnerID, a.TransactionID),
		From: from, To: to, Amount: a.Amount, Memo: a.Memo,
	}
	var posting Posting
	var again bool
	if a.Operation == rules.ReclaimOnUnbind {
		posting, again, err = drainCustomer(ctx, tx, req)
	} else {
		posting, again, err = post(ctx, tx, req)
	}
	if again || errors.Is(err, ErrPostingConflict) {
		return Adjustment{}, ErrDuplicateTransactionID
	}
	if err != nil {
		return Adjustment{}, err
	}
	scenes := a.ApplyScenes
	if scenes == nil {
		scenes = []string{}
	}
	var row adjustmentRow
	err = tx.GetContext(ctx, &row, `
		INSERT INTO account_adjustments (id, partner_id, customer_id, posting_id, operation, amount, currency,
		                                 apply_scenes, transaction_id, memo, operated_by_id, operated_by_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+adjustmentColumns,
		id, a.PartnerID, a.CustomerID, posting.ID, a.Operation, a.Amount.Amount, a.Amount.Currency,
		pq.StringArray(scenes), a.TransactionID, a.Memo, a.By.ID, a.By.Name)
	if isUniqueViolation(err) {
		return Adjustment{}, ErrDuplicateTransactionID
	}
	if err != nil {
		return Adjustment{}, err
	}
	if err := recordAudit(ctx, tx, AuditEntry{
		PrincipalID: a.By.ID, PartnerID: a.PartnerID, Action: "adjustment." + string(a.Operation),
		TargetKind: "adjustment", TargetID: id,
		Detail: map[string]any{
			"customer_id": a.CustomerID, "amount": a.Amount, "apply_scenes": scenes,
			"transaction_id": a.TransactionID, "posting_id": posting.ID,
		},
	}); err != nil {
		return Adjustment{}, err
	}
	return row.toAdjustment(), nil
}

// reclaimOnUnbind moves everything a customer holds from a partner back to
// it when the customer is dissociated (DissociateCustomer): one
// reclaim_on_unbind adjustment per currency with a balance, in tx, while the
// customer is still associated. reference names the dissociation (at most
// 53 characters) and makes it idempotent: with the same reference again, a
// currency already reclaimed is not reclaimed again. It returns the
// adjustments it made.
func reclaimOnUnbind(ctx context.Context, tx *sqlx.Tx, partnerID, customerID, reference string, by Operator) ([]Adjustment, error) {
	// Locking the customer row (the lock the dissociation's UPDATE takes)
	// waits for adjustments in flight (they hold it FOR SHARE) and keeps new
	// ones out until this transaction ends.
	var cust customerAssociation
	if err := tx.GetContext(ctx, &cust, `
		SELECT partner_id, association_mode FROM customers WHERE id = $1 FOR NO KEY UPDATE`, customerID); err != nil {
		return nil, notFoundIfNoRows(err)
	}
	if cust.PartnerID.String != partnerID {
		return nil, ErrNotFound
	}
	var currencies []string
	if err := tx.SelectContext(ctx, &currencies, `
		SELECT DISTINCT currency FROM money_accounts
		WHERE kind = 'customer' AND partner_id = $1 AND customer_id = $2 AND balance > 0
		ORDER BY currency`, partnerID, customerID); err != nil {
		return nil, err
	}
	made := []Adjustment{}
	for _, currency := range currencies {
		// Read the balance to reclaim under the locks the posting takes
		// (the partner's account and every part of the customer's money,
		// in ID order), so it is the balance moved.
		balance, _, err := lockCustomerMoney(ctx, tx, partnerID, customerID, currency)
		if err != nil {
			return nil, err
		}
		if balance <= 0 {
			continue
		}
		transactionID := "unbind:" + reference + ":" + currency
		if p := rules.TransactionIDProblem(transactionID); p != "" {
			return nil, fmt.Errorf("reclaim on unbind: reference %q: transaction ID %s", reference, p)
		}
		var kind string
		err = tx.GetContext(ctx, &kind, `SELECT kind FROM money_postings WHERE reference = $1`,
			txnReference(partnerID, transactionID))
		switch {
		case err == nil && kind == string(PostingReclaimOnUnbind):
			continue // reclaimed before under this reference
		case err == nil:
			return nil, ErrDuplicateTransactionID
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		adj, err := adjust(ctx, tx, NewID("adj"), NewAdjustment{
			PartnerID: partnerID, CustomerID: customerID, Operation: rules.ReclaimOnUnbind,
			Amount:      rules.Money{Amount: balance, Currency: currency},
			ApplyScenes: []string{}, TransactionID: transactionID,
			Memo: "reclaimed when the customer was dissociated", By: by,
		})
		if err != nil {
			return nil, err
		}
		made = append(made, adj)
	}
	return made, nil
}

func adjustment(ctx context.Context, q sqlx.QueryerContext, id string) (Adjustment, error) {
	var row adjustmentRow
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+adjustmentColumns+` FROM account_adjustments WHERE id = $1`, id)
	return row.toAdjustment(), notFoundIfNoRows(err)
}

// Adjustment reads one adjustment.
func (s *Store) Adjustment(ctx context.Context, id string) (Adjustment, error) {
	return adjustment(ctx, s.db, id)
}

// AdjustmentFilter narrows the adjustment list; zero values do not filter.
type AdjustmentFilter struct {
	PartnerID  string
	CustomerID string
}

// ListAdjustments returns page p of the adjustments f lets through, newest
// first, and the cursor of the next page ("" on the last).
func (s *Store) ListAdjustments(ctx context.Context, f AdjustmentFilter, p Page) ([]Adjustment, string, error) {
	q := listQuery{from: `SELECT ` + adjustmentColumns + ` FROM account_adjustments`, order: newestFirst("operated_at", "id")}
	if f.PartnerID != "" {
		q.and("partner_id = %s", f.PartnerID)
	}
	if f.CustomerID != "" {
		q.and("customer_id = %s", f.CustomerID)
	}
	rows, next, err := selectPage(ctx, s, q, p, func(r adjustmentRow) []any { return []any{r.OperatedAt, r.ID} })
	return listOf(rows, adjustmentRow.toAdjustment), next, err
}
