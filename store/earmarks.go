package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/rules"
)

// Earmarked money. A customer's money in a partner's books is held per
// scene set: an allocation's apply_scenes name the products its money may
// buy, and it lands in the customer's account for exactly those scenes
// (EarmarkedAccount); the account without scenes holds unrestricted money.
// A charge (an order the customer pays, a renewal) draws from the accounts
// whose scenes cover its product first (the narrowest first), then from the
// unrestricted account, in one posting with an entry per account it takes
// from; it is refused, writing nothing, when they hold too little.

// BalancePart is a part of a customer's money: the amount and the usage
// scenes it may buy (none: any product).
type BalancePart struct {
	Amount rules.Money `json:"amount"`
	Scenes []string    `json:"scenes" doc:"The usage scenes (products) this money may buy; empty: any product"`
}

// pot is one of a customer's accounts in a currency.
type pot struct {
	ID     string         `db:"id"`
	Scenes pq.StringArray `db:"scenes"`
}

// customerPots reads a customer's accounts of currency in the partner's
// books, in the order a charge draws from them: earmarked (fewest scenes
// first) before unrestricted, then by ID.
func customerPots(ctx context.Context, tx *sqlx.Tx, partnerID, customerID, currency string) ([]pot, error) {
	var pots []pot
	err := tx.SelectContext(ctx, &pots, `
		SELECT id, scenes FROM money_accounts
		WHERE kind = 'customer' AND partner_id = $1 AND customer_id = $2 AND currency = $3
		ORDER BY cardinality(scenes) = 0, cardinality(scenes), id`, partnerID, customerID, currency)
	return pots, err
}

// chargeCustomer takes amount for product from the customer's money in the
// partner's books for the vendor (kind customer_debit or renewal), once per
// reference: the same reference again moves nothing and returns the first
// posting with replayed true. The accounts are locked in ID order with the
// vendor's revenue account, so concurrent charges wait for each other and
// never take more than an account holds.
func chargeCustomer(ctx context.Context, tx *sqlx.Tx, kind PostingKind, reference, partnerID, customerID, product string,
	amount rules.Money, memo string) (Posting, bool, error) {
	revenue, err := ensureAccount(ctx, tx, VendorRevenueAccount(partnerID), amount.Currency)
	if err != nil {
		return Posting{}, false, err
	}
	pots, err := customerPots(ctx, tx, partnerID, customerID, amount.Currency)
	if err != nil {
		return Posting{}, false, err
	}
	ids := []string{revenue}
	for _, p := range pots {
		ids = append(ids, p.ID)
	}
	locked, err := lockAccounts(ctx, tx, ids...)
	if err != nil {
		return Posting{}, false, err
	}
	var legs []leg
	var usable int64
	parts := []BalancePart{}
	for _, p := range pots {
		balance := locked[p.ID].Balance
		if balance <= 0 {
			continue
		}
		parts = append(parts, BalancePart{Amount: rules.Money{Amount: balance, Currency: amount.Currency}, Scenes: scenesOf(p.Scenes)})
		if !rules.ScenesCover(p.Scenes, product) {
			continue
		}
		usable += balance
		if take := min(balance, amount.Amount-sumTaken(legs)); take > 0 {
			legs = append(legs, leg{p.ID, -take})
		}
	}
	m := movement{kind: kind, reference: reference, partnerID: partnerID, currency: amount.Currency, memo: memo, anyDebit: true}
	if usable < amount.Amount {
		// A charge made before under the reference is a replay, however
		// the balances stand now.
		m.legs = []leg{{"", -amount.Amount}, {revenue, amount.Amount}}
		if p, again, err := postedBefore(ctx, tx, m); again || err != nil {
			return p, again, err
		}
		return Posting{}, false, &InsufficientBalanceError{
			Account: AccountCustomer, Available: rules.Money{Amount: usable, Currency: amount.Currency}, Asked: amount,
			Product: product, Parts: parts,
		}
	}
	m.legs = append(legs, leg{revenue, amount.Amount})
	return postLegs(ctx, tx, m)
}

// sumTaken is what the legs take so far.
func sumTaken(legs []leg) int64 {
	var n int64
	for _, l := range legs {
		n -= l.Delta
	}
	return n
}

// postedBefore returns the posting made under m's reference, replayed true
// when it is m's movement; ErrPostingConflict when it is another; nothing
// when there is none.
func postedBefore(ctx context.Context, tx *sqlx.Tx, m movement) (Posting, bool, error) {
	var row postingRow
	err := tx.GetContext(ctx, &row, `SELECT `+postingColumns+` FROM money_postings WHERE reference = $1`, m.reference)
	if errors.Is(err, sql.ErrNoRows) {
		return Posting{}, false, nil
	}
	if err != nil {
		return Posting{}, false, err
	}
	p := row.toPosting()
	if !p.sameMovement(m, "", m.legs[len(m.legs)-1].Account, rules.Money{Amount: m.legs[len(m.legs)-1].Delta, Currency: m.currency}) {
		return p, false, ErrPostingConflict
	}
	return p, true, nil
}

// scenesOf is a scene array as answers show it (never nil).
func scenesOf(a pq.StringArray) []string {
	if len(a) == 0 {
		return []string{}
	}
	return slices.Clone([]string(a))
}

// CustomerBalanceParts returns what a customer holds, part by part: per
// currency and usage scenes (summed over the partners that funded it), the
// parts holding money, by currency, unrestricted money first.
func (s *Store) CustomerBalanceParts(ctx context.Context, customerID string) ([]BalancePart, error) {
	var rows []struct {
		Amount   int64          `db:"amount"`
		Currency string         `db:"currency"`
		Scenes   pq.StringArray `db:"scenes"`
	}
	if err := s.db.SelectContext(ctx, &rows, `
		SELECT sum(balance)::bigint AS amount, currency, scenes FROM money_accounts
		WHERE kind = 'customer' AND customer_id = $1 AND balance > 0
		GROUP BY currency, scenes ORDER BY currency, cardinality(scenes), scenes`, customerID); err != nil {
		return nil, err
	}
	parts := make([]BalancePart, len(rows))
	for i, r := range rows {
		parts[i] = BalancePart{Amount: rules.Money{Amount: r.Amount, Currency: r.Currency}, Scenes: scenesOf(r.Scenes)}
	}
	return parts, nil
}

// lockCustomerMoney locks the partner's account and every account of the
// customer's money in currency, in ID order, and returns what the customer
// holds in all and the legs that take it all to the partner's account.
func lockCustomerMoney(ctx context.Context, tx *sqlx.Tx, partnerID, customerID, currency string) (int64, []leg, error) {
	partner, err := ensureAccount(ctx, tx, PartnerAccount(partnerID), currency)
	if err != nil {
		return 0, nil, err
	}
	pots, err := customerPots(ctx, tx, partnerID, customerID, currency)
	if err != nil {
		return 0, nil, err
	}
	ids := []string{partner}
	for _, p := range pots {
		ids = append(ids, p.ID)
	}
	locked, err := lockAccounts(ctx, tx, ids...)
	if err != nil {
		return 0, nil, err
	}
	var total int64
	var legs []leg
	for _, p := range pots {
		if b := locked[p.ID].Balance; b > 0 {
			total += b
			legs = append(legs, leg{p.ID, -b})
		}
	}
	return total, append(legs, leg{partner, total}), nil
}

// drainCustomer posts req, a reclaim on unbind of everything the customer
// (req.From) holds in req.Amount's currency, which must be req.Amount: one
// posting with an entry per part of its money.
func drainCustomer(ctx context.Context, tx *sqlx.Tx, req PostingRequest) (Posting, bool, error) {
	total, legs, err := lockCustomerMoney(ctx, tx, req.To.PartnerID, req.From.CustomerID, req.Amount.Currency)
	if err != nil {
		return Posting{}, false, err
	}
	if total != req.Amount.Amount {
		return Posting{}, false, fmt.Errorf("reclaim on unbind %s: the customer holds %s, not %s",
			req.Reference, rules.Money{Amount: total, Currency: req.Amount.Currency}.Major(), req.Amount.Major())
	}
	return postLegs(ctx, tx, movement{
		kind: req.Kind, reference: req.Reference, partnerID: req.To.PartnerID, currency: req.Amount.Currency,
		legs: legs, memo: req.Memo, anyDebit: true,
	})
}
