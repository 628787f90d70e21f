package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

func TestRenewGroupChargesOncePerTermAndRefusesWhatItMayNotRenew(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCustomer(ctx, "Blue Sky", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	money := rules.Money{Amount: 1_000, Currency: "CNY"}
	for _, req := range []store.PostingRequest{
		{Kind: store.PostingDeposit, Reference: "dep", From: store.VendorFundingAccount(p.ID), To: store.PartnerAccount(p.ID), Amount: money},
		{Kind: store.PostingAllocate, Reference: "alloc", From: store.PartnerAccount(p.ID), To: store.CustomerAccount(p.ID, c.ID), Amount: money},
	} {
		if _, _, err := st.Post(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	expiry := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	put := func(id string, typ rules.ResourceType, primary, order string) {
		t.Helper()
		if _, err := st.PutResource(ctx, c.ID, rules.NewResource{ID: id, Type: typ, Region: "cn-north-4", PrimaryID: primary,
			ExpiresAt: expiry, ExpiryPolicy: rules.ExpiryFreeze, MonthlyPrice: rules.Money{Amount: 100, Currency: "CNY"}, OrderID: order}); err != nil {
			t.Fatal(err)
		}
	}
	put("ecs-1", rules.ResourceECS, "", "")
	put("evs-1", rules.ResourceEVS, "ecs-1", "")
	insertUnpaidOrder(t, st, c.ID)
	put("ecs-2", rules.ResourceECS, "", "")
	put("evs-2", rules.ResourceEVS, "ecs-2", "ord_unpaid")

	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	month := rules.RenewalPeriod{Unit: rules.PeriodMonth, Period: 1}
	renew := func(id string, term time.Time, period rules.RenewalPeriod) (store.Renewal, error) {
		return st.RenewGroup(ctx, store.RenewalRequest{PrimaryID: id, CustomerID: c.ID, Term: term, Period: period,
			ActorID: "prn_1", ActorRole: "admin", Location: loc, RenewedAt: expiry.Add(-time.Hour)})
	}
	if _, err := renew("evs-1", time.Time{}, month); !errors.Is(err, store.ErrNotPrimary) {
		t.Errorf("renewing a secondary: %v", err)
	}
	if _, err := renew("ecs-2", time.Time{}, month); !errors.Is(err, store.ErrInUnpaidOrder) {
		t.Errorf("renewing a group inside an unpaid order: %v", err)
	}
	if _, err := renew("ecs-1", time.Time{}, rules.RenewalPeriod{Unit: rules.PeriodYear, Period: 1}); !errors.Is(err, store.ErrInsufficientBalance) {
		t.Errorf("a year for 2,400 with 1,000: %v", err)
	}
	r, err := renew("ecs-1", expiry, month)
	if err != nil || r.Amount != 200 || len(r.Resources) != 2 {
		t.Fatalf("renewal %+v, %v", r, err)
	}
	if _, err := renew("ecs-1", expiry, month); !errors.Is(err, store.ErrTermRenewed) {
		t.Errorf("the same term again: %v", err)
	}
	if got, _ := st.CustomerBalances(ctx, c.ID); len(got) != 1 || got[0].Amount != 800 {
		t.Errorf("balance %v, want 800: one charge", got)
	}
	// The partner reads the customer's name and the new expiry in the business time zone.
	var notice string
	if err := st.DB().Get(&notice, `SELECT message FROM notifications WHERE renewal_id = $1 AND audience = 'partner'`, r.ID); err != nil {
		t.Fatal(err)
	}
	if want := "Customer Blue Sky's resource ecs-1 and its group (2 resources) renewed for 1 month(s) until 2027-01-05 08:00 CST; 2.00 CNY charged"; !strings.HasPrefix(notice, want) {
		t.Errorf("the partner's notice %q, want it to start %q", notice, want)
	}
	group, err := st.ResourceGroup(ctx, "ecs-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range group {
		if want := time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC); !res.ExpiresAt.Equal(want) {
			t.Errorf("%s expires %s, want %s", res.ID, res.ExpiresAt, want)
		}
	}
}

// insertUnpaidOrder writes the customer's order ord_unpaid, awaiting payment.
func insertUnpaidOrder(t *testing.T, st *store.Store, customerID string) {
	t.Helper()
	if _, err := st.DB().ExecContext(context.Background(), `INSERT INTO orders (id, channel, type, status, customer_id, product, amount,
		currency, sales_channel, margin_to, payer_requested, payment_deadline)
		VALUES ('ord_unpaid', 'cloud', 'new_purchase', 'pending_payment', $1, 'ecs', 100, 'CNY', 'vendor_direct', 'vendor', 'customer', now())`,
		customerID); err != nil {
		t.Fatal(err)
	}
}
