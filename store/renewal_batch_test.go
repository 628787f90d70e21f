package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

func TestRenewDueGroupsRenewsTogetherWhatRenewsPlainlyAndNamesTheRest(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	short, err := st.CreateCustomer(ctx, "Short", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	rich, err := st.CreateCustomer(ctx, "Rich", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	cny := func(n int64) rules.Money { return rules.Money{Amount: n, Currency: "CNY"} }
	for _, req := range []store.PostingRequest{
		{Kind: store.PostingDeposit, Reference: "dep", From: store.VendorFundingAccount(p.ID), To: store.PartnerAccount(p.ID), Amount: cny(20_000)},
		{Kind: store.PostingAllocate, Reference: "alloc-short", From: store.PartnerAccount(p.ID), To: store.CustomerAccount(p.ID, short.ID), Amount: cny(450)},
		{Kind: store.PostingAllocate, Reference: "alloc-rich", From: store.PartnerAccount(p.ID), To: store.CustomerAccount(p.ID, rich.ID), Amount: cny(10_000)},
	} {
		if _, _, err := st.Post(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	insertUnpaidOrder(t, st, rich.ID)
	term := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	price := cny(100)
	put := func(customer, id string, typ rules.ResourceType, primary, order string, count int) {
		t.Helper()
		if _, err := st.PutResource(ctx, customer, rules.NewResource{ID: id, Type: typ, Region: "cn-north-4", PrimaryID: primary,
			ExpiresAt: term, ExpiryPolicy: rules.ExpiryFreeze, MonthlyPrice: price, OrderID: order}); err != nil {
			t.Fatal(err)
		}
		if primary == "" {
			if _, err := st.SetAutoRenewal(ctx, customer, id, &rules.AutoRenewal{
				RenewalPeriod: rules.RenewalPeriod{Unit: rules.PeriodMonth, Period: 1}, Count: count}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(short.ID, "ecs-0", rules.ResourceECS, "", "", 0)
	put(short.ID, "ecs-a", rules.ResourceECS, "", "", 0)
	put(short.ID, "evs-a", rules.ResourceEVS, "ecs-a", "", 0)
	put(short.ID, "ecs-b", rules.ResourceECS, "", "", 0)
	put(short.ID, "bw-c", rules.ResourceBandwidthShared, "", "", 0)
	put(rich.ID, "eip-d", rules.ResourceEIP, "", "", 1)
	put(rich.ID, "bwd-d", rules.ResourceBandwidthDedicated, "eip-d", "", 0)
	put(rich.ID, "ecs-u", rules.ResourceECS, "", "ord_unpaid", 0)
	put(rich.ID, "ecs-r", rules.ResourceECS, "", "", 0)
	put(rich.ID, "ecs-s", rules.ResourceECS, "", "", 0)
	price = rules.Money{Amount: 100, Currency: "USD"} // rich holds no dollars
	put(rich.ID, "ecs-usd", rules.ResourceECS, "", "", 0)

	req := store.RenewalRequest{RunID: "", ActorID: "system", ActorRole: "system", Location: time.UTC, RenewedAt: term.Add(-72 * time.Hour)}
	renew := func(groups ...rules.DueGroup) []error {
		t.Helper()
		results, err := st.RenewDueGroups(ctx, req, groups)
		if err != nil {
			t.Fatal(err)
		}
		return results
	}
	due := func(id string) rules.DueGroup { return rules.DueGroup{PrimaryID: id, Term: term} }
	// ecs-0 alone: its renewal creates the vendor revenue account the batch then finds.
	if got := renew(due("ecs-0")); got[0] != nil {
		t.Fatalf("ecs-0: %v", got[0])
	}
	// 350 left for short: ecs-a (200) and ecs-b (100) renew, bw-c (100) is short.
	groups := []rules.DueGroup{due("ecs-a"), due("ecs-b"), due("bw-c"), due("eip-d"), due("ecs-u"),
		{PrimaryID: "ecs-s", Term: term.Add(time.Hour)}, due("ecs-usd")}
	want := []error{nil, nil, store.ErrInsufficientBalance, nil, store.ErrInUnpaidOrder, store.ErrTermRenewed, store.ErrInsufficientBalance}
	check := func(got []error, want []error) {
		t.Helper()
		for i := range want {
			if (want[i] == nil) != (got[i] == nil) || (want[i] != nil && !errors.Is(got[i], want[i])) {
				t.Errorf("%s: %v, want %v", groups[i].PrimaryID, got[i], want[i])
			}
		}
	}
	check(renew(groups...), want)
	// Again: what renewed moved past its term; bw-c is still short.
	check(renew(groups...), []error{store.ErrTermRenewed, store.ErrTermRenewed, store.ErrInsufficientBalance, store.ErrTermRenewed,
		store.ErrInUnpaidOrder, store.ErrTermRenewed, store.ErrInsufficientBalance})

	var together int
	if err := st.DB().GetContext(ctx, &together, `SELECT count(DISTINCT e.created_at) FROM ledger_entries e
		JOIN resource_renewals r ON r.posting_id = e.posting_id WHERE r.primary_id IN ('ecs-a', 'ecs-b', 'eip-d')`); err != nil || together != 1 {
		t.Errorf("the three groups renewed in %d transactions (%v), want one", together, err)
	}
	for customer, balance := range map[string]int64{short.ID: 50, rich.ID: 9_800} {
		if got, _ := st.CustomerBalances(ctx, customer); len(got) != 1 || got[0].Amount != balance {
			t.Errorf("%s holds %v, want %d", customer, got, balance)
		}
	}
	var broken, renewals, notices int
	if err := st.DB().GetContext(ctx, &broken, `SELECT count(*) FROM (
		SELECT e.balance_after, e.amount, lag(e.balance_after) OVER (PARTITION BY e.account_id ORDER BY e.id) AS before,
		       e.id = max(e.id) OVER (PARTITION BY e.account_id) AS newest, a.balance
		FROM ledger_entries e JOIN money_accounts a ON a.id = e.account_id) x
		WHERE (before IS NOT NULL AND before + amount <> balance_after) OR (newest AND balance_after <> balance)`); err != nil || broken != 0 {
		t.Errorf("%d ledger entries disagree with the balances (%v)", broken, err)
	}
	if err := st.DB().GetContext(ctx, &renewals, `SELECT count(*) FROM resource_renewals`); err != nil || renewals != 4 {
		t.Errorf("%d renewals (%v), want 4", renewals, err)
	}
	if err := st.DB().GetContext(ctx, &notices, `SELECT count(*) FROM notifications WHERE renewal_id IS NOT NULL`); err != nil || notices != 8 {
		t.Errorf("%d renewal notices (%v), want 8", notices, err)
	}
	for _, id := range []string{"ecs-a", "eip-d"} {
		group, err := st.ResourceGroup(ctx, id)
		if err != nil || len(group) != 2 {
			t.Fatalf("group %s: %v, %v", id, group, err)
		}
		for _, res := range group {
			if next := time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC); !res.ExpiresAt.Equal(next) {
				t.Errorf("%s expires %s, want %s", res.ID, res.ExpiresAt, next)
			}
		}
		if auto := group[0].AutoRenewal(); (id == "eip-d") != (auto == nil) {
			t.Errorf("%s's auto-renewal after: %+v (eip-d had one renewal left)", id, auto)
		}
	}

	// A term reference posted before sends the batch to one group at a
	// time, where it is told a replay: charged once.
	if _, _, err := st.Post(ctx, store.PostingRequest{Kind: store.PostingRenewal, Reference: rules.TermReference("ecs-r", term),
		From: store.CustomerAccount(p.ID, rich.ID), To: store.VendorRevenueAccount(p.ID), Amount: cny(100)}); err != nil {
		t.Fatal(err)
	}
	groups = []rules.DueGroup{due("ecs-r"), due("ecs-s")}
	check(renew(groups...), []error{store.ErrTermRenewed, nil})
	if got, _ := st.CustomerBalances(ctx, rich.ID); len(got) != 1 || got[0].Amount != 9_600 {
		t.Errorf("rich holds %v, want 9600: ecs-r charged once, ecs-s once", got)
	}
}
