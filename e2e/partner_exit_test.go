package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// exitDetails reads an exit case's details.
func exitDetails(t *testing.T, c cases.Case) workflows.PartnerExitDetails {
	t.Helper()
	var d workflows.PartnerExitDetails
	if err := json.Unmarshal(c.Details, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// obligationKinds are the kinds of the case's open obligations, in order.
func obligationKinds(t *testing.T, c cases.Case) []string {
	var kinds []string
	for _, o := range exitDetails(t, c).Obligations {
		kinds = append(kinds, o.Kind)
	}
	return kinds
}

func hasObligations(t *testing.T, status string, kinds ...string) func(cases.Case) bool {
	return func(c cases.Case) bool {
		return c.Status == status && slices.Equal(obligationKinds(t, c), kinds)
	}
}

type exitPartner struct {
	Status       string  `json:"status"`
	Level        *string `json:"level"`
	ExitCaseID   string  `json:"exit_case_id"`
	ExitedAt     *string `json:"exited_at"`
	Deregistered *string `json:"deregistered_at"`
}

// The walk-through of docs/walkthroughs/partner-exit.md over HTTP: a software partner with a
// customer and money on account asks to exit, is blocked by both, clears
// them step by step, cools off, is confirmed by ops, exits and deregisters.
func TestPartnerExitWalkThrough(t *testing.T) {
	s := startSystem(t, "3wd")

	// Ops register the partner (certified, as the fixtures' partners are); it completes its access configuration and binds a customer; ops record a deposit.
	reg := decode[struct {
		Partner struct{ ID string }
		Admin   struct {
			Token string
		}
	}](t, s.call("POST", "/v1/partners", s.ops, map[string]any{"name": "Harbor Learning", "type": "learning_enablement_partner"}).expect(t, 201))
	partner, admin := reg.Partner.ID, reg.Admin.Token
	s.certify(partner)
	xaccountType := decode[struct {
		XAccountType string `json:"xaccount_type"`
	}](t, s.call("POST", "/v1/partners/"+partner+"/access-configuration", admin, nil).expect(t, 201)).XAccountType
	bound := decode[struct {
		ID        string
		Principal struct{ Token string }
	}](t, s.call("POST", "/v1/partners/"+partner+"/customers", admin, map[string]any{
		"name": "Lighthouse Academy", "xaccount_type": xaccountType, "xaccount_id": "harbor-0001",
		"certificate_number": "91330100MA2B7C8D9Q", "certificate_type": 0,
		"association_mode": "consultative", "account": map[string]any{"origin": "new"},
	}).expect(t, 201))
	s.deposit(partner, 50_000, "harbor-dep-1")
	// a personal account already associated with Harbor
	member, memberToken, err := s.store.CreatePrincipal(t.Context(), store.NewPrincipal{Name: "Sun Ba", Role: cases.RoleMember, PartnerID: partner})
	if err != nil {
		t.Fatal(err)
	}

	// Before any exit, deregistration is refused, saying no exit was requested.
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/deregistration", admin, nil).expect(t, 409)); p.Type == "" || p.CaseID != "" {
		t.Errorf("deregistration before an exit: %+v", p)
	}
	// Bad input names the field and writes nothing; only the admin may ask.
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/exit", admin, map[string]any{"reason": " "}).expect(t, 422)); p.fields() != "reason" {
		t.Errorf("a blank reason: %+v", p)
	}
	s.call("POST", "/v1/partners/"+partner+"/exit", s.ops, map[string]any{"reason": "ops may not"}).expect(t, 403)
	s.call("POST", "/v1/partners/"+partner+"/exit", s.adminB, map[string]any{"reason": "not mine"}).expect(t, 404)
	if got := decode[exitPartner](t, s.call("GET", "/v1/partners/"+partner, s.ops, nil).expect(t, 200)); got.Status != store.PartnerActive {
		t.Errorf("after refused requests the partner is %s", got.Status)
	}

	// The exit starts and is blocked by the customer, the balance and the personal account.
	r := s.call("POST", "/v1/partners/"+partner+"/exit", admin, map[string]any{"reason": "we close our training business"},
		"Idempotency-Key", "harbor-exit").expect(t, 202)
	started := decode[cases.Case](t, r)
	if started.Kind != cases.KindPartnerExit || r.header.Get("Location") != "/v1/cases/"+started.ID {
		t.Fatalf("started %+v at %s", started, r.header.Get("Location"))
	}
	exitID := started.ID
	blocked := s.waitForCase(admin, exitID, hasObligations(t, workflows.ExitBlocked,
		rules.ObligationCustomer, rules.ObligationBalance, rules.ObligationMember))
	if !slices.Contains(blocked.Actions, workflows.ActionWithdraw) {
		t.Errorf("the admin may not withdraw a blocked exit: %v", blocked.Actions)
	}
	// The same request again is the same case; another one names the running exit.
	if again := decode[cases.Case](t, s.call("POST", "/v1/partners/"+partner+"/exit", admin, map[string]any{"reason": "we close our training business"},
		"Idempotency-Key", "harbor-exit").expect(t, 202)); again.ID != exitID {
		t.Errorf("the retried request started %s", again.ID)
	}
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/exit", admin, map[string]any{"reason": "again"}).expect(t, 409)); p.CaseID != exitID {
		t.Errorf("a second exit: %+v", p)
	}
	// No new process starts for an exiting partner; deregistration names the exit case.
	cert := map[string]any{"company_name": "Harbor Learning Ltd", "certificate_number": "91350100M000100Y43", "certificate_type": 0,
		"legal_representative": "Zhao Liu", "address": "8 Harbor Road, Ningbo",
		"contact": map[string]any{"name": "Qian Qi", "phone": "+86 139 0000 0000", "email": "qian.qi@harbor.example"}}
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/certifications", admin, cert).expect(t, 409)); p.CaseID != exitID {
		t.Errorf("a certification of an exiting partner: %+v", p)
	}
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/deregistration", admin, nil).expect(t, 409)); p.CaseID != exitID {
		t.Errorf("deregistration while exiting: %+v", p)
	}
	// Nor does anything new bind it: no customer, no deposit (the exit's last check would have to find them).
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/customers", admin, map[string]any{
		"name": "Late Academy", "xaccount_type": xaccountType, "xaccount_id": "harbor-0002",
		"certificate_number": "91330100MA2B7C8D9Q", "certificate_type": 0,
		"association_mode": "consultative", "account": map[string]any{"origin": "new"},
	}).expect(t, 409)); !strings.HasSuffix(p.Type, "partner-exiting") || p.CaseID != exitID {
		t.Errorf("a customer bound to an exiting partner: %+v", p)
	}
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/deposits", s.ops, map[string]any{
		"amount": map[string]any{"amount": 1, "currency": "CNY"}, "transaction_id": "harbor-dep-late"}).expect(t, 409)); !strings.HasSuffix(p.Type, "partner-exiting") || p.CaseID != exitID {
		t.Errorf("a deposit to an exiting partner: %+v", p)
	}
	// Ops see the exit in the case list with its blockers.
	listed := s.waitForList("/v1/cases?kind=partner_exit&status=blocked", s.ops, func(list []cases.Case) bool {
		return slices.ContainsFunc(list, func(c cases.Case) bool { return c.ID == exitID })
	})
	if i := slices.IndexFunc(listed, func(c cases.Case) bool { return c.ID == exitID }); i < 0 || len(exitDetails(t, listed[i]).Obligations) != 3 {
		t.Errorf("the ops list shows %+v", listed)
	}

	// Cleared step by step: the admin removes the personal account and dissociates the customer, then ops withdraw the balance.
	s.call("GET", "/v1/partners/"+partner, memberToken, nil).expect(t, 200)
	s.call("DELETE", "/v1/partners/"+partner+"/members/"+member.ID, admin, nil).expect(t, 204)
	s.waitForCase(s.ops, exitID, hasObligations(t, workflows.ExitBlocked, rules.ObligationCustomer, rules.ObligationBalance))
	s.call("GET", "/v1/partners/"+partner, memberToken, nil).expect(t, 404) // no longer Harbor's
	// The dissociation is a request the customer accepts (it opens while the partner exits, and the exit waits for it).
	dissociation := decode[cases.Case](t, s.call("DELETE", "/v1/partners/"+partner+"/customers/"+bound.ID, admin, nil).expect(t, 202))
	s.waitForCase(s.ops, exitID, hasObligations(t, workflows.ExitBlocked, rules.ObligationOpenCase, rules.ObligationCustomer, rules.ObligationBalance))
	s.waitForCase(bound.Principal.Token, dissociation.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	s.call("POST", "/v1/cases/"+dissociation.ID+"/actions/accept", bound.Principal.Token, nil).expect(t, 200)
	s.waitForCase(s.ops, exitID, hasObligations(t, workflows.ExitBlocked, rules.ObligationBalance))
	withdrawal := map[string]any{"amount": map[string]any{"amount": 50_000, "currency": "CNY"}, "transaction_id": "harbor-refund-1"}
	bad := map[string]any{"amount": map[string]any{"amount": -5, "currency": "cny"}, "memo": "bad\u0000memo"}
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+partner+"/withdrawals", s.ops, bad).expect(t, 422)); p.fields() != "memo,amount.amount,amount.currency,transaction_id" {
		t.Errorf("a bad withdrawal names %q", p.fields())
	}
	s.call("POST", "/v1/partners/"+partner+"/withdrawals", admin, withdrawal).expect(t, 403)
	tooMuch := map[string]any{"amount": map[string]any{"amount": 50_001, "currency": "CNY"}, "transaction_id": "harbor-refund-0"}
	s.call("POST", "/v1/partners/"+partner+"/withdrawals", s.ops, tooMuch).expect(t, 409)
	first := decode[store.Posting](t, s.call("POST", "/v1/partners/"+partner+"/withdrawals", s.ops, withdrawal).expect(t, 201))
	if again := decode[store.Posting](t, s.call("POST", "/v1/partners/"+partner+"/withdrawals", s.ops, withdrawal).expect(t, 201)); again.ID != first.ID {
		t.Errorf("the same withdrawal posted twice: %s and %s", first.ID, again.ID)
	}
	if got := s.partnerBalance(partner); got != 0 {
		t.Errorf("balance after the withdrawal %d", got)
	}

	// Nothing is open: cooling-off (2s here), then ops confirm and the partner exits.
	s.waitForCase(admin, exitID, hasStatus(workflows.ExitCoolingOff))
	awaiting := s.waitForCase(s.ops, exitID, hasStatus(workflows.ExitAwaitingOps))
	if awaiting.SLA == nil || awaiting.SLA.Breached || !slices.Contains(awaiting.Actions, workflows.ActionConfirm) {
		t.Errorf("awaiting ops: %+v, actions %v", awaiting.SLA, awaiting.Actions)
	}
	s.call("POST", "/v1/cases/"+exitID+"/actions/withdraw", admin, nil).expect(t, 409) // past the point of no return
	exited := decode[cases.Case](t, s.call("POST", "/v1/cases/"+exitID+"/actions/confirm", s.ops, nil).expect(t, 200))
	if exited.Status != workflows.ExitExited {
		t.Fatalf("after confirm: %s", exited.Status)
	}
	got := decode[exitPartner](t, s.call("GET", "/v1/partners/"+partner, admin, nil).expect(t, 200))
	if got.Status != store.PartnerExited || got.Level != nil || got.ExitCaseID != exitID || got.ExitedAt == nil {
		t.Errorf("the exited partner shows %+v", got)
	}
	// An exited partner takes no step but deregistration.
	s.call("POST", "/v1/partners/"+partner+"/exit", admin, map[string]any{"reason": "again"}).expect(t, 409)
	s.call("POST", "/v1/partners/"+partner+"/deposits", s.ops, map[string]any{
		"amount": map[string]any{"amount": 1, "currency": "CNY"}, "transaction_id": "harbor-dep-2"}).expect(t, 409)

	// Another partner knows none of it.
	for _, path := range []string{"/v1/cases/" + exitID, "/v1/cases/" + exitID + "/events", "/v1/partners/" + partner} {
		s.call("GET", path, s.adminB, nil).expect(t, 404)
	}
	s.call("POST", "/v1/cases/"+exitID+"/actions/withdraw", s.adminB, nil).expect(t, 404)
	s.call("POST", "/v1/partners/"+partner+"/deregistration", s.adminB, nil).expect(t, 404)

	// Deregistration: every token revoked, the records kept; it cannot be undone.
	dereg := decode[exitPartner](t, s.call("POST", "/v1/partners/"+partner+"/deregistration", admin, nil).expect(t, 200))
	if dereg.Status != store.PartnerDeregistered || dereg.Deregistered == nil {
		t.Errorf("deregistered: %+v", dereg)
	}
	s.call("GET", "/v1/partners/"+partner, admin, nil).expect(t, 401)
	s.call("POST", "/v1/partners/"+partner+"/deregistration", admin, nil).expect(t, 401)
	if again, err := s.store.DeregisterPartner(t.Context(), partner, store.Principal{ID: "unused"}, exited.UpdatedAt); err != nil ||
		again.Status != store.PartnerDeregistered || again.DeregisteredAt.Time.IsZero() {
		t.Errorf("deregistering again: %+v, %v", again, err)
	}
	if got := decode[exitPartner](t, s.call("GET", "/v1/partners/"+partner, s.ops, nil).expect(t, 200)); got.Status != store.PartnerDeregistered {
		t.Errorf("ops see the partner %s", got.Status)
	}
	ledger := decode[struct{ Entries []store.LedgerEntry }](t, s.call("GET", "/v1/partners/"+partner+"/ledger", s.ops, nil).expect(t, 200))
	sum := int64(0)
	for _, e := range ledger.Entries {
		sum += e.Amount.Amount
	}
	if len(ledger.Entries) != 4 || sum != 0 {
		t.Errorf("the ledger has %d entries summing to %d, want the deposit and the withdrawal summing to 0", len(ledger.Entries), sum)
	}
	events := decode[struct{ Events []cases.Event }](t, s.call("GET", "/v1/cases/"+exitID+"/events", s.ops, nil).expect(t, 200)).Events
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if !slices.Equal(types, []string{"requested", "blocked", "blocked", "blocked", "blocked", "cooling_off_started", "cooling_off_ended", "exited"}) {
		t.Errorf("the timeline is %v", types)
	}
	s.recordHistory(exitID, "partner_exit_walkthrough")
}

// An exit blocked by another open case of its partner checks again as soon
// as that case closes, not at its daily check.
func TestPartnerExitWakesWhenAnotherCaseCloses(t *testing.T) {
	s := startSystem(t, "3wd")
	cert := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, cert.ID, hasStatus(workflows.CertificationInReview))
	exit := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/exit", s.adminA,
		map[string]any{"reason": "we leave"}).expect(t, 202))
	blockedBy := func(c cases.Case) bool {
		return c.Status == workflows.ExitBlocked && slices.ContainsFunc(exitDetails(t, c).Obligations,
			func(o rules.ExitObligation) bool { return o.Kind == rules.ObligationOpenCase && o.ID == cert.ID })
	}
	s.waitForCase(s.ops, exit.ID, blockedBy)
	s.call("POST", "/v1/cases/"+cert.ID+"/actions/approve", s.ops, nil).expect(t, 200)
	// the exit's daily check is a day away: only the closing can have woken it
	s.waitForCase(s.ops, exit.ID, func(c cases.Case) bool { return !blockedBy(c) && c.Status != workflows.ExitChecking })
}
