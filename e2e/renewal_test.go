package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// blueSky is the seeded resale customer of partner A.
func (s *system) blueSky() string {
	s.t.Helper()
	list, _, err := s.store.PartnerCustomers(context.Background(), s.partnerA, store.Page{})
	if err != nil || len(list) == 0 {
		s.t.Fatalf("partner A's customers: %v %v", list, err)
	}
	return list[0].ID
}

// fundCustomer deposits amount with partner A and allocates it to customer.
func (s *system) fundCustomer(customer, ref string, amount int64) {
	s.t.Helper()
	money := rules.Money{Amount: amount, Currency: "CNY"}
	for _, req := range []store.PostingRequest{
		{Kind: store.PostingDeposit, Reference: "dep:" + ref, From: store.VendorFundingAccount(s.partnerA), To: store.PartnerAccount(s.partnerA), Amount: money},
		{Kind: store.PostingAllocate, Reference: "alloc:" + ref, From: store.PartnerAccount(s.partnerA), To: store.CustomerAccount(s.partnerA, customer), Amount: money},
	} {
		if _, _, err := s.store.Post(context.Background(), req); err != nil {
			s.t.Fatal(err)
		}
	}
}

// runRenewals triggers the renewal schedule (once the worker created it)
// and waits for a renewal_run case to complete, which it returns.
func (s *system) runRenewals(timeout time.Duration) cases.Case {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for s.call("POST", "/v1/renewal-runs", s.ops, nil).status != 202 {
		if time.Now().After(deadline) {
			s.t.Fatal("the renewal schedule was never triggered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s.waitForRenewalRun(deadline)
}

func (s *system) waitForRenewalRun(deadline time.Time) cases.Case {
	s.t.Helper()
	for {
		list := decode[struct{ Cases []cases.Case }](s.t, s.call("GET", "/v1/cases?kind=renewal_run", s.ops, nil).expect(s.t, 200)).Cases
		if len(list) > 0 && list[0].Status == workflows.RenewalCompleted {
			return decode[cases.Case](s.t, s.call("GET", "/v1/cases/"+list[0].ID, s.ops, nil).expect(s.t, 200))
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no renewal run completed: %+v", list)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRenewalWalkthrough(t *testing.T) {
	s := startSystem(t, "3wd")
	customer := s.blueSky()
	base := "/v1/customers/" + customer + "/resources"
	soon := time.Now().UTC().Add(5 * 24 * time.Hour).Truncate(time.Second)
	later := soon.Add(24 * time.Hour)

	// Bad input names every bad field and writes nothing.
	bad := decode[problem](t, s.call("POST", base, s.ops, map[string]any{
		"id": "-bad", "type": "ecs", "region": "North 4", "expires_at": soon, "expiry_policy": "freeze",
		"monthly_price": map[string]any{"amount": 0, "currency": "CNY"},
	}).expect(t, 422))
	if got := bad.fields(); got != "id,region,monthly_price.amount" {
		t.Errorf("bad resource named %q", got)
	}
	for _, r := range []map[string]any{
		{"id": "ecs-1", "type": "ecs", "region": "cn-north-4", "expires_at": soon, "expiry_policy": "freeze", "monthly_price": map[string]any{"amount": 30000, "currency": "CNY"}},
		{"id": "evs-1", "type": "evs", "region": "cn-north-4", "primary_id": "ecs-1", "expires_at": soon, "expiry_policy": "delete", "monthly_price": map[string]any{"amount": 5000, "currency": "CNY"}},
		{"id": "bw-1", "type": "bandwidth_shared", "region": "cn-north-4", "expires_at": later, "expiry_policy": "grace_period", "monthly_price": map[string]any{"amount": 20000, "currency": "CNY"}},
		{"id": "eip-1", "type": "eip", "region": "cn-north-4", "primary_id": "bw-1", "expires_at": later, "expiry_policy": "grace_period", "monthly_price": map[string]any{"amount": 2000, "currency": "CNY"}},
	} {
		s.call("POST", base, s.ops, r).expect(t, 201)
	}
	// The grouping rules: a dedicated bandwidth needs an elastic IP that is a primary.
	grouped := decode[problem](t, s.call("POST", base, s.ops, map[string]any{
		"id": "bwd-1", "type": "bandwidth_dedicated", "region": "cn-north-4", "primary_id": "eip-1", "expires_at": later,
		"expiry_policy": "delete", "monthly_price": map[string]any{"amount": 1, "currency": "CNY"},
	}).expect(t, 422))
	if grouped.fields() != "primary_id" {
		t.Errorf("a dedicated bandwidth on a secondary IP: %+v", grouped)
	}
	s.call("POST", base, s.adminA, map[string]any{"id": "ecs-2", "type": "ecs", "region": "cn-north-4", "expires_at": soon,
		"expiry_policy": "freeze", "monthly_price": map[string]any{"amount": 1, "currency": "CNY"}}).expect(t, 403)
	s.call("GET", base, s.adminB, nil).expect(t, 404)

	disks := decode[struct{ Resources []struct{ ID string } }](t, s.call("GET", base+"?type=evs", s.customA, nil).expect(t, 200))
	if len(disks.Resources) != 1 || disks.Resources[0].ID != "evs-1" {
		t.Errorf("the customer's disks: %+v", disks)
	}

	// Renewal takes primary IDs only.
	notPrimary := decode[problem](t, s.call("POST", base+"/evs-1/renewals", s.adminA, map[string]any{"period_unit": "month", "period": 1}).expect(t, 409))
	if !strings.Contains(notPrimary.Detail, "not a primary resource") {
		t.Errorf("renewing a secondary: %+v", notPrimary)
	}
	badSetting := decode[problem](t, s.call("PUT", base+"/evs-1/auto_renewal", s.adminA, map[string]any{"period_unit": "year", "period": 4, "count": 0}).expect(t, 422))
	if badSetting.fields() != "period" {
		t.Errorf("four years: %+v", badSetting)
	}

	// Auto-renewal set on the disk: its server's group follows.
	group := decode[struct {
		Resources []struct {
			ID          string             `json:"id"`
			AutoRenewal *rules.AutoRenewal `json:"auto_renewal"`
		}
	}](t, s.call("PUT", base+"/evs-1/auto_renewal", s.adminA, map[string]any{"period_unit": "month", "period": 1, "count": 0}).expect(t, 200))
	if len(group.Resources) != 2 || group.Resources[0].ID != "ecs-1" || group.Resources[0].AutoRenewal == nil {
		t.Fatalf("the group after setting its disk: %+v", group)
	}
	s.call("PUT", base+"/bw-1/auto_renewal", s.customA, map[string]any{"period_unit": "year", "period": 1, "count": 1}).expect(t, 200)

	// Enough for the server's month (35,000), not the bandwidth's year (288,000).
	s.fundCustomer(customer, "renewal-walkthrough", 40_000)
	run := s.runRenewals(2 * time.Minute)
	var d workflows.RenewalRunDetails
	if err := json.Unmarshal(run.Details, &d); err != nil {
		t.Fatal(err)
	}
	if d.Renewed != 1 || d.RetriedForFunds != 1 || d.Failed != 0 {
		t.Fatalf("run details %+v, want one renewed and one retried for funds", d)
	}
	type resource struct {
		ExpiresAt      time.Time                `json:"expires_at"`
		RenewalFailure *struct{ Reason string } `json:"renewal_failure"`
	}
	ecs := decode[resource](t, s.call("GET", base+"/ecs-1", s.customA, nil).expect(t, 200))
	if want := (rules.RenewalPeriod{Unit: "month", Period: 1}).Extend(soon, shanghai(t)); !ecs.ExpiresAt.Equal(want) {
		t.Errorf("server expires %s, want %s", ecs.ExpiresAt, want)
	}
	// A renewal by hand naming the term the run renewed is refused: a retry never renews a second term.
	stale := decode[problem](t, s.call("POST", base+"/ecs-1/renewals", s.customA,
		map[string]any{"period_unit": "month", "period": 1, "term_expires_at": soon}).expect(t, 409))
	if stale.Type != "urn:partnerops:problem:term-renewed" {
		t.Errorf("renewing a renewed term: %+v", stale)
	}
	bw := decode[resource](t, s.call("GET", base+"/eip-1", s.customA, nil).expect(t, 200))
	if !bw.ExpiresAt.Equal(later) || bw.RenewalFailure == nil || !strings.Contains(bw.RenewalFailure.Reason, "insufficient balance") {
		t.Errorf("the bandwidth's IP: %+v", bw)
	}
	if got, _ := s.store.CustomerBalances(context.Background(), customer); len(got) != 1 || got[0].Amount != 5_000 {
		t.Errorf("customer balance %v, want 5000 left", got)
	}
	s.recordHistory(run.ID, "renewal_run_walkthrough")
}

// TestRenewalWorkerStoppedMidSweep stops the worker while the run renews
// many groups and starts it again: every group is renewed, and charged,
// exactly once for its term.
func TestRenewalWorkerStoppedMidSweep(t *testing.T) {
	s := startSystemWithoutWorker(t, "3wd")
	ctx := context.Background()
	customer := s.blueSky()
	// Enough groups that the sweep, a page of groups per transaction,
	// is still renewing when the worker stops; written in bulk.
	const groups = 4_000
	due := time.Now().UTC().Add(3 * 24 * time.Hour).Truncate(time.Second)
	db, err := sqlx.Open("postgres", s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO resources (id, customer_id, type, region, expires_at, expiry_policy, monthly_price,
		currency, auto_renew_unit, auto_renew_period, auto_renew_count)
		SELECT format('ecs-%s', lpad(g::text, 4, '0')), $1, 'ecs', 'cn-north-4', $2, 'freeze', 100, 'CNY', 'month', 1, 0
		FROM generate_series(0, $3 - 1) g`, customer, due, groups); err != nil {
		t.Fatal(err)
	}
	s.fundCustomer(customer, "mid-sweep", 100*groups)
	stop := s.runWorker(ctx)
	deadline := time.Now().Add(2 * time.Minute)
	for s.call("POST", "/v1/renewal-runs", s.ops, nil).status != 202 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	renewed := func() (n int) {
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM resource_renewals`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for renewed() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// The worker dies mid-batch: the transaction it has in flight is cut
	// off (the database ends every other connection to it; a stopping
	// worker would otherwise finish its batch), then it stops.
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	stop()
	if n := renewed(); n == 0 || n == groups {
		t.Logf("the worker stopped after %d of %d groups (not mid-sweep: the check below still holds)", n, groups)
	} else {
		t.Logf("the worker stopped after %d of %d groups", n, groups)
	}
	s.runWorker(ctx)
	run := s.waitForRenewalRun(time.Now().Add(3 * time.Minute))
	var charges struct {
		Postings   int `db:"postings"`
		References int `db:"refs"`
	}
	if err := db.GetContext(ctx, &charges, `SELECT count(*) AS postings, count(DISTINCT reference) AS refs
		FROM money_postings WHERE kind = 'renewal'`); err != nil {
		t.Fatal(err)
	}
	if charges.Postings != groups || charges.References != groups || renewed() != groups {
		t.Errorf("%d charges under %d references and %d renewals, want %d of each", charges.Postings, charges.References, renewed(), groups)
	}
	if got, _ := s.store.CustomerBalances(ctx, customer); len(got) != 1 || got[0].Amount != 0 {
		t.Errorf("balance %v, want all of it charged once", got)
	}
	var d workflows.RenewalRunDetails
	if err := json.Unmarshal(run.Details, &d); err != nil {
		t.Fatal(err)
	}
	if d.Renewed != groups {
		t.Errorf("the run counts %d renewed, want %d", d.Renewed, groups)
	}
	t.Logf("run %s: %s", run.ID, run.Details)
}
