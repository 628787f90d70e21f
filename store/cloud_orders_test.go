package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

func TestSelfPaidOrdersExpireAtTheirDeadline(t *testing.T) {
	ctx := context.Background()
	st, p, c, who := orderingCustomer(t)
	placed := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Microsecond)
	order, err := st.PlaceCloudOrder(ctx, store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: c.ID, PartnerID: p.ID, Scenario: rules.Renewal, Product: "ecs",
		Amount: rules.Money{Amount: 100, Currency: "CNY"}, Payer: rules.PayerCustomer,
		PaymentDeadline: placed.Add(time.Hour), PlacedBy: who, PlacedAt: placed,
	}, nil, nil)
	if err != nil || order.Status != store.OrderPendingPayment {
		t.Fatalf("placed %+v, %v", order, err)
	}
	// Reading writes nothing: the order reads as placed until the sweep.
	if read, err := st.CustomerCloudOrder(ctx, c.ID, order.ID); err != nil || read.Status != store.OrderPendingPayment {
		t.Errorf("reading the order changed it: %+v (%v)", read, err)
	}
	// Paying it past its deadline, before the sweep, is refused all the same.
	if _, err := st.PayOwnOrder(ctx, c.ID, order.ID, time.Now()); !errors.Is(err, store.ErrOrderExpired) {
		t.Errorf("paying an overdue order: %v", err)
	}
	second, err := st.PlaceCloudOrder(ctx, store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: c.ID, PartnerID: p.ID, Scenario: rules.Renewal, Product: "ecs",
		Amount: rules.Money{Amount: 100, Currency: "CNY"}, Payer: rules.PayerCustomer,
		PaymentDeadline: placed.Add(time.Hour), PlacedBy: who, PlacedAt: placed,
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	future, err := st.PlaceCloudOrder(ctx, store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: c.ID, PartnerID: p.ID, Scenario: rules.Renewal, Product: "ecs",
		Amount: rules.Money{Amount: 100, Currency: "CNY"}, Payer: rules.PayerCustomer,
		PaymentDeadline: time.Now().Add(time.Hour), PlacedBy: who, PlacedAt: placed,
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The sweep works in bounded batches until one comes back short.
	if n, err := st.CancelOverdueOrders(ctx, time.Now(), 1); n != 1 || err != nil {
		t.Fatalf("first batch of 1 cancelled %d (%v)", n, err)
	}
	if n, err := st.CancelOverdueOrders(ctx, time.Now(), 1); n != 0 || err != nil {
		t.Fatalf("second batch cancelled %d (%v), want 0: one order was overdue and not yet cancelled", n, err)
	}
	read, err := st.CustomerCloudOrder(ctx, c.ID, second.ID)
	if err != nil || read.Status != store.OrderCancelled || !read.CancelledAt.Time.Equal(second.PaymentDeadline) {
		t.Errorf("after the sweep the order reads %+v (%v); want cancelled at the deadline", read, err)
	}
	if read, err := st.CustomerCloudOrder(ctx, c.ID, future.ID); err != nil || read.Status != store.OrderPendingPayment {
		t.Errorf("the sweep touched an order before its deadline: %+v (%v)", read, err)
	}
	if _, err := st.PayOwnOrder(ctx, c.ID, second.ID, time.Now()); !errors.Is(err, store.ErrOrderNotPayable) {
		t.Errorf("paying a cancelled order: %v", err)
	}
}

// Only the payer an order waits for may mark it paid: once handed back to
// the customer, the partner's payment is refused, so nobody pays it twice.
func TestOrderIsPaidOnlyByThePayerItWaitsFor(t *testing.T) {
	ctx := context.Background()
	st, p, c, who := orderingCustomer(t)
	placed := time.Now().UTC().Truncate(time.Microsecond)
	caseID := store.NewID("cas")
	order, err := st.PlaceCloudOrder(ctx, store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: c.ID, PartnerID: p.ID, Scenario: rules.Renewal, Product: "ecs",
		Amount: rules.Money{Amount: 100, Currency: "CNY"}, Payer: rules.PayerPartner,
		PaymentDeadline: placed.Add(48 * time.Hour), PlacedBy: who, PlacedAt: placed,
	}, &store.NewCase{Case: cases.Case{ID: caseID, Kind: cases.KindPartnerPayment, PartnerID: p.ID, CustomerID: c.ID, Status: "awaiting_partner",
		CreatedAt: placed, UpdatedAt: placed}, Workflow: "PartnerPayment", Input: struct{}{}}, nil)
	if err != nil || order.Status != store.OrderPendingPartnerPayment {
		t.Fatalf("placed %+v, %v", order, err)
	}
	if err := st.MarkOrderPaid(ctx, order.ID, rules.PayerCustomer); !errors.Is(err, store.ErrOrderNotPayable) {
		t.Errorf("the customer paying an order that waits for its partner: %v", err)
	}
	if err := st.HandBackOrder(ctx, order.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkOrderPaid(ctx, order.ID, rules.PayerPartner); !errors.Is(err, store.ErrOrderNotPayable) {
		t.Errorf("the partner paying a handed-back order: %v, want ErrOrderNotPayable", err)
	}
	for i := 0; i < 2; i++ { // a repeat changes nothing
		if err := st.MarkOrderPaid(ctx, order.ID, rules.PayerCustomer); err != nil {
			t.Errorf("the customer paying its handed-back order (%d): %v", i+1, err)
		}
	}
	if err := st.CancelOrder(ctx, order.ID); !errors.Is(err, store.ErrOrderNotPayable) {
		t.Errorf("cancelling a paid order: %v", err)
	}
}
