package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/rules"
)

// The ledger: accounts with balances, and postings, each two entries that
// sum to zero, written in the transaction that updates the balances. The
// ledger is append-only (the schema refuses UPDATE and DELETE of postings
// and entries); a correction is a new posting.
//
// Concurrency. A posting locks the rows of the accounts it moves money
// between with SELECT ... FOR NO KEY UPDATE, always in ascending account ID
// order, so two postings that share accounts wait for each other instead of
// deadlocking, and the balance it checks is the balance it updates (READ
// COMMITTED re-reads the newest committed row once the lock is granted).
// NO KEY UPDATE, not FOR UPDATE: the rows referencing an account (postings,
// entries) take FOR KEY SHARE locks on it for their foreign keys, which FOR
// UPDATE would conflict with (two postings each holding the key-share lock
// the other's FOR UPDATE waits for: a deadlock); NO KEY UPDATE excludes
// every other balance change and nothing else, like the UPDATE itself.
// We chose row locks over SERIALIZABLE with retries: contention is confined
// to one partner's accounts (each partner has its own vendor accounts), the
// waiting is short, and no caller has to retry, so 50 allocations racing for
// one balance all get a definite answer in one try. Whatever else a money
// transaction locks (the customer row an adjustment checks) it locks before
// the accounts.

// AccountKind is whose money an account holds.
type AccountKind string

const (
	// AccountVendorFunding mirrors the money a partner paid the vendor: a
	// deposit moves funds from it to the partner. It is the one account
	// whose balance goes negative.
	AccountVendorFunding AccountKind = "vendor_funding"
	// AccountVendorRevenue receives what a partner pays for its customers' orders.
	AccountVendorRevenue AccountKind = "vendor_revenue"
	// AccountPartner is a partner's own funds.
	AccountPartner AccountKind = "partner"
	// AccountCustomer is what a partner allocated to a resale customer.
	AccountCustomer AccountKind = "customer"
	// AccountVendorIncentive is the vendor's account that pays a partner's
	// incentive settlements; like vendor funding it mirrors money from
	// outside the books, and its balance goes negative.
	AccountVendorIncentive AccountKind = "vendor_incentive"
)

// mirrorsOutside reports whether an account of kind k mirrors money from
// outside the books, and so may go negative.
func (k AccountKind) mirrorsOutside() bool {
	return k == AccountVendorFunding || k == AccountVendorIncentive
}

// AccountRef names an account by its owner; a currency completes it. Every
// account belongs to one partner's books: its own, its customers' (funded
// by it), and the vendor accounts facing it.
type AccountRef struct {
	Kind       AccountKind
	PartnerID  string
	CustomerID string // only for AccountCustomer
	// Scenes, only for AccountCustomer, are the usage scenes its money is
	// earmarked for, canonical (rules.CanonicalScenes) and joined by
	// newlines (which no scene contains); "" is unrestricted money.
	Scenes string
}

// PartnerAccount is a partner's own account.
func PartnerAccount(partnerID string) AccountRef {
	return AccountRef{Kind: AccountPartner, PartnerID: partnerID}
}

// CustomerAccount is a customer's account of unrestricted money funded by a partner.
func CustomerAccount(partnerID, customerID string) AccountRef {
	return AccountRef{Kind: AccountCustomer, PartnerID: partnerID, CustomerID: customerID}
}

// EarmarkedAccount is a customer's account of money a partner allocated for
// scenes (the products it may buy); no scenes is CustomerAccount.
func EarmarkedAccount(partnerID, customerID string, scenes []string) AccountRef {
	ref := CustomerAccount(partnerID, customerID)
	ref.Scenes = strings.Join(rules.CanonicalScenes(scenes), "\n")
	return ref
}

// VendorFundingAccount is the vendor's account that deposits of a partner come from.
func VendorFundingAccount(partnerID string) AccountRef {
	return AccountRef{Kind: AccountVendorFunding, PartnerID: partnerID}
}

// VendorRevenueAccount is the vendor's account that a partner's payments go to.
func VendorRevenueAccount(partnerID string) AccountRef {
	return AccountRef{Kind: AccountVendorRevenue, PartnerID: partnerID}
}

// PostingKind is what a movement is for.
type PostingKind string

const (
	PostingDeposit         PostingKind = "deposit"           // vendor funding -> partner
	PostingAllocate        PostingKind = "allocate"          // partner -> customer
	PostingReclaim         PostingKind = "reclaim"           // customer -> partner
	PostingReclaimOnUnbind PostingKind = "reclaim_on_unbind" // customer -> partner, on dissociation
	PostingPartnerDebit    PostingKind = "partner_debit"     // partner -> vendor revenue (paying an order)
	PostingReversal        PostingKind = "reversal"          // undoes another posting (compensation)
	PostingIncentivePayout PostingKind = "incentive_payout"  // vendor incentive -> partner (a settlement paid)
	PostingWithdrawal      PostingKind = "withdrawal"        // partner -> vendor funding (paid back out to the partner)
)

// PostingRequest is one movement of money between two accounts of one
// partner's books.
type PostingRequest struct {
	Kind PostingKind
	// Reference is the idempotency reference: posting the same reference
	// twice moves money once. Deposits and adjustments use their
	// transaction ID (see txnReference).
	Reference string
	From, To  AccountRef
	Amount    rules.Money // > 0
	Memo      string
}

// Posting is a recorded movement.
type Posting struct {
	ID              string      `db:"id" json:"id"`
	Kind            PostingKind `db:"kind" json:"kind"`
	Reference       string      `db:"reference" json:"reference"`
	PartnerID       string      `db:"partner_id" json:"partner_id"`
	DebitAccountID  string      `db:"debit_account_id" json:"debit_account_id"`
	CreditAccountID string      `db:"credit_account_id" json:"credit_account_id"`
	Amount          rules.Money `db:"-" json:"amount"`
	Reverses        string      `db:"-" json:"reverses,omitempty"`
	Memo            string      `db:"memo" json:"memo"`
	CreatedAt       time.Time   `db:"created_at" json:"created_at"`
}

// postingRow is a row of money_postings.
type postingRow struct {
	Posting
	AmountMinor int64          `db:"amount"`
	Currency    string         `db:"currency"`
	ReversesID  sql.NullString `db:"reverses"`
}

const postingColumns = `id, kind, reference, partner_id, debit_account_id, credit_account_id, amount, currency, reverses, memo, created_at`

func (r postingRow) toPosting() Posting {
	p := r.Posting
	p.Amount = rules.Money{Amount: r.AmountMinor, Currency: r.Currency}
	p.Reverses = r.ReversesID.String
	p.CreatedAt = p.CreatedAt.UTC()
	return p
}

// ErrInsufficientBalance is matched (errors.Is) by every *InsufficientBalanceError.
var ErrInsufficientBalance = errors.New("insufficient balance")

// InsufficientBalanceError is a movement refused because the account it
// takes from holds less than asked. Nothing was written.
type InsufficientBalanceError struct {
	Account   AccountKind
	Available rules.Money // what may pay for it
	Asked     rules.Money
	// For a charge to a customer's money: the product charged, and every
	// part of the customer's money (what each may buy).
	Product string
	Parts   []BalancePart
	// For a movement out of money earmarked for scenes: those scenes.
	Scenes []string
}

func (e *InsufficientBalanceError) Error() string {
	short := rules.Money{Amount: e.Asked.Amount - e.Available.Amount, Currency: e.Asked.Currency}
	switch {
	case e.Product != "":
		parts := make([]string, 0, len(e.Parts))
		for _, p := range e.Parts {
			parts = append(parts, p.Amount.Major()+" for "+rules.ScenesText(p.Scenes))
		}
		holds := "nothing"
		if len(parts) > 0 {
			holds = strings.Join(parts, "; ")
		}
		return fmt.Sprintf("insufficient balance for %s: %s asked, %s may pay for it, %s short; the customer holds %s",
			e.Product, e.Asked.Major(), e.Available.Major(), short.Major(), holds)
	case len(e.Scenes) > 0:
		return fmt.Sprintf("insufficient balance: the %s account holds %s earmarked for %s, %s asked, %s short",
			e.Account, e.Available.Major(), rules.ScenesText(e.Scenes), e.Asked.Major(), short.Major())
	}
	return fmt.Sprintf("insufficient balance: the %s account holds %s, %s asked, %s short",
		e.Account, e.Available.Major(), e.Asked.Major(), short.Major())
}

// Is makes errors.Is(err, ErrInsufficientBalance) hold.
func (e *InsufficientBalanceError) Is(target error) bool { return target == ErrInsufficientBalance }

var (
	// ErrPostingConflict is a reference posted before with another movement
	// (other accounts, amount or kind).
	ErrPostingConflict = errors.New("this posting reference was already used for another movement")
	// ErrBalanceLimit is a movement that would take a balance past what an
	// account can hold.
	ErrBalanceLimit = errors.New("the balance would exceed the largest amount an account can hold")
)

// Post moves money once per reference: it writes the posting, its two
// ledger entries and both balance updates in one transaction, refusing
// (*InsufficientBalanceError, nothing written) to take more than an account
// holds. Posting a reference again moves nothing and returns the first
// posting with replayed true, or ErrPostingConflict when the movement
// differs. It is the primitive every movement is made of.
func (s *Store) Post(ctx context.Context, req PostingRequest) (p Posting, replayed bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		p, replayed, err = post(ctx, tx, req)
		return err
	})
	return p, replayed, err
}

// DebitPartner takes amount from the partner's account for the vendor
// (paying a customer's order), exactly once per reference (e.g.
// "order:ord_1"): calling it again with the same reference moves nothing and
// returns the first posting with replayed true. It fails with
// *InsufficientBalanceError, writing nothing, when the partner holds less.
// ReversePosting undoes it when what it paid for could not be completed.
func (s *Store) DebitPartner(ctx context.Context, partnerID string, amount rules.Money, reference, memo string) (Posting, bool, error) {
	if reference == "" {
		return Posting{}, false, errors.New("DebitPartner: the reference is required")
	}
	return s.Post(ctx, PostingRequest{
		Kind: PostingPartnerDebit, Reference: "debit:" + reference,
		From: PartnerAccount(partnerID), To: VendorRevenueAccount(partnerID), Amount: amount, Memo: memo,
	})
}

// ReversePosting compensates a posting: it moves the same amounts back
// between the same accounts (each entry's opposite), at most once per
// posting (a second call returns the first reversal with replayed true). A
// reversal cannot itself be reversed.
func (s *Store) ReversePosting(ctx context.Context, postingID, memo string) (p Posting, replayed bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var orig postingRow
		if err := tx.GetContext(ctx, &orig, `SELECT `+postingColumns+` FROM money_postings WHERE id = $1`, postingID); err != nil {
			return notFoundIfNoRows(err)
		}
		if orig.Kind == PostingReversal {
			return fmt.Errorf("posting %s is a reversal and cannot be reversed", postingID)
		}
		var entries []leg
		if err := tx.SelectContext(ctx, &entries, `
			SELECT account_id, -amount AS delta FROM ledger_entries WHERE posting_id = $1 ORDER BY id`, postingID); err != nil {
			return err
		}
		o := orig.toPosting()
		p, replayed, err = postLegs(ctx, tx, movement{
			kind: PostingReversal, reference: "reversal:" + o.ID, partnerID: o.PartnerID, currency: o.Amount.Currency,
			legs: entries, memo: memo, reverses: o.ID,
		})
		return err
	})
	return p, replayed, err
}

// post is Post inside tx: it creates the accounts when they do not exist yet
// (in a fixed order, so concurrent creations never deadlock), then posts.
func post(ctx context.Context, tx *sqlx.Tx, req PostingRequest) (Posting, bool, error) {
	if req.From.PartnerID == "" || req.From.PartnerID != req.To.PartnerID {
		return Posting{}, false, fmt.Errorf("post %s: both accounts must be in one partner's books", req.Reference)
	}
	if req.From == req.To {
		return Posting{}, false, fmt.Errorf("post %s: the accounts must differ", req.Reference)
	}
	if problems := req.Amount.ValidateMovement("amount"); len(problems) > 0 {
		return Posting{}, false, fmt.Errorf("post %s: %w", req.Reference, problems)
	}
	refs := []AccountRef{req.From, req.To}
	slices.SortFunc(refs, func(a, b AccountRef) int {
		return cmp.Compare(string(a.Kind)+"|"+a.CustomerID+"|"+a.Scenes, string(b.Kind)+"|"+b.CustomerID+"|"+b.Scenes)
	})
	ids := map[AccountRef]string{}
	for _, ref := range refs {
		id, err := ensureAccount(ctx, tx, ref, req.Amount.Currency)
		if err != nil {
			return Posting{}, false, err
		}
		ids[ref] = id
	}
	p, again, err := postLegs(ctx, tx, movement{
		kind: req.Kind, reference: req.Reference, partnerID: req.From.PartnerID, currency: req.Amount.Currency,
		legs: []leg{{ids[req.From], -req.Amount.Amount}, {ids[req.To], req.Amount.Amount}}, memo: req.Memo,
	})
	var short *InsufficientBalanceError
	if errors.As(err, &short) && req.From.Scenes != "" {
		short.Scenes = strings.Split(req.From.Scenes, "\n")
	}
	return p, again, err
}

// ensureAccount returns the ID of the account, creating it with a zero
// balance when it does not exist (a concurrent creation waits for the
// first to commit and then finds it).
func ensureAccount(ctx context.Context, tx *sqlx.Tx, ref AccountRef, currency string) (string, error) {
	const find = `SELECT id FROM money_accounts
		WHERE kind = $1 AND partner_id = $2 AND COALESCE(customer_id, '') = $3 AND currency = $4
		  AND scenes = string_to_array($5, E'\n')`
	var id string
	err := tx.GetContext(ctx, &id, find, ref.Kind, ref.PartnerID, ref.CustomerID, currency, ref.Scenes)
	if !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	err = tx.GetContext(ctx, &id, `
		INSERT INTO money_accounts (id, kind, partner_id, customer_id, currency, scenes)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, string_to_array($6, E'\n')) ON CONFLICT DO NOTHING RETURNING id`,
		NewID("acc"), ref.Kind, ref.PartnerID, ref.CustomerID, currency, ref.Scenes)
	if errors.Is(err, sql.ErrNoRows) { // created meanwhile by a transaction that has committed
		err = tx.GetContext(ctx, &id, find, ref.Kind, ref.PartnerID, ref.CustomerID, currency, ref.Scenes)
	}
	return id, err
}

// leg is one entry of a posting: an account and the signed amount it moves
// (negative leaves the account).
type leg struct {
	Account string `db:"account_id"`
	Delta   int64  `db:"delta"`
}

// movement is one posting to write: its legs sum to zero; the first leg
// taking money is its debit account, the first receiving it its credit
// account, and what the receiving legs receive its amount.
type movement struct {
	kind                           PostingKind
	reference, partnerID, currency string
	legs                           []leg
	memo, reverses                 string
	// anyDebit: a replay may have drawn from other accounts (a charge
	// splits over the customer's money as the balances stood then).
	anyDebit bool
}

// postLegs writes one posting: it claims the reference, locks the accounts
// in ID order, checks every balance taken from, updates the balances and
// writes the entries.
func postLegs(ctx context.Context, tx *sqlx.Tx, m movement) (Posting, bool, error) {
	if m.reference == "" {
		return Posting{}, false, errors.New("post: the reference is required")
	}
	var debit, credit string
	var total, sum int64
	ids := make([]string, len(m.legs))
	for i, l := range m.legs {
		ids[i], sum = l.Account, sum+l.Delta
		switch {
		case l.Delta < 0 && debit == "":
			debit = l.Account
		case l.Delta > 0:
			total += l.Delta
			if credit == "" {
				credit = l.Account
			}
		}
	}
	amount := rules.Money{Amount: total, Currency: m.currency}
	if problems := amount.ValidateMovement("amount"); len(problems) > 0 {
		return Posting{}, false, fmt.Errorf("post %s: %w", m.reference, problems)
	}
	if sum != 0 || debit == "" || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		return Posting{}, false, fmt.Errorf("post %s: the legs must be distinct accounts summing to zero", m.reference)
	}
	var row postingRow
	err := tx.GetContext(ctx, &row, `
		INSERT INTO money_postings (id, kind, reference, partner_id, debit_account_id, credit_account_id,
		                            amount, currency, reverses, memo)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), $10)
		ON CONFLICT (reference) DO NOTHING RETURNING `+postingColumns,
		NewID("pst"), m.kind, m.reference, m.partnerID, debit, credit, amount.Amount, amount.Currency, m.reverses, m.memo)
	if errors.Is(err, sql.ErrNoRows) {
		// Posted before (a concurrent posting of the reference waited for
		// the first to commit): the same movement is a replay.
		if err := tx.GetContext(ctx, &row, `SELECT `+postingColumns+` FROM money_postings WHERE reference = $1`, m.reference); err != nil {
			return Posting{}, false, err
		}
		p := row.toPosting()
		if !p.sameMovement(m, debit, credit, amount) {
			return p, false, ErrPostingConflict
		}
		return p, true, nil
	}
	if err != nil {
		return Posting{}, false, err
	}

	locked, err := lockAccounts(ctx, tx, ids...)
	if err != nil {
		return Posting{}, false, err
	}
	for _, l := range m.legs {
		a := locked[l.Account]
		switch {
		case l.Delta < 0 && !a.Kind.mirrorsOutside() && a.Balance < -l.Delta:
			return Posting{}, false, &InsufficientBalanceError{
				Account:   a.Kind,
				Available: rules.Money{Amount: a.Balance, Currency: m.currency},
				Asked:     rules.Money{Amount: -l.Delta, Currency: m.currency},
			}
		case l.Delta < 0 && a.Balance < math.MinInt64-l.Delta, l.Delta > 0 && a.Balance > math.MaxInt64-l.Delta:
			return Posting{}, false, ErrBalanceLimit
		}
	}
	for _, l := range m.legs {
		var after int64
		if err := tx.GetContext(ctx, &after, `
			UPDATE money_accounts SET balance = balance + $2, updated_at = now() WHERE id = $1 RETURNING balance`,
			l.Account, l.Delta); err != nil {
			return Posting{}, false, err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO ledger_entries (posting_id, account_id, partner_id, amount, currency, balance_after)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			row.ID, l.Account, m.partnerID, l.Delta, m.currency, after); err != nil {
			return Posting{}, false, err
		}
	}
	return row.toPosting(), false, nil
}

// sameMovement reports whether p, posted before under m's reference, is the
// movement m asks for (its debit account aside when m.anyDebit).
func (p Posting) sameMovement(m movement, debit, credit string, amount rules.Money) bool {
	return p.Kind == m.kind && p.PartnerID == m.partnerID && (m.anyDebit || p.DebitAccountID == debit) &&
		p.CreditAccountID == credit && p.Amount == amount && p.Reverses == m.reverses
}

// lockedAccount is an account row locked for the transaction.
type lockedAccount struct {
	Kind    AccountKind `db:"kind"`
	Balance int64       `db:"balance"`
}

// lockAccounts locks the accounts' rows (FOR NO KEY UPDATE) in ascending ID order,
// the one order every money transaction locks accounts in, and returns them
// as they are now. Locking a row the transaction holds already is free.
func lockAccounts(ctx context.Context, tx *sqlx.Tx, ids ...string) (map[string]lockedAccount, error) {
	order := slices.Clone(ids)
	slices.Sort(order)
	locked := make(map[string]lockedAccount, len(order))
	for _, id := range slices.Compact(order) {
		var a lockedAccount
		if err := tx.GetContext(ctx, &a, `SELECT kind, balance FROM money_accounts WHERE id = $1 FOR NO KEY UPDATE`, id); err != nil {
			return nil, err
		}
		locked[id] = a
	}
	return locked, nil
}

// PartnerBalances returns the balances of a partner's own accounts, one per
// currency it ever held, by currency.
func (s *Store) PartnerBalances(ctx context.Context, partnerID string) ([]rules.Money, error) {
	return s.balances(ctx, `
		SELECT balance AS amount, currency FROM money_accounts
		WHERE kind = 'partner' AND partner_id = $1 ORDER BY currency`, partnerID)
}

// CustomerBalances returns what a customer holds, per currency (summed over
// the partners that funded it), by currency.
func (s *Store) CustomerBalances(ctx context.Context, customerID string) ([]rules.Money, error) {
	return s.balances(ctx, `
		SELECT sum(balance)::bigint AS amount, currency FROM money_accounts
		WHERE kind = 'customer' AND customer_id = $1 GROUP BY currency ORDER BY currency`, customerID)
}

func (s *Store) balances(ctx context.Context, query, id string) ([]rules.Money, error) {
	var rows []struct {
		Amount   int64  `db:"amount"`
		Currency string `db:"currency"`
	}
	if err := s.db.SelectContext(ctx, &rows, query, id); err != nil {
		return nil, err
	}
	out := make([]rules.Money, len(rows))
	for i, r := range rows {
		out[i] = rules.Money{Amount: r.Amount, Currency: r.Currency}
	}
	return out, nil
}

// LedgerEntry is one side of a posting.
type LedgerEntry struct {
	ID           int64       `json:"id"`
	PostingID    string      `json:"posting_id"`
	PostingKind  PostingKind `json:"posting_kind"`
	Reference    string      `json:"reference"`
	AccountID    string      `json:"account_id"`
	AccountKind  AccountKind `json:"account_kind"`
	CustomerID   string      `json:"customer_id,omitempty"`
	Amount       rules.Money `json:"amount"` // signed: negative left the account
	BalanceAfter int64       `json:"balance_after"`
	CreatedAt    time.Time   `json:"created_at"`
}

// LedgerEntries returns page p of the entries of a partner's books (its
// own, its customers' and the vendor accounts facing it), newest first, and
// the cursor of the next page ("" on the last).
func (s *Store) LedgerEntries(ctx context.Context, partnerID string, p Page) ([]LedgerEntry, string, error) {
	type entryRow struct {
		ID           int64          `db:"id"`
		PostingID    string         `db:"posting_id"`
		PostingKind  PostingKind    `db:"posting_kind"`
		Reference    string         `db:"reference"`
		AccountID    string         `db:"account_id"`
		AccountKind  AccountKind    `db:"account_kind"`
		CustomerID   sql.NullString `db:"customer_id"`
		Amount       int64          `db:"amount"`
		Currency     string         `db:"currency"`
		BalanceAfter int64          `db:"balance_after"`
		CreatedAt    time.Time      `db:"created_at"`
	}
	q := listQuery{
		from: `SELECT e.id, e.posting_id, p.kind AS posting_kind, p.reference, e.account_id, a.kind AS account_kind,
		       a.customer_id, e.amount, e.currency, e.balance_after, e.created_at
		FROM ledger_entries e
		JOIN money_postings p ON p.id = e.posting_id
		JOIN money_accounts a ON a.id = e.account_id`,
		order: keyset{columns: []keyColumn{{"e.id", keyInt}}, desc: true},
	}
	q.and("e.partner_id = %s", partnerID)
	rows, next, err := selectPage(ctx, s, q, p, func(r entryRow) []any { return []any{r.ID} })
	return listOf(rows, func(r entryRow) LedgerEntry {
		return LedgerEntry{
			ID: r.ID, PostingID: r.PostingID, PostingKind: r.PostingKind, Reference: r.Reference,
			AccountID: r.AccountID, AccountKind: r.AccountKind, CustomerID: r.CustomerID.String,
			Amount:       rules.Money{Amount: r.Amount, Currency: r.Currency},
			BalanceAfter: r.BalanceAfter, CreatedAt: r.CreatedAt.UTC(),
		}
	}), next, err
}
