package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
	read, err := st.CustomerCloudOrder(ctx, c.ID, order.ID)
	if err != nil || read.Status != store.OrderCancelled || !read.CancelledAt.Time.Equal(order.PaymentDeadline) {
		t.Errorf("past its deadline the order reads %+v (%v); want cancelled at the deadline", read, err)
	}
	if _, err := st.PayOwnOrder(ctx, c.ID, order.ID, time.Now()); !errors.Is(err, store.ErrOrderNotPayable) {
		t.Errorf("paying a cancelled order: %v", err)
	}
}
