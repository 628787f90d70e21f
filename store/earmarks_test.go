package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// allocateFor allocates amount to the books' resale customer, earmarked for scenes.
func (b books) allocateFor(t *testing.T, amount rules.Money, txid string, scenes ...string) {
	t.Helper()
	if _, _, err := b.st.CreateAdjustment(context.Background(), store.NewAdjustment{
		PartnerID: b.partner, CustomerID: b.resale, Operation: rules.Allocate, Amount: amount,
		ApplyScenes: scenes, TransactionID: txid, By: b.admin,
	}, nil); err != nil {
		t.Fatal(err)
	}
}

// order places an order of the resale customer for product, paid by itself.
func (b books) order(t *testing.T, product string, amount int64) string {
	t.Helper()
	who := store.Principal{ID: b.admin.ID, Name: b.admin.Name, Role: cases.RoleAdmin}
	now := time.Now().UTC().Truncate(time.Microsecond)
	o, err := b.st.PlaceCloudOrder(context.Background(), store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: b.resale, PartnerID: b.partner, Scenario: rules.Renewal, Product: product,
		Amount: cny(amount), Payer: rules.PayerCustomer, PaymentDeadline: now.Add(time.Hour), PlacedBy: who, PlacedAt: now,
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func (b books) parts(t *testing.T) []store.BalancePart {
	t.Helper()
	parts, err := b.st.CustomerBalanceParts(context.Background(), b.resale)
	if err != nil {
		t.Fatal(err)
	}
	return parts
}

func TestEarmarkedMoneyPaysOnlyForItsProducts(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(100_000), "BANK-1")
	b.allocateFor(t, cny(50_000), "OBS-CDN", "obs", "cdn")

	// An ECS order is refused: nothing may pay for it, and the refusal names
	// the shortfall and what the money there is may buy.
	ecs := b.order(t, "ecs.c6.large, 1 year", 9_000)
	_, err := b.st.PayOwnOrder(ctx, b.resale, ecs, time.Now())
	var short *store.InsufficientBalanceError
	if !errors.As(err, &short) || short.Available.Amount != 0 || short.Product != "ecs.c6.large, 1 year" {
		t.Fatalf("paying ECS from OBS/CDN money: %v", err)
	}
	for _, want := range []string{"90.00 CNY asked", "90.00 CNY short", "500.00 CNY for cdn, obs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not say %q", err, want)
		}
	}
	// An OBS order is paid from it.
	if o, err := b.st.PayOwnOrder(ctx, b.resale, b.order(t, "OBS standard storage", 9_000), time.Now()); err != nil || o.Status != store.OrderCompleted {
		t.Fatalf("paying OBS: %+v, %v", o, err)
	}
	// Unrestricted money pays the ECS order, after the earmarked money for a
	// product it covers: 30.00 from ECS money, 60.00 unrestricted.
	b.allocateFor(t, cny(3_000), "ECS", "ecs")
	if _, _, err := b.st.Post(ctx, store.PostingRequest{Kind: store.PostingAllocate, Reference: "free",
		From: store.PartnerAccount(b.partner), To: store.CustomerAccount(b.partner, b.resale), Amount: cny(10_000)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.PayOwnOrder(ctx, b.resale, ecs, time.Now()); err != nil {
		t.Fatalf("paying ECS from ECS then unrestricted money: %v", err)
	}
	got := b.parts(t)
	want := []store.BalancePart{{Amount: cny(4_000), Scenes: []string{}}, {Amount: cny(41_000), Scenes: []string{"cdn", "obs"}}}
	if !slices.EqualFunc(got, want, func(a, b store.BalancePart) bool { return a.Amount == b.Amount && slices.Equal(a.Scenes, b.Scenes) }) {
		t.Errorf("parts %+v, want %+v", got, want)
	}
	var entries int
	if err := b.st.DB().Get(&entries, `SELECT count(*) FROM ledger_entries e JOIN money_postings p ON p.id = e.posting_id
		WHERE p.reference = $1`, "debit:"+ecs+"/customer-payment"); err != nil || entries != 3 {
		t.Errorf("the split charge has %d entries (%v), want 3", entries, err)
	}
	// Its refund gives each part back to where it came from.
	if err := b.st.RefundOrderPayment(ctx, ecs+"/customer-payment"); err != nil {
		t.Fatal(err)
	}
	if got := b.parts(t); len(got) != 3 || got[0].Amount != cny(10_000) || got[1].Amount != cny(3_000) || got[2].Amount != cny(41_000) {
		t.Errorf("after the refund: %+v", got)
	}
	checkBooks(t, b.st)
}

func TestReclaimTakesFromTheMoneyOfTheScenesItNames(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(10_000), "BANK-1")
	b.allocateFor(t, cny(2_000), "A-OBS", "obs")
	b.allocateFor(t, cny(1_000), "A-ECS", "ecs")
	reclaim := func(amount int64, txid string, scenes ...string) error {
		_, _, err := b.st.CreateAdjustment(ctx, store.NewAdjustment{
			PartnerID: b.partner, CustomerID: b.resale, Operation: rules.Reclaim, Amount: cny(amount),
			ApplyScenes: scenes, TransactionID: txid, By: b.admin}, nil)
		return err
	}
	// 1,500.00 of ECS money is more than the 1,000.00 allocated for ECS,
	// though the customer holds 3,000.00.
	err := reclaim(1_500, "R-ECS-BIG", "ecs")
	var short *store.InsufficientBalanceError
	if !errors.As(err, &short) || short.Available != cny(1_000) || !strings.Contains(err.Error(), "earmarked for ecs") {
		t.Errorf("reclaiming more than the ECS money: %v", err)
	}
	if err := reclaim(1_500, "R-OBS", "obs"); err != nil {
		t.Fatal(err)
	}
	if got := b.parts(t); len(got) != 2 || got[0].Amount != cny(1_000) || got[1].Amount != cny(500) || got[1].Scenes[0] != "obs" {
		t.Errorf("parts after reclaiming 15.00 of OBS money: %+v", got)
	}
	// Dissociation takes back every part.
	adjs, err := b.st.ReclaimOnUnbind(ctx, b.partner, b.resale, "cas_unbind", b.admin)
	if err != nil || len(adjs) != 1 || adjs[0].Amount != cny(1_500) {
		t.Fatalf("reclaim on unbind: %+v, %v", adjs, err)
	}
	if got := b.parts(t); len(got) != 0 {
		t.Errorf("after the dissociation the customer holds %+v", got)
	}
	checkBooks(t, b.st)
}

func TestConcurrentOrdersNeverOverdrawAnEarmarkedAllocation(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	b.deposit(t, cny(10_000), "BANK-1")
	b.allocateFor(t, cny(1_000), "OBS", "obs")
	orders := make([]string, 20)
	for i := range orders {
		orders[i] = b.order(t, "obs", 300)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(orders))
	for _, id := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := b.st.PayOwnOrder(ctx, b.resale, id, time.Now())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	paid := 0
	for err := range errs {
		switch {
		case err == nil:
			paid++
		case !errors.Is(err, store.ErrInsufficientBalance):
			t.Errorf("unexpected refusal: %v", err)
		}
	}
	if paid != 3 {
		t.Errorf("%d orders of 3.00 paid from 10.00 of OBS money, want 3", paid)
	}
	if got := b.parts(t); len(got) != 1 || got[0].Amount != cny(100) {
		t.Errorf("left: %+v", got)
	}
	if p, _ := b.balance(t, b.resale); p != 9_000 {
		t.Errorf("the partner's own money moved: %d", p)
	}
	checkBooks(t, b.st)
}
