package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// renewalFixture is a resale customer of a partner, with resources, on a
// real database: the renewal run's activities are the real ones, and each
// run happens at the workflow time the test environment starts it at.
type renewalFixture struct {
	t        *testing.T
	st       *store.Store
	partner  string
	customer string
	runs     int
}

// three in the morning in Shanghai, the schedule's hour
var renewalMorning = time.Date(2026, 12, 1, 3, 0, 0, 0, shanghai)

func newRenewalFixture(t *testing.T) *renewalFixture {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme Cloud", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCustomer(ctx, "Blue Sky", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	return &renewalFixture{t: t, st: st, partner: p.ID, customer: c.ID}
}

// fund deposits amount with the partner and allocates it to the customer.
func (f *renewalFixture) fund(ref string, amount int64) {
	f.t.Helper()
	ctx := context.Background()
	money := rules.Money{Amount: amount, Currency: "CNY"}
	for _, req := range []store.PostingRequest{
		{Kind: store.PostingDeposit, Reference: "dep:" + ref, From: store.VendorFundingAccount(f.partner), To: store.PartnerAccount(f.partner), Amount: money},
		{Kind: store.PostingAllocate, Reference: "alloc:" + ref, From: store.PartnerAccount(f.partner), To: store.CustomerAccount(f.partner, f.customer), Amount: money},
	} {
		if _, _, err := f.st.Post(ctx, req); err != nil {
			f.t.Fatal(err)
		}
	}
}

// put records a resource expiring at expires, priced 100 a month.
func (f *renewalFixture) put(id string, typ rules.ResourceType, primary string, expires time.Time, policy rules.ExpiryPolicy) {
	f.t.Helper()
	if _, err := f.st.PutResource(context.Background(), f.customer, rules.NewResource{
		ID: id, Type: typ, Region: "cn-north-4", PrimaryID: primary, ExpiresAt: expires, ExpiryPolicy: policy,
		MonthlyPrice: rules.Money{Amount: 100, Currency: "CNY"},
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *renewalFixture) autoRenew(id string, unit string, period, count int) {
	f.t.Helper()
	if _, err := f.st.SetAutoRenewal(context.Background(), f.customer, id,
		&rules.AutoRenewal{RenewalPeriod: rules.RenewalPeriod{Unit: unit, Period: period}, Count: count}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *renewalFixture) resource(id string) store.Resource {
	f.t.Helper()
	r, err := f.st.CustomerResource(context.Background(), f.customer, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// env is a test environment for a renewal run starting at start, on the
// fixture's database.
func (f *renewalFixture) env(start time.Time) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	// the real activities run in the test: a loaded machine must not pass for a deadlocked workflow
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	env.SetStartTime(start)
	// each run its own case, as the schedule's runs (IDs end with their start time)
	f.runs++
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: fmt.Sprintf("renewal-run-%d", f.runs)})
	env.RegisterWorkflowWithOptions(RenewalRun, workflow.RegisterOptions{Name: RenewalRunWorkflow})
	env.RegisterActivity(&activities.Cases{Store: f.st})
	env.RegisterActivity(&activities.Renewals{Store: f.st, Location: shanghai})
	return env
}

// run runs one renewal run starting at start and returns its details.
func (f *renewalFixture) run(start time.Time, in RenewalRunInput) RenewalRunDetails {
	f.t.Helper()
	env := f.env(start)
	env.ExecuteWorkflow(RenewalRunWorkflow, in)
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		f.t.Fatalf("run did not complete: %v", env.GetWorkflowError())
	}
	var status string
	if err := env.GetWorkflowResult(&status); err != nil || status != RenewalCompleted {
		f.t.Fatalf("run ended %q: %v", status, err)
	}
	res, err := env.QueryWorkflow(QueryCase, "ops")
	if err != nil {
		f.t.Fatal(err)
	}
	var c struct {
		Details json.RawMessage `json:"details"`
	}
	if err := res.Get(&c); err != nil {
		f.t.Fatal(err)
	}
	var d RenewalRunDetails
	if err := json.Unmarshal(c.Details, &d); err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *renewalFixture) renewals(primary string) []store.Renewal {
	f.t.Helper()
	list, err := f.st.GroupRenewals(context.Background(), primary, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

func TestRenewalRunRenewsDueGroupsOnceAndLeavesOthers(t *testing.T) {
	f := newRenewalFixture(t)
	f.fund("1", 10_000)
	due := renewalMorning.Add(5 * 24 * time.Hour)
	f.put("ecs-due", rules.ResourceECS, "", due, rules.ExpiryFreeze)
	f.put("evs-due", rules.ResourceEVS, "ecs-due", due.Add(time.Hour), rules.ExpiryFreeze)
	f.autoRenew("evs-due", rules.PeriodMonth, 1, 2) // set on the secondary: the group follows
	f.put("ecs-later", rules.ResourceECS, "", renewalMorning.Add(10*24*time.Hour), rules.ExpiryFreeze)
	f.autoRenew("ecs-later", rules.PeriodMonth, 1, 0)
	f.put("ecs-manual", rules.ResourceECS, "", due, rules.ExpiryFreeze) // no auto-renewal

	d := f.run(renewalMorning, RenewalRunInput{})
	if d.Renewed != 1 || d.RetriedForFunds != 0 || d.Failed != 0 || sum(d.Skipped) != 0 {
		t.Fatalf("run counts %+v, want one group renewed", d)
	}
	primary, secondary := f.resource("ecs-due"), f.resource("evs-due")
	if want := (rules.RenewalPeriod{Unit: rules.PeriodMonth, Period: 1}).Extend(due, shanghai); !primary.ExpiresAt.Equal(want) {
		t.Errorf("primary expires %s, want %s", primary.ExpiresAt, want)
	}
	if want := due.Add(time.Hour).AddDate(0, 1, 0); !secondary.ExpiresAt.Equal(want) {
		t.Errorf("secondary expires %s, want %s (a month from its own expiry)", secondary.ExpiresAt, want)
	}
	if a := primary.AutoRenewal(); a == nil || a.Count != 1 {
		t.Errorf("auto-renewal after one of two renewals: %+v", a)
	}
	if got := f.resource("ecs-later").ExpiresAt; !got.Equal(renewalMorning.Add(10 * 24 * time.Hour)) {
		t.Errorf("a group not due was renewed: %s", got)
	}
	if got := f.resource("ecs-manual").ExpiresAt; !got.Equal(due) {
		t.Errorf("a group without auto-renewal was renewed: %s", got)
	}
	renewals := f.renewals("ecs-due")
	if len(renewals) != 1 || renewals[0].Amount != 200 || !renewals[0].Term.Equal(due) {
		t.Fatalf("renewals %+v, want one of 200 (two resources, one month) for the term ending %s", renewals, due)
	}
	if got, _ := f.st.CustomerBalances(context.Background(), f.customer); len(got) != 1 || got[0].Amount != 9_800 {
		t.Errorf("customer balance %v, want 9800", got)
	}

	// The same morning again (a second trigger): nothing is due any more.
	again := f.run(renewalMorning.Add(time.Minute), RenewalRunInput{})
	if again.Renewed != 0 || len(f.renewals("ecs-due")) != 1 {
		t.Errorf("a second run renewed again: %+v", again)
	}
}

func TestRenewalRunRetriesForFundsUntilFundedThenRenews(t *testing.T) {
	f := newRenewalFixture(t)
	due := renewalMorning.Add(3 * 24 * time.Hour)
	f.put("bw-1", rules.ResourceBandwidthShared, "", due, rules.ExpiryFreeze)
	f.put("eip-1", rules.ResourceEIP, "bw-1", due, rules.ExpiryFreeze)
	f.put("eip-2", rules.ResourceEIP, "bw-1", due, rules.ExpiryFreeze)
	f.autoRenew("bw-1", rules.PeriodYear, 1, 1)

	d := f.run(renewalMorning, RenewalRunInput{})
	if d.Renewed != 0 || d.RetriedForFunds != 1 {
		t.Fatalf("unfunded run counts %+v, want one group retried for funds", d)
	}
	if r := f.resource("bw-1"); !r.RenewalError.Valid || !r.ExpiresAt.Equal(due) {
		t.Errorf("unfunded group: error %v, expiry %s", r.RenewalError, r.ExpiresAt)
	}

	f.fund("1", 3*12*100) // a year of three resources
	next := f.run(renewalMorning.Add(24*time.Hour), RenewalRunInput{})
	if next.Renewed != 1 || next.RetriedForFunds != 0 {
		t.Fatalf("funded run counts %+v, want the group renewed", next)
	}
	r := f.resource("eip-2")
	if want := due.AddDate(1, 0, 0); !r.ExpiresAt.Equal(want) {
		t.Errorf("secondary expires %s, want %s", r.ExpiresAt, want)
	}
	if p := f.resource("bw-1"); p.AutoRenewal() != nil || p.RenewalError.Valid {
		t.Errorf("after its last renewal the group keeps auto-renewal %+v or its error %v", p.AutoRenewal(), p.RenewalError)
	}
}

func TestRenewalRunAppliesTheExpiryPolicyAtExpiry(t *testing.T) {
	f := newRenewalFixture(t)
	expiry := renewalMorning.Add(-time.Hour)
	f.put("ecs-frozen", rules.ResourceECS, "", expiry, rules.ExpiryFreeze)
	f.put("evs-deleted", rules.ResourceEVS, "ecs-frozen", expiry, rules.ExpiryDelete)
	f.autoRenew("ecs-frozen", rules.PeriodMonth, 1, 0)
	f.put("eip-grace", rules.ResourceEIP, "", expiry, rules.ExpiryGracePeriod)
	f.put("eip-on-demand", rules.ResourceEIP, "", expiry, rules.ExpirySwitchToOnDemand)
	f.put("ecs-in-use", rules.ResourceECS, "", renewalMorning.Add(time.Hour), rules.ExpiryFreeze)

	d := f.run(renewalMorning, RenewalRunInput{})
	if d.Expired != 4 || d.Renewed != 0 {
		t.Fatalf("run counts %+v, want 4 expired", d)
	}
	for id, want := range map[string][2]string{
		"ecs-frozen": {"frozen", "period"}, "evs-deleted": {"closed", "period"}, "eip-grace": {"expired", "period"},
		"eip-on-demand": {"in_use", "on_demand"}, "ecs-in-use": {"in_use", "period"},
	} {
		if r := f.resource(id); r.Status != want[0] || r.Billing != want[1] {
			t.Errorf("%s: %s/%s, want %v", id, r.Status, r.Billing, want)
		}
	}
}

func TestRenewalRunUnlimitedCountRenewsEveryTerm(t *testing.T) {
	f := newRenewalFixture(t)
	f.fund("1", 10_000)
	expiry := renewalMorning.Add(24 * time.Hour)
	f.put("ecs-1", rules.ResourceECS, "", expiry, rules.ExpiryFreeze)
	f.autoRenew("ecs-1", rules.PeriodMonth, 1, 0)
	for term := range 3 {
		d := f.run(expiry.Add(-24*time.Hour), RenewalRunInput{BatchSize: 1})
		if d.Renewed != 1 {
			t.Fatalf("term %d: %+v", term, d)
		}
		r := f.resource("ecs-1")
		if a := r.AutoRenewal(); a == nil || a.Count != 0 {
			t.Fatalf("term %d: unlimited auto-renewal became %+v", term, a)
		}
		expiry = r.ExpiresAt
	}
	if got := len(f.renewals("ecs-1")); got != 3 {
		t.Errorf("%d renewals, want 3", got)
	}
}

func TestRenewalRunBatchesSkipsAndContinuesAsNew(t *testing.T) {
	f := newRenewalFixture(t)
	f.fund("1", 10_000)
	due := renewalMorning.Add(2 * 24 * time.Hour)
	for _, id := range []string{"ecs-a", "ecs-b", "ecs-c"} {
		f.put(id, rules.ResourceECS, "", due, rules.ExpiryFreeze)
		f.autoRenew(id, rules.PeriodMonth, 1, 0)
	}
	env := f.env(renewalMorning)
	env.ExecuteWorkflow(RenewalRunWorkflow, RenewalRunInput{BatchSize: 1, StepsPerRun: 4})
	var next *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &next) {
		t.Fatalf("a run of one-group batches past its steps did not continue as new: %v", err)
	}
	var carried RenewalRunInput
	if err := converter.GetDefaultDataConverter().FromPayloads(next.Input, &carried); err != nil {
		t.Fatal(err)
	}
	if carried.Resume == nil || carried.Resume.Details.Renewed != 2 || carried.Resume.Details.Cursor == nil {
		t.Fatalf("carried %+v, want two renewed and the cursor", carried.Resume)
	}
	f.runs-- // the next run of the same workflow: continue-as-new keeps its ID, so its case
	d := f.run(renewalMorning, carried)
	if d.Renewed != 3 || d.Batches != 4 {
		t.Errorf("after continuing: %+v, want the three groups renewed over four batches", d)
	}
}
