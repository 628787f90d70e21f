package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
	"partnerops/store"
	"partnerops/workflows"
)

// directCustomer is a vendor-direct customer with its own sign-in, as the
// demo set's are: its ID is its cloud account's.
func (s *system) directCustomer(name string) (id, token string) {
	s.t.Helper()
	ctx := context.Background()
	c, err := s.store.CreateCustomer(ctx, name, "", "")
	if err != nil {
		s.t.Fatal(err)
	}
	_, token, err = s.store.CreatePrincipal(ctx, store.NewPrincipal{Name: name, Role: cases.RoleCustomer, CustomerID: c.ID})
	if err != nil {
		s.t.Fatal(err)
	}
	return c.ID, token
}

func associationDetails(t *testing.T, c cases.Case) workflows.CustomerAssociationDetails {
	t.Helper()
	var d workflows.CustomerAssociationDetails
	if err := json.Unmarshal(c.Details, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// assocCounts are the rows a refused request or decision must not change.
type assocCounts struct {
	Cases, Starts, Requests, Associated, Postings, Audit int
}

// The walk-through of docs/walkthroughs/customer-association.md over HTTP:
// Acme asks for an existing account; until the customer accepts with its
// own token Acme has no power over it (409 association-pending); then it
// allocates. Decline and expiry leave nothing; Nimbus's request for the
// same account is refused naming nothing of Acme; dissociation is a request
// too (blocked by a payment request, declined, withdrawn, then accepted:
// the money goes back), and the fourth in 3 months is refused naming when
// the next is allowed. Each refusal changes no row.
func TestCustomerAssociationWalkThrough(t *testing.T) {
	s := startSystem(t, "3wd")
	db, err := sqlx.Open("postgres", s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts := func() assocCounts {
		t.Helper()
		var c assocCounts
		if err := db.Get(&c, `SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_starts) AS starts,
			(SELECT count(*) FROM association_requests) AS requests,
			(SELECT count(*) FROM customers WHERE partner_id IS NOT NULL) AS associated,
			(SELECT count(*) FROM money_postings) AS postings, (SELECT count(*) FROM audit_events) AS audit`); err != nil {
			t.Fatal(err)
		}
		return c
	}
	refused := func(what string, r response, status int, slug string) problem {
		t.Helper()
		before := counts()
		p := decode[problem](t, r.expect(t, status))
		if slug != "" && p.Type != "urn:partnerops:problem:"+slug {
			t.Errorf("%s: %+v, want %s", what, p, slug)
		}
		if after := counts(); after != before {
			t.Errorf("%s changed rows: %+v, then %+v", what, before, after)
		}
		return p
	}
	pine, pineToken := s.directCustomer("Pine Hill Bakery")
	jade, jadeToken := s.directCustomer("Jade Lake Tea")
	cfgA, cfgB := s.cuConfigure(s.adminA, s.partnerA), s.cuConfigure(s.adminB, s.partnerB)
	ask := func(token, partnerID, xaccountType, xaccountID, account string) response {
		b := cuBinding(xaccountType, xaccountID, "resale")
		b["account"] = map[string]any{"origin": "existing", "cloud_account_id": account}
		b["message"] = "We resell your cloud with our bakery software"
		return s.call("POST", "/v1/partners/"+partnerID+"/customers", token, b)
	}
	act := func(caseID, action, token string, body any) response {
		return s.call("POST", "/v1/cases/"+caseID+"/actions/"+action, token, body)
	}
	allocation := func(txn string) map[string]any {
		return map[string]any{"customer_id": pine, "operation": "allocate", "amount": map[string]any{"amount": 4_000, "currency": "CNY"},
			"apply_scenes": []string{"ecs"}, "transaction_id": txn}
	}
	s.deposit(s.partnerA, 10_000, "dep-assoc")

	// An account the vendor does not know: 404, nothing written.
	refused("an unknown account", ask(s.adminA, s.partnerA, cfgA.XAccountType, "pine-0", "acc_nobody"), 404, "")

	// Acme asks for Pine Hill's account: a request (202), not a binding.
	r := ask(s.adminA, s.partnerA, cfgA.XAccountType, "pine-1", pine).expect(t, 202)
	req := decode[cases.Case](t, r)
	if req.Kind != cases.KindCustomerAssociation || r.header.Get("Location") != "/v1/cases/"+req.ID || req.CustomerID != pine {
		t.Fatalf("requested %+v at %s", req, r.header.Get("Location"))
	}
	s.waitForCase(pineToken, req.ID, hasStatus(workflows.AssociationAwaitingCustomer))

	// The customer sees it with its own token, with exactly what it grants.
	waiting := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/customers/"+pine+"/association-requests", pineToken, nil).expect(t, 200)).Cases
	if len(waiting) != 1 || waiting[0].ID != req.ID || !slices.Equal(waiting[0].Actions, []string{workflows.ActionAccept, workflows.ActionDeclineInvitation}) {
		t.Fatalf("the customer's requests: %+v", waiting)
	}
	if d := associationDetails(t, waiting[0]); d.PartnerName != "Acme Solutions" || d.AssociationMode != "resale" || len(d.Grants) != 6 ||
		d.Message == "" || d.ExpiresAt.IsZero() || d.Direction != workflows.DirectionAssociate {
		t.Errorf("the request shows %+v", d)
	}
	// Only the customer, Acme and staff see it.
	for _, tok := range []string{s.adminB, jadeToken, s.customA} {
		s.call("GET", "/v1/cases/"+req.ID, tok, nil).expect(t, 404)
	}
	for _, tok := range []string{s.adminA, s.memberA, s.ops} {
		s.call("GET", "/v1/cases/"+req.ID, tok, nil).expect(t, 200)
	}
	s.call("GET", "/v1/customers/"+pine+"/association-requests", jadeToken, nil).expect(t, 404)

	// Until it accepts, Acme has no power over the account: each power is refused 409 association-pending.
	refused("an allocation", s.call("POST", "/v1/partners/"+s.partnerA+"/adjustments", s.adminA, allocation("alloc-early")), 409, "association-pending")
	refused("a contract", s.call("POST", "/v1/customers/"+pine+"/contracts", s.memberA, map[string]string{"title": "Cloud 2026"}), 409, "association-pending")
	refused("an auto-renewal", s.call("PUT", "/v1/customers/"+pine+"/resources/ecs-1/auto_renewal", s.adminA,
		map[string]any{"period_unit": "month", "period": 1, "count": 3}), 409, "association-pending")
	refused("a payment request", s.call("POST", "/v1/customers/"+pine+"/orders", pineToken, orderBody("partner", 1_000)), 409, "association-pending")
	// Acme cannot answer for the customer; Nimbus's request for the same account names nothing of Acme.
	refused("Acme accepting", act(req.ID, workflows.ActionAccept, s.adminA, nil), 403, "")
	if p := refused("Nimbus asking meanwhile", ask(s.adminB, s.partnerB, cfgB.XAccountType, "pine-n", pine), 409, "account-unavailable"); strings.Contains(p.Detail, "Acme") || strings.Contains(p.Detail, s.partnerA) {
		t.Errorf("the refusal names Acme: %s", p.Detail)
	}

	// The customer accepts with its own credentials: the allocation works.
	if got := decode[cases.Case](t, act(req.ID, workflows.ActionAccept, pineToken, nil).expect(t, 200)); got.Status != workflows.AssociationAccepted {
		t.Fatalf("accepted: %s", got.Status)
	}
	s.call("POST", "/v1/partners/"+s.partnerA+"/adjustments", s.adminA, allocation("alloc-1")).expect(t, 201)
	refused("a second decision", act(req.ID, workflows.ActionDeclineInvitation, pineToken, nil), 409, "")
	if p := refused("Nimbus asking afterwards", ask(s.adminB, s.partnerB, cfgB.XAccountType, "pine-n", pine), 409, "account-unavailable"); strings.Contains(p.Detail, "Acme") {
		t.Errorf("the refusal names Acme: %s", p.Detail)
	}

	// Declined: the account is untouched, the case closed with the reason.
	declined := decode[cases.Case](t, ask(s.adminA, s.partnerA, cfgA.XAccountType, "jade-1", jade).expect(t, 202))
	s.waitForCase(jadeToken, declined.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	before := counts()
	got := decode[cases.Case](t, act(declined.ID, workflows.ActionDeclineInvitation, jadeToken, map[string]string{"reason": "we buy directly"}).expect(t, 200))
	if d := associationDetails(t, got); got.Status != workflows.AssociationDeclined || d.ClosingReason != "declined by the customer: we buy directly" {
		t.Errorf("declined: %s %+v", got.Status, d)
	}
	if after := counts(); after.Associated != before.Associated || after.Postings != before.Postings {
		t.Errorf("a declined request changed the account: %+v, then %+v", before, after)
	}
	// Expired: unanswered by the expiry (15 s here), it closes and nothing changes.
	late := decode[cases.Case](t, ask(s.adminA, s.partnerA, cfgA.XAccountType, "jade-2", jade).expect(t, 202))
	expired := s.waitForCase(s.ops, late.ID, hasStatus(workflows.AssociationExpired))
	if d := associationDetails(t, expired); !strings.HasPrefix(d.ClosingReason, "expired") {
		t.Errorf("expired: %+v", d)
	}
	refused("accepting an expired request", act(late.ID, workflows.ActionAccept, jadeToken, nil), 409, "")
	if c := decode[cuCustomer](t, s.call("GET", "/v1/customers/"+jade, jadeToken, nil).expect(t, 200)); c.Partner.IsSubCustomer || c.XAccountID != "" {
		t.Errorf("after a decline and an expiry Jade Lake is %+v", c)
	}

	// Dissociation is a request too, listing what blocks it: here the order Pine Hill asked Acme to pay.
	pay := s.askPartnerToPay(ppCustomer{id: pine, token: pineToken, partnerID: s.partnerA, partnerToken: s.adminA}, 1_000)
	dissociate := func() response { return s.call("DELETE", "/v1/partners/"+s.partnerA+"/customers/"+pine, s.adminA, nil) }
	refused("a member asking to dissociate", s.call("DELETE", "/v1/partners/"+s.partnerA+"/customers/"+pine, s.memberA, nil), 403, "")
	d1 := decode[cases.Case](t, dissociate().expect(t, 202))
	if d := associationDetails(t, d1); d.Direction != workflows.DirectionDissociate || len(d.Blockers) != 1 || d.Blockers[0].ID != pay.ID || d.Blockers[0].ClearedBy == "" {
		t.Errorf("the dissociation request lists %+v", d.Blockers)
	}
	s.waitForCase(pineToken, d1.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	refused("a second open request", dissociate(), 409, "case-open")
	refused("accepting while blocked", act(d1.ID, workflows.ActionAccept, pineToken, nil), 409, "dissociation-blocked")
	act(d1.ID, workflows.ActionDeclineInvitation, pineToken, nil).expect(t, 200)
	act(pay.ID, workflows.ActionApprove, s.adminA, nil).expect(t, 200)
	s.waitForCase(s.ops, pay.ID, hasStatus(workflows.PaymentPaidByPartner))
	d2 := decode[cases.Case](t, dissociate().expect(t, 202))
	s.waitForCase(s.adminA, d2.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	act(d2.ID, workflows.ActionWithdraw, s.adminA, nil).expect(t, 200)
	d3 := decode[cases.Case](t, dissociate().expect(t, 202))
	s.waitForCase(pineToken, d3.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	act(d3.ID, workflows.ActionAccept, pineToken, nil).expect(t, 200)
	if got := s.partnerBalance(s.partnerA); got != 9_000 {
		t.Errorf("after the dissociation Acme holds %d, want 9000 (the 4000 allocated came back)", got)
	}
	s.call("GET", "/v1/customers/"+pine, s.adminA, nil).expect(t, 404)

	// Associated again, a fourth dissociation request within 3 months is refused, naming when the next is allowed.
	again := decode[cases.Case](t, ask(s.adminA, s.partnerA, cfgA.XAccountType, "pine-2", pine).expect(t, 202))
	s.waitForCase(pineToken, again.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	act(again.ID, workflows.ActionAccept, pineToken, nil).expect(t, 200)
	if p := refused("a fourth dissociation request", dissociate(), 409, "dissociation-limit"); !strings.Contains(p.Detail, "CST") {
		t.Errorf("the refusal names no time in the business time zone: %s", p.Detail)
	}

	s.recordHistory(req.ID, "customer_association_walkthrough")
	s.recordHistory(late.ID, "customer_association_expired")
	s.recordHistory(d1.ID, "customer_dissociation_blocked_declined")
	s.recordHistory(d3.ID, "customer_dissociation_accepted")
}
