package e2e

import (
	"context"
	"testing"
	"time"

	"partnerops/api"
	"partnerops/store"
	"partnerops/worker"
	"partnerops/workflows"
)

// TestOutageInEachProcessEndsNoCase stops PostgreSQL for 30 s at the step
// of each money-moving or long-running process that writes the most: a
// partner payment's debit, an incentive settlement's payout, a partner
// exit's obligations check and a renewal run's batch. Each case takes its
// step once PostgreSQL is back (none ends in needs_attention), the read
// model agrees with it within 10 s, and money moves once.
func TestOutageInEachProcessEndsNoCase(t *testing.T) {
	inj := &outageInjector{}
	s, pg := startOutageSystem(t, api.Deps{Vendor: e2eVendor}, inj)
	inj.pg = pg
	ctx := context.Background()

	// A partner payment: the debit meets the outage.
	c := ppCustomer{id: s.customerA(), token: s.customA, partnerID: s.partnerA, partnerToken: s.adminA}
	s.deposit(s.partnerA, 50_000, "dep-outage")
	pc := s.askPartnerToPay(c, 12_000)
	back := inj.arm("Debit", "")
	approved := make(chan int, 1)
	go func() { approved <- s.call("POST", "/v1/cases/"+pc.ID+"/actions/approve", s.adminA, nil).status }()
	inj.agrees(t, s, "payment debit", back, pc.ID, workflows.PaymentPaidByPartner)
	if status := <-approved; status != 200 && status != 503 {
		t.Errorf("the approval during the outage answered %d", status)
	}
	if got := s.partnerBalance(s.partnerA); got != 38_000 {
		t.Errorf("the partner holds %d after the outage, want 38000: one debit", got)
	}

	// An incentive settlement: the payout meets the outage.
	s.certifyAcme()
	settlement := s.publishSettlement("2026-Q3")
	s.call("POST", "/v1/cases/"+settlement.ID+"/actions/apply", s.adminA, nil).expect(t, 200)
	s.call("POST", "/v1/cases/"+settlement.ID+"/actions/submit_invoice", s.adminA, s.paperInvoice("vat_special", "20000001")).expect(t, 200)
	s.waitForCase(s.ops, settlement.ID, hasStatus(workflows.SettlementInvoiceInReview))
	back = inj.arm("PayOut", "")
	accepted := make(chan int, 1)
	go func() { accepted <- s.call("POST", "/v1/cases/"+settlement.ID+"/actions/accept", s.ops, nil).status }()
	inj.agrees(t, s, "settlement payout", back, settlement.ID, workflows.SettlementPaid)
	if status := <-accepted; status != 200 && status != 503 {
		t.Errorf("the acceptance during the outage answered %d", status)
	}
	if credits := s.incentiveCredits(); len(credits) != 1 || credits[0].Amount.Amount != 106_000 {
		t.Errorf("incentive credits %+v after the outage, want one of 106000", credits)
	}

	// A partner exit: its obligations check meets the outage (a balance keeps it blocked).
	harbor, harborAdmin := s.newPartner("Harbor Learning", "learning_enablement_partner", "")
	s.deposit(harbor, 500, "dep-harbor-outage")
	back = inj.arm("CheckExitObligations", "")
	exit := s.call("POST", "/v1/partners/"+harbor+"/exit", harborAdmin, map[string]any{"reason": "we close our training business"})
	if exit.status != 202 && exit.status != 503 {
		t.Fatalf("exit request: %d %s", exit.status, exit.body)
	}
	<-back
	inj.agrees(t, s, "exit check", back, inj.caseID(), workflows.ExitBlocked)

	// A renewal run: its batch meets the outage; the due group renews once.
	if err := worker.EnsureSchedules(ctx, s.temporal, e2eTaskQueue, shanghai(t)); err != nil {
		t.Fatal(err)
	}
	customer := s.blueSky()
	s.fundCustomer(customer, "renewal-outage", 100_000)
	soon := time.Now().UTC().Add(5 * 24 * time.Hour).Truncate(time.Second)
	s.call("POST", "/v1/customers/"+customer+"/resources", s.ops, map[string]any{"id": "ecs-outage", "type": "ecs", "region": "cn-north-4",
		"expires_at": soon, "expiry_policy": "freeze", "monthly_price": map[string]any{"amount": 30000, "currency": "CNY"}}).expect(t, 201)
	s.call("PUT", "/v1/customers/"+customer+"/resources/ecs-outage/auto_renewal", s.adminA,
		map[string]any{"period_unit": "month", "period": 1, "count": 0}).expect(t, 200)
	back = inj.arm("RenewDueGroups", "")
	deadline := time.Now().Add(2 * time.Minute)
	for s.call("POST", "/v1/renewal-runs", s.ops, nil).status != 202 {
		if time.Now().After(deadline) {
			t.Fatal("the renewal schedule was never triggered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	<-back
	inj.agrees(t, s, "renewal batch", back, inj.caseID(), workflows.RenewalCompleted)
	group, err := s.store.ResourceGroup(ctx, "ecs-outage")
	if err != nil {
		t.Fatal(err)
	}
	if want := soon.AddDate(0, 1, 0); len(group) != 1 || group[0].ExpiresAt.Sub(want).Abs() > 24*time.Hour {
		t.Errorf("after the run the server is %+v, want it renewed a month on (about %s)", group, want)
	}
	ledger := decode[struct{ Entries []store.LedgerEntry }](t, s.call("GET", "/v1/partners/"+s.partnerA+"/ledger", s.ops, nil).expect(t, 200))
	charges := 0
	for _, e := range ledger.Entries {
		if e.PostingKind == store.PostingRenewal && e.AccountKind == store.AccountCustomer {
			charges++
		}
	}
	if charges != 1 {
		t.Errorf("%d renewal charges in the ledger, want 1: %+v", charges, ledger.Entries)
	}
}
