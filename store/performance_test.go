package store_test

import (
	"context"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// Annual performance: orders sold through the partner and renewal charges,
// each credited to the partner holding the customer when it was made (a
// dissociation leaves the past where it was earned), vendor-direct sales
// not at all, the year counted in the business time zone.
func TestPartnerPerformanceAcrossADissociationAndAYearBoundary(t *testing.T) {
	ctx := context.Background()
	st, a, c, _ := orderingCustomer(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	admin, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: a.ID})
	must(err)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	must(err)
	order := func(amount int64, at time.Time, channel string) {
		t.Helper()
		o := store.NewMarketplaceOrder{CustomerID: c.ID, CustomerPartnerID: a.ID, Product: "obs", Amount: amount, Currency: "CNY",
			SalesChannel: "vendor_direct", MarginTo: "vendor", At: at}
		if channel == "partner" {
			o.SalesChannel, o.MarginTo, o.ResellerID = "partner", "partner", a.ID
		}
		_, _, err := st.RecordMarketplaceOrder(ctx, o, nil)
		must(err)
	}
	order(1_000, time.Date(2026, 12, 31, 23, 30, 0, 0, shanghai), "partner") // 2026 in Shanghai (15:30 UTC)
	order(2_000, time.Date(2027, 1, 1, 0, 30, 0, 0, shanghai), "partner")    // 2027 in Shanghai, 2026 in UTC
	order(4_000, time.Date(2026, 5, 1, 0, 0, 0, 0, shanghai), "vendor_direct")

	// A renewal charge, a few hours before the year ends in Shanghai.
	money := rules.Money{Amount: 10_000, Currency: "CNY"}
	for _, req := range []store.PostingRequest{
		{Kind: store.PostingDeposit, Reference: "dep", From: store.VendorFundingAccount(a.ID), To: store.PartnerAccount(a.ID), Amount: money},
		{Kind: store.PostingAllocate, Reference: "alloc", From: store.PartnerAccount(a.ID), To: store.CustomerAccount(a.ID, c.ID), Amount: money},
	} {
		_, _, err := st.Post(ctx, req)
		must(err)
	}
	expiry := time.Date(2027, 1, 5, 0, 0, 0, 0, shanghai)
	_, err = st.PutResource(ctx, c.ID, rules.NewResource{ID: "ecs-1", Type: rules.ResourceECS, Region: "cn-north-4",
		ExpiresAt: expiry, ExpiryPolicy: rules.ExpiryFreeze, MonthlyPrice: rules.Money{Amount: 300, Currency: "CNY"}})
	must(err)
	_, err = st.RenewGroup(ctx, store.RenewalRequest{PrimaryID: "ecs-1", Period: rules.RenewalPeriod{Unit: rules.PeriodMonth, Period: 1},
		ActorID: admin.ID, ActorRole: cases.RoleAdmin, Location: shanghai, RenewedAt: time.Date(2026, 12, 31, 20, 0, 0, 0, shanghai)})
	must(err)

	// The customer leaves Acme; what it bought through Acme stays Acme's.
	dissociation, _, err := st.RequestAssociation(ctx, store.NewAssociationRequest{Direction: store.DirectionDissociate,
		PartnerID: a.ID, AccountID: c.ID, By: admin, Location: shanghai,
		Build: func(c store.Customer, _ []rules.DissociationBlocker) store.NewCase {
			at := time.Now().UTC().Truncate(time.Microsecond)
			return store.NewCase{Case: cases.Case{ID: store.NewID("cas"), Kind: cases.KindCustomerAssociation, PartnerID: a.ID,
				CustomerID: c.ID, Status: "awaiting_customer", CreatedAt: at, UpdatedAt: at}, Workflow: "CustomerAssociation", Input: struct{}{}}
		}})
	must(err)
	_, err = st.DecideAssociation(ctx, dissociation.ID, store.RequestAccepted, admin, time.Now())
	must(err)
	_, _, err = st.RecordMarketplaceOrder(ctx, store.NewMarketplaceOrder{CustomerID: c.ID, Product: "obs", Amount: 8_000, Currency: "CNY",
		SalesChannel: "vendor_direct", MarginTo: "vendor", At: time.Date(2026, 12, 31, 12, 0, 0, 0, shanghai)}, nil)
	must(err) // after leaving: no partner's

	for _, want := range []struct {
		year              int
		orders, renewals  int64
		nOrders, customer int
	}{{2026, 1_000, 300, 1, 1}, {2027, 2_000, 0, 1, 1}, {2025, 0, 0, 0, 0}} {
		perf, err := st.PartnerPerformance(ctx, a.ID, want.year, "Asia/Shanghai")
		must(err)
		if !perf.From.Equal(time.Date(want.year, 1, 1, 0, 0, 0, 0, shanghai)) || !perf.Until.Equal(time.Date(want.year+1, 1, 1, 0, 0, 0, 0, shanghai)) {
			t.Errorf("%d is bounded by %s and %s", want.year, perf.From, perf.Until)
		}
		var orders, renewals int64
		count := 0
		for _, r := range perf.Orders {
			orders, count = orders+r.Amount, count+r.Count
		}
		for _, r := range perf.Renewals {
			renewals += r.Amount
		}
		if orders != want.orders || renewals != want.renewals || count != want.nOrders || perf.Customers != want.customer {
			t.Errorf("%d: orders %d (%d), renewals %d, customers %d; want %+v", want.year, orders, count, renewals, perf.Customers, want)
		}
	}
}
