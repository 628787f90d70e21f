package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// openCaseOf opens a case of kind for the partner and returns its ID, or the refusal.
func openCaseOf(st *store.Store, partnerID string, kind cases.Kind) (string, error) {
	at := time.Now().UTC().Truncate(time.Microsecond)
	c := cases.Case{ID: store.NewID("cas"), Kind: kind, PartnerID: partnerID, Status: "checking", CreatedAt: at, UpdatedAt: at}
	_, _, err := st.OpenCase(context.Background(), store.NewCase{Case: c, Workflow: "W", Input: struct{}{}}, nil)
	return c.ID, err
}

func partnerStatus(t *testing.T, st *store.Store, id string) store.Partner {
	t.Helper()
	p, err := st.Partner(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// From the exit request on a partner opens no case; the exit's outcome is
// applied once, only by the case that holds the partner.
func TestPartnerExitHoldsNewCasesAndEndsOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	_, partnerID := newCase(t, st)
	open, err := openCaseOf(st, partnerID, cases.KindCertification)
	if err != nil {
		t.Fatal(err)
	}
	exit, err := openCaseOf(st, partnerID, cases.KindPartnerExit)
	if err != nil {
		t.Fatal(err)
	}
	if p := partnerStatus(t, st, partnerID); p.Status != store.PartnerExiting || p.ExitCaseID.String != exit {
		t.Fatalf("after the exit request: %s by %v", p.Status, p.ExitCaseID)
	}
	for _, kind := range []cases.Kind{cases.KindPartnerPayment, cases.KindOpportunity, cases.KindPartnerExit} {
		_, err := openCaseOf(st, partnerID, kind)
		var refused *store.PartnerExitingError
		if !errors.As(err, &refused) || refused.ExitCaseID != exit || refused.Status != store.PartnerExiting {
			t.Errorf("a %s case of an exiting partner: %v", kind, err)
		}
	}
	facts, err := st.ExitFacts(ctx, partnerID, exit)
	if err != nil || len(facts.OpenCases) != 1 || facts.OpenCases[0].ID != open {
		t.Errorf("the exit sees open cases %+v (%v), want only %s", facts.OpenCases, err, open)
	}
	var notExited *store.NotExitedError
	if _, err := st.DeregisterPartner(ctx, partnerID, store.Principal{}, time.Now()); !errors.As(err, &notExited) || notExited.ExitCaseID != exit {
		t.Errorf("deregistering an exiting partner: %v", err)
	}

	// Withdrawn: active again, and new cases open; a second application changes nothing.
	for range 2 {
		if err := st.EndPartnerExit(ctx, partnerID, exit, store.ExitWithdrawn, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if p := partnerStatus(t, st, partnerID); p.Status != store.PartnerActive || p.ExitCaseID.Valid {
		t.Errorf("after the withdrawal: %s by %v", p.Status, p.ExitCaseID)
	}
	second, err := openCaseOf(st, partnerID, cases.KindPartnerExit)
	if err != nil {
		t.Fatal(err)
	}
	// the first case ending again (a retried activity) does not touch the second exit
	if err := st.EndPartnerExit(ctx, partnerID, exit, store.ExitRefused, time.Now()); err != nil {
		t.Fatal(err)
	}
	if p := partnerStatus(t, st, partnerID); p.Status != store.PartnerExiting || p.ExitCaseID.String != second {
		t.Errorf("a stale outcome moved the partner: %s by %v", p.Status, p.ExitCaseID)
	}
}

// Exit, withdrawal and deregistration of a partner: its tokens stop working,
// its personal data goes, its ledger stays and sums to zero.
func TestPartnerExitWithdrawalAndDeregistration(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	_, partnerID := newCase(t, st)
	admin, adminToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: partnerID})
	if err != nil {
		t.Fatal(err)
	}
	_, memberToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Wang Wu", Role: cases.RoleMember, PartnerID: partnerID})
	if err != nil {
		t.Fatal(err)
	}
	// a delegated token and a contact it registered itself with: both go at the end
	cust, err := st.CreateCustomer(ctx, "Blue Sky", partnerID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	_, delegated, err := st.IssueDelegatedToken(ctx, partnerID, cust.ID, time.Hour, admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE partners SET self_registered = true, contact_name = 'Lin Wei',
		contact_phone = '+86 138 0000 0000', contact_email = 'lin@example.com' WHERE id = $1`, partnerID); err != nil {
		t.Fatal(err)
	}

	ops := store.Operator{ID: admin.ID, Name: "Olivia Ops"}
	if _, _, err := st.CreateDeposit(ctx, store.NewDeposit{PartnerID: partnerID, Amount: rules.Money{Amount: 100, Currency: "CNY"},
		TransactionID: "dep-1", By: ops}, nil); err != nil {
		t.Fatal(err)
	}
	exit, err := openCaseOf(st, partnerID, cases.KindPartnerExit)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := st.ExitFacts(ctx, partnerID, exit)
	if err != nil || len(facts.Balances) != 1 || facts.Balances[0].Balance.Amount != 100 || len(facts.Members) != 1 {
		t.Errorf("facts %+v (%v), want the balance and the member", facts, err)
	}

	withdraw := func(amount int64, txn string) (store.Posting, bool, error) {
		return st.Withdraw(ctx, partnerID, rules.DepositRequest{Amount: &rules.Money{Amount: amount, Currency: "CNY"}, TransactionID: txn}, ops)
	}
	if _, _, err := withdraw(101, "out-1"); !errors.Is(err, store.ErrInsufficientBalance) {
		t.Errorf("withdrawing more than the balance: %v", err)
	}
	if _, _, err := withdraw(100, "dep-1"); !errors.Is(err, store.ErrWithdrawalConflict) {
		t.Errorf("withdrawing under a deposit's transaction ID: %v", err)
	}
	first, replayed, err := withdraw(100, "out-1")
	if err != nil || replayed || first.Kind != store.PostingWithdrawal {
		t.Fatalf("withdrawal %+v replayed %v (%v)", first, replayed, err)
	}
	if again, replayed, err := withdraw(100, "out-1"); err != nil || !replayed || again.ID != first.ID {
		t.Errorf("the same withdrawal again: %+v replayed %v (%v)", again, replayed, err)
	}
	if _, _, err := withdraw(1, "out-2"); !errors.Is(err, store.ErrInsufficientBalance) {
		t.Errorf("withdrawing from an empty account: %v", err)
	}

	at := time.Now().UTC().Truncate(time.Microsecond)
	if err := st.EndPartnerExit(ctx, partnerID, exit, store.ExitCompleted, at); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PrincipalByToken(ctx, delegated); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a delegated token after the exit: %v", err)
	}
	p := partnerStatus(t, st, partnerID)
	if p.Status != store.PartnerExited || p.Level.Valid || !p.ExitedAt.Valid {
		t.Errorf("exited partner %+v", p)
	}
	if _, err := st.PrincipalByToken(ctx, memberToken); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a member's token after the exit: %v", err)
	}
	if _, err := st.PrincipalByToken(ctx, adminToken); err != nil {
		t.Errorf("the admin's token after the exit: %v", err)
	}

	key, err := st.EnsureHistoryKey(ctx, partnerID, store.HistoryKey{ID: "hk_exiting", KEKID: "kek_test", Wrapped: []byte("wrapped")})
	if err != nil || key.ID != "hk_exiting" {
		t.Fatalf("the partner's history key %+v (%v)", key, err)
	}
	for range 2 { // irreversible and idempotent
		p, err := st.DeregisterPartner(ctx, partnerID, admin, at.Add(time.Second))
		if err != nil || p.Status != store.PartnerDeregistered || !p.DeregisteredAt.Time.Equal(at.Add(time.Second)) {
			t.Errorf("deregistered %+v (%v)", p, err)
		}
	}
	if _, err := st.PrincipalByToken(ctx, adminToken); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the admin's token after deregistration: %v", err)
	}
	// its histories' data key is destroyed, and never made again
	if _, err := st.HistoryKey(ctx, key.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the history key after deregistration: %v", err)
	}
	if k, err := st.EnsureHistoryKey(ctx, partnerID, store.HistoryKey{ID: "hk_again", KEKID: "kek_test", Wrapped: []byte("wrapped")}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a history key made after deregistration: %+v (%v)", k, err)
	}
	var names []string
	if err := st.DB().SelectContext(ctx, &names, `SELECT DISTINCT name FROM principals WHERE partner_id = $1`, partnerID); err != nil ||
		len(names) != 1 || names[0] != "(removed)" {
		t.Errorf("account names after deregistration: %v (%v)", names, err)
	}
	var personal int
	if err := st.DB().GetContext(ctx, &personal, `SELECT (SELECT count(*) FROM principals WHERE delegated_partner_id = $1 AND name <> '(removed)')
		+ (SELECT count(*) FROM partners WHERE id = $1 AND contact_email <> '(removed)')`, partnerID); err != nil || personal != 0 {
		t.Errorf("%d delegated token names or contacts left after deregistration (%v)", personal, err)
	}
	var sum, entries int64
	if err := st.DB().QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0), count(*) FROM ledger_entries WHERE partner_id = $1`,
		partnerID).Scan(&sum, &entries); err != nil || sum != 0 || entries != 4 {
		t.Errorf("the ledger keeps %d entries summing to %d (%v), want 4 summing to 0", entries, sum, err)
	}
}

// The partner payment path opens its case with the order: an exiting
// partner's customer cannot ask it to pay, and no order is left behind.
func TestExitingPartnerIsNotAskedToPay(t *testing.T) {
	ctx := context.Background()
	st, p, c, who := orderingCustomer(t)
	exit, err := openCaseOf(st, p.ID, cases.KindPartnerExit)
	if err != nil {
		t.Fatal(err)
	}
	placed := time.Now().UTC().Truncate(time.Microsecond)
	_, err = st.PlaceCloudOrder(ctx, store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: c.ID, PartnerID: p.ID, Scenario: rules.Renewal, Product: "ecs",
		Amount: rules.Money{Amount: 100, Currency: "CNY"}, Payer: rules.PayerPartner,
		PaymentDeadline: placed.Add(48 * time.Hour), PlacedBy: who, PlacedAt: placed,
	}, &store.NewCase{Case: cases.Case{ID: store.NewID("cas"), Kind: cases.KindPartnerPayment, PartnerID: p.ID, CustomerID: c.ID,
		Status: "awaiting_partner", CreatedAt: placed, UpdatedAt: placed}, Workflow: "PartnerPayment", Input: struct{}{}}, nil)
	var refused *store.PartnerExitingError
	if !errors.As(err, &refused) || refused.ExitCaseID != exit {
		t.Fatalf("an order for an exiting partner to pay: %v", err)
	}
	orders, _, err := st.CustomerCloudOrders(ctx, c.ID, store.CloudOrderFilter{}, store.Page{Limit: 10})
	if err != nil || len(orders) != 0 {
		t.Errorf("the refused order left %+v (%v)", orders, err)
	}
}

// From the exit request on, nothing new binds the partner: no customer
// (bound or created), no deposit, no allocation; a reclaim, which clears
// an obligation, still moves. The exit's last check and its end are one
// transaction: with a customer still bound it returns the customer and
// leaves the partner exiting; once the customer is gone it exits.
func TestExitingPartnerTakesNoNewBindings(t *testing.T) {
	ctx := context.Background()
	b := newBooks(t)
	b.deposit(t, cny(500), "dep-1")
	if _, _, err := b.adjust(rules.Allocate, b.resale, cny(200), "alloc-1", nil); err != nil {
		t.Fatal(err)
	}
	exit, err := openCaseOf(b.st, b.partner, cases.KindPartnerExit)
	if err != nil {
		t.Fatal(err)
	}
	refusedByExit := func(what string, err error) {
		t.Helper()
		var refused *store.PartnerExitingError
		if !errors.As(err, &refused) || refused.ExitCaseID != exit || refused.Status != store.PartnerExiting {
			t.Errorf("%s for an exiting partner: %v, want *PartnerExitingError naming %s", what, err, exit)
		}
	}
	_, _, err = b.st.CreateDeposit(ctx, store.NewDeposit{PartnerID: b.partner, Amount: cny(100), TransactionID: "dep-2", By: b.ops}, nil)
	refusedByExit("a deposit", err)
	_, _, err = b.adjust(rules.Allocate, b.resale, cny(100), "alloc-2", nil)
	refusedByExit("an allocation", err)
	_, err = b.st.CreateCustomer(ctx, "late customer", b.partner, "resale")
	refusedByExit("a customer", err)
	admin := store.Principal{ID: b.admin.ID, Name: b.admin.Name, Role: cases.RoleAdmin}
	_, _, _, err = b.st.BindCustomer(ctx, store.NewBoundCustomer{
		Name: "late bound", PartnerID: b.partner, AssociationMode: "resale", XAccountType: "acme", XAccountID: "x-late",
		CertificateNumber: "91350100M000100Y43", CertificateType: new(1), AccountOrigin: "new", By: admin,
	})
	refusedByExit("a bound customer", err)
	if partner, cust := b.balance(t, b.resale); partner != 300 || cust != 200 {
		t.Errorf("the refusals moved money: partner %d, customer %d", partner, cust)
	}
	if _, _, err := b.adjust(rules.Reclaim, b.resale, cny(200), "reclaim-1", nil); err != nil {
		t.Errorf("a reclaim for an exiting partner: %v", err)
	}

	at := time.Now().UTC().Truncate(time.Microsecond)
	open, err := b.st.CompletePartnerExit(ctx, b.partner, exit, at)
	if err != nil || len(open) == 0 {
		t.Fatalf("completing with customers and money left: %+v (%v)", open, err)
	}
	if p := partnerStatus(t, b.st, b.partner); p.Status != store.PartnerExiting {
		t.Errorf("completed with obligations open: the partner is %s", p.Status)
	}
	if _, _, err := b.st.Withdraw(ctx, b.partner, rules.DepositRequest{Amount: &rules.Money{Amount: 500, Currency: "CNY"}, TransactionID: "out-1"}, b.ops); err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.DB().ExecContext(ctx, `UPDATE customers SET partner_id = NULL, association_mode = NULL WHERE partner_id = $1`, b.partner); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a retried activity changes nothing
		if open, err := b.st.CompletePartnerExit(ctx, b.partner, exit, at); err != nil || len(open) != 0 {
			t.Fatalf("completing with nothing open: %+v (%v)", open, err)
		}
	}
	if p := partnerStatus(t, b.st, b.partner); p.Status != store.PartnerExited || !p.ExitedAt.Valid {
		t.Errorf("after the completion: %+v", p)
	}
}

// What binds an exiting partner is carried in its exit case's state and
// copied into every transition: every list of it is bounded, the balances
// too, and what is left out is counted.
func TestExitFactsAreBounded(t *testing.T) {
	ctx := context.Background()
	b := newBooks(t)
	funded := store.ExitListLimit + 2
	b.deposit(t, cny(int64(funded)+10), "dep-1")
	for i := range funded {
		c, err := b.st.CreateCustomer(ctx, "customer", b.partner, "resale")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.adjust(rules.Allocate, c.ID, cny(1), fmt.Sprintf("alloc-%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	facts, err := b.st.ExitFacts(ctx, b.partner, "cas_none")
	if err != nil {
		t.Fatal(err)
	}
	// the partner's own balance and one per funded customer: funded+1 in all
	if len(facts.Balances) != store.ExitListLimit || facts.MoreBalances != funded+1-store.ExitListLimit {
		t.Errorf("%d balances listed and %d more, want %d and %d", len(facts.Balances), facts.MoreBalances,
			store.ExitListLimit, funded+1-store.ExitListLimit)
	}
	if facts.Balances[0].CustomerID != "" {
		t.Errorf("the partner's own balance is not listed first: %+v", facts.Balances[0])
	}
}
