package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"partnerops/rules"
	"partnerops/store"
)

// A group short of funds is retried daily after it expires, until the last
// day of its retention: funded on day 10 it renews from its old expiry;
// never funded, it is released after day 15. Each failed attempt tells the
// customer and its partner, at most once a day.
func TestRenewalThroughTheRetentionPeriod(t *testing.T) {
	ctx := context.Background()
	st, p, c, _ := orderingCustomer(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	expiry := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{"ecs-late", "ecs-never"} {
		_, err := st.PutResource(ctx, c.ID, rules.NewResource{ID: id, Type: rules.ResourceECS, Region: "cn-north-4",
			ExpiresAt: expiry, ExpiryPolicy: rules.ExpiryFreeze, MonthlyPrice: rules.Money{Amount: 100, Currency: "CNY"}})
		must(err)
		_, err = st.SetAutoRenewal(ctx, c.ID, id, &rules.AutoRenewal{RenewalPeriod: rules.RenewalPeriod{Unit: rules.PeriodMonth, Period: 1}})
		must(err)
	}
	var retention rules.Retention // 15 days
	day := func(n int) time.Time { return expiry.Add(time.Duration(n)*24*time.Hour + time.Hour) }
	// What a daily run does: expiry policies and releases, then the due groups.
	run := func(asOf time.Time) []rules.DueGroup {
		t.Helper()
		_, err := st.ApplyExpiryPolicies(ctx, asOf, 100)
		must(err)
		_, err = st.ReleaseRetained(ctx, asOf, retention, 100)
		must(err)
		due, err := st.DueGroups(ctx, asOf, retention, nil, 100)
		must(err)
		results, err := st.RenewDueGroups(ctx, store.RenewalRequest{ActorID: "system", ActorRole: "system", Location: time.UTC, RenewedAt: asOf}, due)
		must(err)
		for i, g := range due {
			if errors.Is(results[i], store.ErrInsufficientBalance) {
				must(st.RecordRenewalShortfall(ctx, g.PrimaryID, results[i].Error(), asOf, retention, time.UTC))
			}
		}
		return due
	}
	notices := func() (n int) {
		must(st.DB().Get(&n, `SELECT count(*) FROM notifications WHERE kind = 'renewal_short_of_funds'`))
		return n
	}
	if due := run(day(1)); len(due) != 2 {
		t.Fatalf("a day after expiry %d groups are due, want both (frozen, retained)", len(due))
	}
	run(day(1).Add(2 * time.Hour)) // a second run the same day tells nobody again
	if n := notices(); n != 4 {
		t.Errorf("%d notices after day 1, want one each to the customer and the partner per group", n)
	}
	var msg string
	must(st.DB().Get(&msg, `SELECT message FROM notifications WHERE audience = 'partner' AND resource_id = 'ecs-late' LIMIT 1`))
	if want := "Customer Blue Sky's resource ecs-late (ecs) could not be renewed"; len(msg) < len(want) || msg[:len(want)] != want {
		t.Errorf("the partner reads %q", msg)
	}
	run(day(2))
	if n := notices(); n != 8 {
		t.Errorf("%d notices after day 2, want 8", n)
	}

	// Funded on day 10: renewed from its old expiry, in use again.
	money := rules.Money{Amount: 100, Currency: "CNY"}
	for _, req := range []store.PostingRequest{
		{Kind: store.PostingDeposit, Reference: "dep", From: store.VendorFundingAccount(p.ID), To: store.PartnerAccount(p.ID), Amount: money},
		{Kind: store.PostingAllocate, Reference: "alloc", From: store.PartnerAccount(p.ID), To: store.CustomerAccount(p.ID, c.ID), Amount: money},
	} {
		_, _, err := st.Post(ctx, req)
		must(err)
	}
	run(day(10))
	late, err := st.CustomerResource(ctx, c.ID, "ecs-late")
	must(err)
	never, err := st.CustomerResource(ctx, c.ID, "ecs-never")
	must(err)
	renewed := late
	if late.Status != rules.ResourceInUse && never.Status == rules.ResourceInUse {
		renewed = never // the 1.00 CNY paid whichever came first
	}
	if want := time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC); renewed.Status != rules.ResourceInUse || !renewed.ExpiresAt.Equal(want) {
		t.Errorf("funded on day 10: %s until %s, want in use until %s", renewed.Status, renewed.ExpiresAt, want)
	}
	unfunded := "ecs-never"
	if renewed.ID == "ecs-never" {
		unfunded = "ecs-late"
	}

	// The other is retried through day 14 and released after its 15 days.
	if due := run(day(14)); len(due) != 1 || due[0].PrimaryID != unfunded {
		t.Errorf("day 14: due %+v", due)
	}
	if due := run(day(15)); len(due) != 0 {
		t.Errorf("after the retention: due %+v", due)
	}
	gone, err := st.CustomerResource(ctx, c.ID, unfunded)
	must(err)
	if gone.Status != rules.ResourceClosed {
		t.Errorf("after its retention the unfunded group is %s, want released (closed)", gone.Status)
	}
}
