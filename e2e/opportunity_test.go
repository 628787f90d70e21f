package e2e

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// The walk-through of docs/walkthroughs/opportunities.md, over HTTP: a vague
// opportunity refused by the checks with every reason, fixed, approved and
// moved through its stages; a vendor opportunity shared and accepted;
// another shared and left to expire, then available to share again. The
// other partner gets 404 on every one of them.

// vaguePO fails every validity rule: no contact, budget, timeline or
// incremental revenue, and a placeholder for a need.
var vaguePO = map[string]any{
	"customer":      map[string]any{"name": "Lakeside Retail Co., Ltd.", "industry": "retail"},
	"business_need": map[string]any{"description": "TBD"},
	"products":      []string{"ECS"},
}

func fixedPO(customer string) map[string]any {
	return map[string]any{
		"customer":                     map[string]any{"name": customer, "industry": "retail", "certificate_number": "91330100MA2H3X4Y5Z"},
		"contact":                      map[string]any{"name": "Li Wei", "email": "li.wei@lakeside.example"},
		"budget":                       map[string]any{"amount": 50_000_000, "currency": "CNY"},
		"expected_start":               "2027-01-15",
		"expected_close":               "2027-03-31",
		"incremental_revenue_per_year": map[string]any{"amount": 12_000_000, "currency": "CNY"},
		"incremental":                  "migration_from_another_cloud",
		"business_need": map[string]any{"category": "cost_reduction",
			"description": "Move the order platform off another cloud to cut hosting costs by a third before the spring sales."},
		"next_action": map[string]any{"description": "Architecture workshop with the customer's IT team", "owner": "Zhang San", "due_date": "2026-12-10"},
		"products":    []string{"ECS", "RDS for MySQL"},
	}
}

func opportunityDetails(t *testing.T, c cases.Case) workflows.OpportunityDetails {
	t.Helper()
	var d workflows.OpportunityDetails
	if err := json.Unmarshal(c.Details, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// strangerSees404 checks that the other partner gets 404 on the case, its
// timeline and its actions.
func (s *system) strangerSees404(token, caseID string, action string) {
	s.t.Helper()
	s.call("GET", "/v1/cases/"+caseID, token, nil).expect(s.t, 404)
	s.call("GET", "/v1/cases/"+caseID+"/events", token, nil).expect(s.t, 404)
	s.call("POST", "/v1/cases/"+caseID+"/actions/"+action, token, map[string]any{}).expect(s.t, 404)
}

func TestOpportunityWalkthrough(t *testing.T) {
	s := startSystem(t, "3wd")

	// Bad input names every bad field and writes nothing.
	bad := fixedPO("Lakeside Retail")
	bad["expected_close"] = "next spring"
	bad["incremental"] = "existing_spend"
	bad["products"] = []string{}
	p := decode[problem](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, bad).expect(t, 422))
	if p.fields() != "expected_close,incremental,products" {
		t.Errorf("bad input names %q", p.fields())
	}
	if list := s.waitForList("/v1/cases?kind=opportunity", s.ops, func([]cases.Case) bool { return true }); len(list) != 0 {
		t.Fatalf("a refused registration wrote %d cases", len(list))
	}

	// A vague opportunity: every failed rule named with its reason code.
	r := s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO, "Idempotency-Key", "po-lakeside").expect(t, 202)
	po := decode[cases.Case](t, r)
	if po.Kind != cases.KindOpportunity || r.header.Get("Location") != "/v1/cases/"+po.ID {
		t.Fatalf("started %+v at %s", po, r.header.Get("Location"))
	}
	again := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO, "Idempotency-Key", "po-lakeside").expect(t, 202))
	if again.ID != po.ID {
		t.Errorf("a retry with the key started %s, not %s", again.ID, po.ID)
	}
	po = s.waitForCase(s.adminA, po.ID, hasStatus(workflows.OpportunityActionRequired))
	d := opportunityDetails(t, po)
	if want := []string{rules.ReasonNoCustomerContact, rules.ReasonNoBudgetOrTimeline, rules.ReasonNoIncrementalRevenue,
		rules.ReasonVagueDescription}; !slices.Equal(d.Reasons, want) || len(d.Findings) < len(want) {
		t.Errorf("reasons %v, findings %+v", d.Reasons, d.Findings)
	}
	if !slices.Equal(po.Actions, []string{workflows.ActionResubmit, workflows.ActionWithdraw}) || d.FixBy == nil {
		t.Errorf("the partner may %v, fix by %v", po.Actions, d.FixBy)
	}
	s.strangerSees404(s.adminB, po.ID, workflows.ActionResubmit)

	// A resubmission that is malformed is refused and changes nothing.
	p = decode[problem](t, s.call("POST", "/v1/cases/"+po.ID+"/actions/resubmit", s.adminA, bad).expect(t, 422))
	if p.fields() != "expected_close,incremental,products" {
		t.Errorf("a bad resubmission names %q", p.fields())
	}

	// Fixed and resubmitted: in review under the 2-working-day SLA.
	s.call("POST", "/v1/cases/"+po.ID+"/actions/resubmit", s.memberA, fixedPO("Lakeside Retail Co., Ltd.")).expect(t, 200)
	po = s.waitForCase(s.ops, po.ID, hasStatus(workflows.OpportunityInReview))
	if po.SLA == nil || po.SLA.Breached || !slices.Equal(po.Actions, []string{workflows.ActionApprove, workflows.ActionRequestChanges, workflows.ActionReject}) {
		t.Errorf("in review: sla %+v, ops may %v", po.SLA, po.Actions)
	}
	s.call("POST", "/v1/cases/"+po.ID+"/actions/approve", s.adminA, map[string]any{}).expect(t, 403)
	approved := decode[cases.Case](t, s.call("POST", "/v1/cases/"+po.ID+"/actions/approve", s.ops, nil).expect(t, 200))
	if d := opportunityDetails(t, approved); approved.Status != workflows.OpportunityApproved || d.Stage != workflows.StageQualified {
		t.Errorf("approved: %s at %q", approved.Status, d.Stage)
	}
	if p := decode[problem](t, s.call("POST", "/v1/cases/"+po.ID+"/actions/advance", s.adminA, map[string]any{"stage": "lost"}).expect(t, 422)); p.fields() != "lost_reason_code,lost_reason" {
		t.Errorf("lost without its reasons names %q", p.fields())
	}
	s.call("POST", "/v1/cases/"+po.ID+"/actions/advance", s.adminA, map[string]any{"stage": "committed"}).expect(t, 422) // stages move in order
	s.call("POST", "/v1/cases/"+po.ID+"/actions/advance", s.adminA, map[string]any{"stage": "technical_validation"}).expect(t, 200)
	s.strangerSees404(s.adminB, po.ID, workflows.ActionAdvance)

	// Another partner registers the same customer: flagged for the reviewer.
	dup := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerB+"/opportunities", s.adminB, fixedPO("LAKESIDE RETAIL")).expect(t, 202))
	dup = s.waitForCase(s.ops, dup.ID, hasStatus(workflows.OpportunityInReview))
	if !opportunityDetails(t, dup).LikelyDuplicate {
		t.Error("the same customer with another partner is not flagged")
	}
	s.call("POST", "/v1/cases/"+dup.ID+"/actions/reject", s.ops, map[string]any{"reason_code": "customer_engaged_by_another_partner",
		"reason": "Acme registered this customer first"}).expect(t, 200)
	s.strangerSees404(s.adminA, dup.ID, workflows.ActionResubmit)

	// The partner's list, by status and stage.
	type oppList struct {
		Opportunities []cases.Case `json:"opportunities"`
	}
	atStage := decode[oppList](t, s.call("GET", "/v1/partners/"+s.partnerA+"/opportunities?stage=technical_validation", s.adminA, nil).expect(t, 200))
	if len(atStage.Opportunities) != 1 || atStage.Opportunities[0].ID != po.ID {
		t.Errorf("at technical_validation: %+v", atStage.Opportunities)
	}
	s.call("GET", "/v1/partners/"+s.partnerA+"/opportunities", s.adminB, nil).expect(t, 404)

	// A vendor opportunity shared with Acme: no contact until it accepts.
	vendor := fixedPO("Harbour Logistics")
	vendor["customer"] = map[string]any{"name": "Harbour Logistics", "industry": "logistics"}
	s.call("POST", "/v1/vendor-opportunities", s.adminA, vendor).expect(t, 403)
	type vendorOpp struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		CaseID string `json:"case_id"`
	}
	vop := decode[vendorOpp](t, s.call("POST", "/v1/vendor-opportunities", s.ops, vendor, "Idempotency-Key", "vop-harbour").expect(t, 201))
	inv := decode[cases.Case](t, s.call("POST", "/v1/vendor-opportunities/"+vop.ID+"/share", s.ops, map[string]any{"partner_id": s.partnerA}).expect(t, 202))
	s.call("POST", "/v1/vendor-opportunities/"+vop.ID+"/share", s.ops, map[string]any{"partner_id": s.partnerB}).expect(t, 409)
	inv = s.waitForCase(s.adminA, inv.ID, func(c cases.Case) bool { return c.Status == workflows.OpportunityInvited && c.Live })
	if d := opportunityDetails(t, inv); d.Opportunity.Contact != nil || d.Origin != workflows.OriginVendor || d.InvitationExpiresAt == nil {
		t.Errorf("invited: %+v", d)
	}
	s.strangerSees404(s.adminB, inv.ID, workflows.ActionAccept)
	accepted := decode[cases.Case](t, s.call("POST", "/v1/cases/"+inv.ID+"/actions/accept", s.memberA, nil).expect(t, 200))
	if d := opportunityDetails(t, accepted); accepted.Status != workflows.OpportunityApproved || d.Opportunity.Contact == nil || d.Opportunity.Contact.Name != "Li Wei" {
		t.Errorf("accepted: %s %+v", accepted.Status, d.Opportunity.Contact)
	}
	if v := decode[vendorOpp](t, s.call("GET", "/v1/vendor-opportunities/"+vop.ID, s.ops, nil).expect(t, 200)); v.Status != "accepted" || v.CaseID != inv.ID {
		t.Errorf("the vendor opportunity is %+v", v)
	}
	s.recordHistory(po.ID, "opportunity_walkthrough")
	s.recordHistory(inv.ID, "opportunity_invitation_accepted")

	// Another shared with Nimbus for one minute, left to expire, then available to share again.
	other := fixedPO("Northwind Foods")
	other["customer"] = map[string]any{"name": "Northwind Foods", "industry": "food"}
	vop2 := decode[vendorOpp](t, s.call("POST", "/v1/vendor-opportunities", s.ops, other).expect(t, 201))
	late := decode[cases.Case](t, s.call("POST", "/v1/vendor-opportunities/"+vop2.ID+"/share", s.ops,
		map[string]any{"partner_id": s.partnerB, "expires_in_minutes": 1}).expect(t, 202))
	s.strangerSees404(s.adminA, late.ID, workflows.ActionDeclineInvitation)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c := decode[cases.Case](t, s.call("GET", "/v1/cases/"+late.ID, s.adminB, nil).expect(t, 200))
		if c.Status == workflows.OpportunityExpired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the invitation stayed %s", c.Status)
		}
		time.Sleep(500 * time.Millisecond)
	}
	s.call("POST", "/v1/cases/"+late.ID+"/actions/accept", s.adminB, nil).expect(t, 409)
	if v := decode[vendorOpp](t, s.call("GET", "/v1/vendor-opportunities/"+vop2.ID, s.ops, nil).expect(t, 200)); v.Status != "available" {
		t.Errorf("after the expiry the vendor opportunity is %+v", v)
	}
	s.call("POST", "/v1/vendor-opportunities/"+vop2.ID+"/share", s.ops, map[string]any{"partner_id": s.partnerA}).expect(t, 202)
	s.recordHistory(late.ID, "opportunity_invitation_expired")

	// Ops see them all in the case list.
	all := s.waitForList("/v1/cases?kind=opportunity", s.ops, func(l []cases.Case) bool { return len(l) == 5 })
	if len(all) != 5 {
		t.Errorf("ops see %d opportunity cases, want 5", len(all))
	}
}

// With a short fix window: an opportunity left unfixed closes invalid with
// its failed rules (the partner reminded before, then told); another is
// withdrawn by the partner and then listed nowhere as open.
func TestOpportunityFixWindowAndWithdraw(t *testing.T) {
	s := startSystem(t, "3wd")
	s.fixWindow = "6s"
	s.baseURL = s.serveAPI(s.temporal)

	left := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO).expect(t, 202))
	waiting := s.waitForCase(s.adminA, left.ID, hasStatus(workflows.OpportunityActionRequired))
	if d := opportunityDetails(t, waiting); d.FixBy == nil || d.FixReminderAt == nil || !d.FixReminderAt.Before(*d.FixBy) {
		t.Errorf("fix by %v, reminded at %v", d.FixBy, d.FixReminderAt)
	}
	s.waitForCase(s.adminA, left.ID, hasStatus(workflows.OpportunityInvalid))
	events := s.waitForEvents(left.ID, 4)
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if !slices.Equal(types, []string{"submitted", "checks_failed", "fix_reminder", "judged_invalid"}) {
		t.Errorf("timeline %v", types)
	}
	s.call("POST", "/v1/cases/"+left.ID+"/actions/resubmit", s.adminA, fixedPO("Lakeside Retail Co., Ltd.")).expect(t, 409)

	withdrawn := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, fixedPO("Harbour Logistics")).expect(t, 202))
	s.waitForCase(s.adminA, withdrawn.ID, hasStatus(workflows.OpportunityInReview))
	s.call("POST", "/v1/cases/"+withdrawn.ID+"/actions/withdraw", s.adminB, map[string]any{}).expect(t, 404)
	s.call("POST", "/v1/cases/"+withdrawn.ID+"/actions/withdraw", s.ops, map[string]any{}).expect(t, 403)
	done := decode[cases.Case](t, s.call("POST", "/v1/cases/"+withdrawn.ID+"/actions/withdraw", s.adminA,
		map[string]any{"reason": "The customer postponed"}).expect(t, 200))
	if done.Status != workflows.OpportunityWithdrawn || done.ClosedAt == nil {
		t.Errorf("withdrawn: %s, closed %v", done.Status, done.ClosedAt)
	}
	s.recordHistory(left.ID, "opportunity_judged_invalid")
}
