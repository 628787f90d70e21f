package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// books is a partner with a resale and a consultative customer and an
// operator, on a fresh database.
type books struct {
	st                      *store.Store
	partner                 string
	resale, consultative    string
	ops, admin              store.Operator
	otherPartner, otherCust string
}

func newBooks(t *testing.T) books {
	t.Helper()
	ctx := context.Background()
	st, _ := testdb.New(t)
	b := books{st: st}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "")
	must(err)
	other, err := st.CreatePartner(ctx, "Nimbus", "cloud_reseller", "")
	must(err)
	b.partner, b.otherPartner = p.ID, other.ID
	for _, c := range []struct {
		id            *string
		partner, mode string
	}{{&b.resale, p.ID, "resale"}, {&b.consultative, p.ID, "consultative"}, {&b.otherCust, other.ID, "resale"}} {
		cust, err := st.CreateCustomer(ctx, "customer", c.partner, c.mode)
		must(err)
		*c.id = cust.ID
	}
	ops, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	must(err)
	admin, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: p.ID})
	must(err)
	b.ops, b.admin = store.OperatorOf(ops), store.OperatorOf(admin)
	return b
}

func cny(n int64) rules.Money { return rules.Money{Amount: n, Currency: "CNY"} }

func (b books) deposit(t *testing.T, amount rules.Money, txid string) store.Deposit {
	t.Helper()
	d, _, err := b.st.CreateDeposit(context.Background(), store.NewDeposit{
		PartnerID: b.partner, Amount: amount, TransactionID: txid, By: b.ops}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (b books) adjust(op rules.AdjustmentOperation, customer string, amount rules.Money, txid string, idem *store.Idempotency) (store.Adjustment, bool, error) {
	return b.st.CreateAdjustment(context.Background(), store.NewAdjustment{
		PartnerID: b.partner, CustomerID: customer, Operation: op, Amount: amount,
		ApplyScenes: []string{"ecs", "obs"}, TransactionID: txid, Memo: "memo", By: b.admin,
	}, idem)
}

func (b books) balance(t *testing.T, customer string) (partner, cust int64) {
	t.Helper()
	ctx := context.Background()
	pb, err := b.st.PartnerBalances(ctx, b.partner)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range pb {
		if m.Currency == "CNY" {
			partner = m.Amount
		}
	}
	cb, err := b.st.CustomerBalances(ctx, customer)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cb {
		if m.Currency == "CNY" {
			cust = m.Amount
		}
	}
	return partner, cust
}

// checkBooks checks the ledger's invariants straight in the tables: every
// posting is two entries or more (a charge split over earmarked money) summing to zero, every account's balance is the
// sum of its entries and its last entry's balance_after, no balance but the
// vendor funding's is negative, and the whole ledger sums to zero.
func checkBooks(t *testing.T, st *store.Store) {
	t.Helper()
	db := st.DB()
	var unbalanced []string
	if err := db.Select(&unbalanced, `
		SELECT p.id FROM money_postings p LEFT JOIN ledger_entries e ON e.posting_id = p.id
		GROUP BY p.id HAVING count(e.id) < 2 OR COALESCE(sum(e.amount), 0) <> 0`); err != nil {
		t.Fatal(err)
	}
	if len(unbalanced) > 0 {
		t.Errorf("postings not two or more entries summing to zero: %v", unbalanced)
	}
	var total int64
	if err := db.Get(&total, `SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries`); err != nil {
		t.Fatal(err)
	}
	if total != 0 {
		t.Errorf("the ledger sums to %d, not 0", total)
	}
	var wrong []string
	if err := db.Select(&wrong, `
		SELECT a.id FROM money_accounts a
		WHERE a.balance <> (SELECT COALESCE(sum(amount), 0) FROM ledger_entries WHERE account_id = a.id)
		   OR a.balance <> COALESCE((SELECT balance_after FROM ledger_entries WHERE account_id = a.id ORDER BY id DESC LIMIT 1), 0)
		   OR (a.kind <> 'vendor_funding' AND a.balance < 0)`); err != nil {
		t.Fatal(err)
	}
	if len(wrong) > 0 {
		t.Errorf("accounts whose balance is not their entries' sum, or negative: %v", wrong)
	}
	var negativeAfter int
	if err := db.Get(&negativeAfter, `
		SELECT count(*) FROM ledger_entries e JOIN money_accounts a ON a.id = e.account_id
		WHERE a.kind <> 'vendor_funding' AND e.balance_after < 0`); err != nil {
		t.Fatal(err)
	}
	if negativeAfter > 0 {
		t.Errorf("%d entries left a balance below zero", negativeAfter)
	}
}

func count(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDoubleEntrySumsToZero(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(1000), "BANK-1")
	b.deposit(t, rules.Money{Amount: 500, Currency: "USD"}, "BANK-2")
	if _, _, err := b.adjust(rules.Allocate, b.resale, cny(300), "ADJ-1", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.adjust(rules.Reclaim, b.resale, cny(100), "ADJ-2", nil); err != nil {
		t.Fatal(err)
	}
	if p, c := b.balance(t, b.resale); p != 800 || c != 200 {
		t.Errorf("balances partner %d customer %d, want 800 and 200", p, c)
	}
	pb, err := b.st.PartnerBalances(ctx, b.partner)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pb, []rules.Money{cny(800), {Amount: 500, Currency: "USD"}}) {
		t.Errorf("partner balances %v", pb)
	}
	entries, next, err := b.st.LedgerEntries(ctx, b.partner, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 8 || next != "" {
		t.Fatalf("%d entries (next %q), want 8: two per movement", len(entries), next)
	}
	sums := map[string]int64{}
	for _, e := range entries {
		sums[e.PostingID] += e.Amount.Amount
	}
	for id, sum := range sums {
		if sum != 0 {
			t.Errorf("posting %s sums to %d", id, sum)
		}
	}
	if newest := entries[0]; newest.PostingKind != store.PostingReclaim || newest.Amount.Currency != "CNY" {
		t.Errorf("newest entry %+v", newest)
	}
	// Pages of 3 give the same entries.
	var paged []store.LedgerEntry
	for cursor := ""; ; {
		page, next, err := b.st.LedgerEntries(ctx, b.partner, store.Page{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(paged) != len(entries) || paged[7].ID != entries[7].ID {
		t.Errorf("paging gave %d entries", len(paged))
	}
	checkBooks(t, b.st)
}

func TestBalancesCannotGoNegative(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(100), "BANK-1")
	db := b.st.DB()
	_, err := db.Exec(`UPDATE money_accounts SET balance = -1 WHERE kind = 'partner'`)
	if err == nil || !strings.Contains(err.Error(), "money_accounts_balance_not_negative") {
		t.Errorf("a negative partner balance: %v", err)
	}
	_, err = db.Exec(`INSERT INTO money_accounts (id, kind, partner_id, customer_id, currency, balance)
		VALUES ('acc_x', 'customer', $1, $2, 'EUR', -5)`, b.partner, b.resale)
	if err == nil || !strings.Contains(err.Error(), "money_accounts_balance_not_negative") {
		t.Errorf("a negative customer account: %v", err)
	}
	// Through the store: more than held is refused, naming both amounts.
	_, _, err = b.adjust(rules.Allocate, b.resale, cny(101), "ADJ-1", nil)
	var short *store.InsufficientBalanceError
	if !errors.As(err, &short) || !errors.Is(err, store.ErrInsufficientBalance) {
		t.Fatalf("allocating 101 of 100: %v", err)
	}
	if short.Account != store.AccountPartner || short.Available != cny(100) || short.Asked != cny(101) {
		t.Errorf("refusal %+v", short)
	}
	_, _, err = b.adjust(rules.Reclaim, b.resale, cny(1), "ADJ-2", nil)
	if !errors.As(err, &short) || short.Account != store.AccountCustomer || short.Available != cny(0) {
		t.Errorf("reclaiming from an empty customer: %v", err)
	}
	if _, _, err := b.st.DebitPartner(ctx, b.partner, rules.Money{Amount: 1, Currency: "JPY"}, "order:1", ""); !errors.Is(err, store.ErrInsufficientBalance) {
		t.Errorf("debiting a currency the partner never held: %v", err)
	}
	checkBooks(t, b.st)
}

func TestLedgerIsAppendOnly(t *testing.T) {
	b := newBooks(t)
	b.deposit(t, cny(100), "BANK-1")
	if _, _, err := b.adjust(rules.Allocate, b.resale, cny(40), "ADJ-1", nil); err != nil {
		t.Fatal(err)
	}
	db := b.st.DB()
	for _, stmt := range []string{
		`UPDATE ledger_entries SET amount = amount * 2`,
		`DELETE FROM ledger_entries`,
		`TRUNCATE ledger_entries CASCADE`,
		`UPDATE money_postings SET amount = 1`,
		`DELETE FROM money_postings WHERE kind = 'deposit'`,
		`UPDATE money_deposits SET amount = 1`,
		`DELETE FROM money_deposits`,
		`UPDATE account_adjustments SET memo = 'changed'`,
		`DELETE FROM account_adjustments`,
	} {
		if _, err := db.Exec(stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", stmt, err)
		}
	}
	if n := count(t, b.st, "ledger_entries"); n != 4 {
		t.Errorf("%d entries left, want 4", n)
	}
	checkBooks(t, b.st)
}

func TestUnbalancedPostingIsRefusedAtCommit(t *testing.T) {
	b := newBooks(t)
	b.deposit(t, cny(100), "BANK-1")
	db := b.st.DB()
	var partnerAccount, fundingAccount string
	if err := db.Get(&partnerAccount, `SELECT id FROM money_accounts WHERE kind = 'partner'`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&fundingAccount, `SELECT id FROM money_accounts WHERE kind = 'vendor_funding'`); err != nil {
		t.Fatal(err)
	}
	for name, entries := range map[string][]int64{
		"one entry":            {50},
		"two not summing to 0": {50, -40},
		"no entry":             {},
	} {
		t.Run(name, func(t *testing.T) {
			tx := db.MustBegin()
			defer tx.Rollback()
			id := store.NewID("pst")
			tx.MustExec(`INSERT INTO money_postings (id, kind, reference, partner_id, debit_account_id, credit_account_id, amount, currency)
				VALUES ($1, 'deposit', $1, $2, $3, $4, 50, 'CNY')`, id, b.partner, fundingAccount, partnerAccount)
			for i, amount := range entries {
				account := partnerAccount
				if i == 1 {
					account = fundingAccount
				}
				tx.MustExec(`INSERT INTO ledger_entries (posting_id, account_id, partner_id, amount, currency, balance_after)
					VALUES ($1, $2, $3, $4, 'CNY', 0)`, id, account, b.partner, amount)
			}
			if err := tx.Commit(); err == nil || !strings.Contains(err.Error(), "not balanced") {
				t.Errorf("commit: %v, want refused as not balanced", err)
			}
		})
	}
	if n := count(t, b.st, "money_postings"); n != 1 {
		t.Errorf("%d postings, want only the deposit", n)
	}
}

func TestPostIsIdempotent(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(1000), "BANK-1")

	first, replayed, err := b.st.DebitPartner(ctx, b.partner, cny(300), "order:ord_1", "order ord_1")
	if err != nil || replayed {
		t.Fatalf("first debit: %v (replayed %v)", err, replayed)
	}
	again, replayed, err := b.st.DebitPartner(ctx, b.partner, cny(300), "order:ord_1", "retried")
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("the same reference again: %+v replayed %v: %v", again, replayed, err)
	}
	if _, _, err := b.st.DebitPartner(ctx, b.partner, cny(301), "order:ord_1", ""); !errors.Is(err, store.ErrPostingConflict) {
		t.Errorf("the same reference with another amount: %v", err)
	}
	if p, _ := b.balance(t, b.resale); p != 700 {
		t.Errorf("partner balance %d after one debit of 300 posted twice, want 700", p)
	}

	// Twenty concurrent postings of one reference move money once.
	var wg sync.WaitGroup
	results := make(chan error, 20)
	ids := make(chan string, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, _, err := b.st.DebitPartner(ctx, b.partner, cny(100), "order:ord_2", "")
			results <- err
			ids <- p.ID
		}()
	}
	wg.Wait()
	close(results)
	close(ids)
	for err := range results {
		if err != nil {
			t.Errorf("concurrent debit: %v", err)
		}
	}
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	if len(distinct) != 1 {
		t.Errorf("%d postings for one reference", len(distinct))
	}
	if p, _ := b.balance(t, b.resale); p != 600 {
		t.Errorf("partner balance %d, want 600", p)
	}

	// Compensation: a reversal gives the money back, once.
	rev, replayed, err := b.st.ReversePosting(ctx, first.ID, "order update failed")
	if err != nil || replayed || rev.Reverses != first.ID || rev.Kind != store.PostingReversal {
		t.Fatalf("reversal %+v replayed %v: %v", rev, replayed, err)
	}
	rev2, replayed, err := b.st.ReversePosting(ctx, first.ID, "again")
	if err != nil || !replayed || rev2.ID != rev.ID {
		t.Errorf("second reversal %+v replayed %v: %v", rev2, replayed, err)
	}
	if _, _, err := b.st.ReversePosting(ctx, rev.ID, ""); err == nil {
		t.Error("a reversal was reversed")
	}
	if _, _, err := b.st.ReversePosting(ctx, "pst_nope", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reversing an unknown posting: %v", err)
	}
	if p, _ := b.balance(t, b.resale); p != 900 {
		t.Errorf("partner balance %d after the reversal, want 900", p)
	}
	// Debits beyond the balance are refused and write nothing.
	postings := count(t, b.st, "money_postings")
	if _, _, err := b.st.DebitPartner(ctx, b.partner, cny(901), "order:ord_3", ""); !errors.Is(err, store.ErrInsufficientBalance) {
		t.Errorf("debit beyond the balance: %v", err)
	}
	if n := count(t, b.st, "money_postings"); n != postings {
		t.Errorf("a refused debit left %d postings", n-postings)
	}
	// The reference of the refused debit is free for a debit that fits.
	if _, replayed, err := b.st.DebitPartner(ctx, b.partner, cny(900), "order:ord_3", ""); err != nil || replayed {
		t.Errorf("debit after a refusal: %v (replayed %v)", err, replayed)
	}
	checkBooks(t, b.st)
}

func TestAdjustmentRefusalsWriteNothing(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(100), "BANK-1")
	tables := []string{"money_postings", "ledger_entries", "account_adjustments", "idempotency_keys", "audit_events", "money_accounts"}
	before := map[string]int{}
	for _, table := range tables {
		before[table] = count(t, b.st, table)
	}
	idem := func(key string) *store.Idempotency {
		return &store.Idempotency{PrincipalID: b.admin.ID, Key: key, Request: []byte(key)}
	}
	for _, tt := range []struct {
		name     string
		op       rules.AdjustmentOperation
		customer string
		amount   rules.Money
		txid     string
		want     error
	}{
		{"beyond the partner's balance", rules.Allocate, b.resale, cny(101), "ADJ-1", store.ErrInsufficientBalance},
		{"in a currency the partner lacks", rules.Allocate, b.resale, rules.Money{Amount: 1, Currency: "USD"}, "ADJ-2", store.ErrInsufficientBalance},
		{"beyond the customer's balance", rules.Reclaim, b.resale, cny(1), "ADJ-3", store.ErrInsufficientBalance},
		{"a consultative customer", rules.Allocate, b.consultative, cny(10), "ADJ-4", store.ErrNotResaleCustomer},
		{"another partner's customer", rules.Allocate, b.otherCust, cny(10), "ADJ-5", store.ErrNotFound},
		{"no such customer", rules.Allocate, "cus_nope", cny(10), "ADJ-6", store.ErrNotFound},
		{"the deposit's transaction ID", rules.Allocate, b.resale, cny(10), "BANK-1", store.ErrDuplicateTransactionID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := b.adjust(tt.op, tt.customer, tt.amount, tt.txid, idem(tt.txid))
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	for _, table := range tables {
		if n := count(t, b.st, table); n != before[table] {
			t.Errorf("%s: %d rows, %d before the refusals", table, n, before[table])
		}
	}
	// A deposit reusing an adjustment's transaction ID is refused too.
	if _, _, err := b.adjust(rules.Allocate, b.resale, cny(10), "ADJ-OK", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.st.CreateDeposit(ctx, store.NewDeposit{PartnerID: b.partner, Amount: cny(5), TransactionID: "ADJ-OK", By: b.ops}, nil); !errors.Is(err, store.ErrDuplicateTransactionID) {
		t.Errorf("a deposit with an adjustment's transaction ID: %v", err)
	}
	// Transaction IDs are the partner's own: another partner may use the same.
	if _, _, err := b.st.CreateDeposit(ctx, store.NewDeposit{PartnerID: b.otherPartner, Amount: cny(5), TransactionID: "ADJ-OK", By: b.ops}, nil); err != nil {
		t.Errorf("another partner's deposit with the same transaction ID: %v", err)
	}
	checkBooks(t, b.st)
}

func TestAdjustmentIdempotencyKey(t *testing.T) {
	b := newBooks(t)
	b.deposit(t, cny(100), "BANK-1")
	key := &store.Idempotency{PrincipalID: b.admin.ID, Key: "k1", Request: []byte("allocate 30")}
	first, replayed, err := b.adjust(rules.Allocate, b.resale, cny(30), "ADJ-1", key)
	if err != nil || replayed {
		t.Fatalf("first: %v (replayed %v)", err, replayed)
	}
	again, replayed, err := b.adjust(rules.Allocate, b.resale, cny(30), "ADJ-1", key)
	if err != nil || !replayed || again.ID != first.ID || !slices.Equal(again.ApplyScenes, first.ApplyScenes) {
		t.Fatalf("replay: %+v replayed %v: %v", again, replayed, err)
	}
	other := &store.Idempotency{PrincipalID: b.admin.ID, Key: "k1", Request: []byte("allocate 40")}
	if _, _, err := b.adjust(rules.Allocate, b.resale, cny(40), "ADJ-2", other); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Errorf("the key with another request: %v", err)
	}
	if p, c := b.balance(t, b.resale); p != 70 || c != 30 {
		t.Errorf("balances %d and %d, want 70 and 30", p, c)
	}
	if n := count(t, b.st, "account_adjustments"); n != 1 {
		t.Errorf("%d adjustments, want 1", n)
	}
	// The adjustment is audited once, with who made it.
	events, _, err := b.st.AuditTrail(context.Background(), b.partner, "", store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var audited []string
	for _, e := range events {
		if e.Action == "adjustment.allocate" && e.TargetID == first.ID && e.PrincipalID == b.admin.ID {
			audited = append(audited, e.TargetID)
		}
	}
	if len(audited) != 1 {
		t.Errorf("audit trail %+v, want the allocation once", events)
	}
	checkBooks(t, b.st)
}

func TestConcurrentAllocationsNeverOverdraw(t *testing.T) {
	b := newBooks(t)
	b.deposit(t, cny(1000), "BANK-1")
	other, err := b.st.CreateCustomer(context.Background(), "second", b.partner, "resale")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			customer := b.resale
			if i%2 == 1 {
				customer = other.ID
			}
			_, _, err := b.adjust(rules.Allocate, customer, cny(30), fmt.Sprintf("ADJ-%d", i), nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrInsufficientBalance):
			t.Errorf("unexpected refusal: %v", err)
		}
	}
	if ok != 33 {
		t.Errorf("%d allocations of 30 from 1000 succeeded, want 33", ok)
	}
	p, c1 := b.balance(t, b.resale)
	_, c2 := b.balance(t, other.ID)
	if p != 1000-33*30 || c1+c2 != 33*30 {
		t.Errorf("partner %d, customers %d + %d", p, c1, c2)
	}
	checkBooks(t, b.st)
}

func TestReclaimOnUnbind(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(1000), "BANK-1")
	b.deposit(t, rules.Money{Amount: 50, Currency: "USD"}, "BANK-2")
	for _, a := range []struct {
		amount rules.Money
		txid   string
	}{{cny(300), "A1"}, {rules.Money{Amount: 20, Currency: "USD"}, "A2"}} {
		if _, _, err := b.adjust(rules.Allocate, b.resale, a.amount, a.txid, nil); err != nil {
			t.Fatal(err)
		}
	}
	adjs, err := b.st.ReclaimOnUnbind(ctx, b.partner, b.resale, "cas_unbind_1", b.admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(adjs) != 2 || adjs[0].Operation != rules.ReclaimOnUnbind || adjs[0].Amount != cny(300) ||
		adjs[1].Amount != (rules.Money{Amount: 20, Currency: "USD"}) || len(adjs[0].ApplyScenes) != 0 {
		t.Fatalf("reclaimed %+v", adjs)
	}
	if adjs[0].TransactionID != "unbind:cas_unbind_1:CNY" || adjs[0].OperatedBy != b.admin {
		t.Errorf("record %+v", adjs[0])
	}
	cb, err := b.st.CustomerBalances(ctx, b.resale)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cb {
		if m.Amount != 0 {
			t.Errorf("the customer still holds %s", m)
		}
	}
	again, err := b.st.ReclaimOnUnbind(ctx, b.partner, b.resale, "cas_unbind_1", b.admin)
	if err != nil || len(again) != 0 {
		t.Errorf("again: %+v, %v", again, err)
	}
	if _, err := b.st.ReclaimOnUnbind(ctx, b.partner, b.otherCust, "cas_unbind_2", b.admin); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another partner's customer: %v", err)
	}
	list, _, err := b.st.ListAdjustments(ctx, store.AdjustmentFilter{CustomerID: b.resale}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 {
		t.Errorf("%d adjustments listed, want 4", len(list))
	}
	checkBooks(t, b.st)
}

func TestListAdjustmentsPages(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(1000), "BANK-1")
	for i := range 7 {
		if _, _, err := b.adjust(rules.Allocate, b.resale, cny(10), fmt.Sprintf("A%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	for cursor := ""; ; {
		page, next, err := b.st.ListAdjustments(ctx, store.AdjustmentFilter{PartnerID: b.partner}, store.Page{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			seen = append(seen, a.TransactionID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(seen, ",") != "A6,A5,A4,A3,A2,A1,A0" {
		t.Errorf("pages gave %v, want newest first, each once", seen)
	}
	if _, _, err := b.st.ListAdjustments(ctx, store.AdjustmentFilter{}, store.Page{Limit: 3, Cursor: "!!"}); !errors.Is(err, store.ErrBadCursor) {
		t.Errorf("a bad cursor: %v", err)
	}
	deposits, _, err := b.st.ListDeposits(ctx, b.partner, store.Page{})
	if err != nil || len(deposits) != 1 || deposits[0].RecordedBy != b.ops {
		t.Errorf("deposits %+v: %v", deposits, err)
	}
}
