package store_test

import (
	"context"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// TestCloudOrdersByStatus lists a customer's orders newest first, all of
// them or those in one state, and a partner's payment requests.
func TestCloudOrdersByStatus(t *testing.T) {
	ctx := context.Background()
	st, p, c, who := orderingCustomer(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	place := func(payer string, at time.Time) store.CloudOrder {
		t.Helper()
		var paymentCase *store.NewCase
		if payer == rules.PayerPartner {
			paymentCase = &store.NewCase{Case: cases.Case{ID: store.NewID("cas"), Kind: cases.KindPartnerPayment, PartnerID: p.ID,
				CustomerID: c.ID, Status: "awaiting_partner", CreatedAt: at, UpdatedAt: at}, Workflow: "PartnerPayment", Input: struct{}{}}
		}
		o, err := st.PlaceCloudOrder(ctx, store.NewCloudOrder{
			ID: store.NewID("ord"), CustomerID: c.ID, PartnerID: p.ID, Scenario: rules.Renewal, Product: "ecs",
			Amount: rules.Money{Amount: 100, Currency: "CNY"}, Payer: payer,
			PaymentDeadline: at.Add(24 * time.Hour), PlacedBy: who, PlacedAt: at,
		}, paymentCase, nil)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	own := place(rules.PayerCustomer, now.Add(-time.Minute))
	byPartner := place(rules.PayerPartner, now)

	ids := func(list []store.CloudOrder, next string, err error) []string {
		t.Helper()
		if err != nil || next != "" {
			t.Fatalf("next %q, %v", next, err)
		}
		var out []string
		for _, o := range list {
			out = append(out, o.ID)
		}
		return out
	}
	if got := ids(st.CustomerCloudOrders(ctx, c.ID, store.CloudOrderFilter{}, store.Page{})); len(got) != 2 || got[0] != byPartner.ID {
		t.Errorf("all orders %v, want the newest (%s) first of two", got, byPartner.ID)
	}
	if got := ids(st.CustomerCloudOrders(ctx, c.ID, store.CloudOrderFilter{Status: store.OrderPendingPayment}, store.Page{})); len(got) != 1 || got[0] != own.ID {
		t.Errorf("pending_payment orders %v, want %s", got, own.ID)
	}
	if got := ids(st.PaymentRequests(ctx, p.ID, store.Page{})); len(got) != 1 || got[0] != byPartner.ID {
		t.Errorf("payment requests %v, want %s", got, byPartner.ID)
	}
}

// orderingCustomer is a store with a partner, its resale customer and the
// customer's principal, who places orders.
func orderingCustomer(t *testing.T) (*store.Store, store.Partner, store.Customer, store.Principal) {
	t.Helper()
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "certified")
	if err != nil {
		t.Fatal(err)
	}
	certify(t, st, p.ID)
	c, err := st.CreateCustomer(ctx, "Blue Sky", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	who, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Blue Sky", Role: cases.RoleCustomer, CustomerID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	return st, p, c, who
}
