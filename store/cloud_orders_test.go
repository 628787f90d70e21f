package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

func TestSelfPaidOrdersExpireAtTheirDeadline(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCustomer(ctx, "Blue Sky", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	who, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Blue Sky", Role: cases.RoleCustomer, CustomerID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
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
