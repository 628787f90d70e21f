package e2e

import (
	"testing"
)

// TestOpsDecideLevelApplications: only staff decide; a rejection needs a
// reason; an approval gives the partner the level; a decision is final.
func TestOpsDecideLevelApplications(t *testing.T) {
	s := startSystem(t, "3wd")
	fresh := s.pmRegister("Rising Solutions", "solution_provider", "certified")
	f := "/v1/partners/" + fresh.Partner.ID
	first := decode[pmApplication](t, s.call("POST", f+"/level-applications", fresh.Admin.Token, map[string]any{"level": "preferred"}).expect(t, 201))

	s.call("POST", f+"/level-applications/"+first.ID+"/approve", fresh.Admin.Token, nil).expect(t, 403)
	s.call("POST", f+"/level-applications/"+first.ID+"/approve", s.customA, nil).expect(t, 403)
	if p := decode[problem](t, s.call("POST", f+"/level-applications/"+first.ID+"/reject", s.ops, map[string]string{}).expect(t, 422)); p.fields() != "reason" {
		t.Errorf("a rejection without a reason names %q", p.fields())
	}
	s.call("POST", "/v1/partners/"+s.partnerA+"/level-applications/"+first.ID+"/approve", s.ops, nil).expect(t, 404)

	rejected := decode[pmDecidedApplication](t, s.call("POST", f+"/level-applications/"+first.ID+"/reject", s.ops,
		map[string]string{"reason": "Two more certified engineers first"}).expect(t, 200))
	if rejected.Status != "rejected" || rejected.DecisionReason != "Two more certified engineers first" || rejected.DecidedBy.Name != "Olivia Ops" {
		t.Errorf("rejected %+v", rejected)
	}
	s.call("POST", f+"/level-applications/"+first.ID+"/approve", s.ops, nil).expect(t, 409)

	second := decode[pmApplication](t, s.call("POST", f+"/level-applications", fresh.Admin.Token, map[string]any{"level": "preferred"}).expect(t, 201))
	approved := decode[pmDecidedApplication](t, s.call("POST", f+"/level-applications/"+second.ID+"/approve", s.supervisor, nil).expect(t, 200))
	if approved.Status != "approved" || approved.DecidedBy.Name != "Sam Supervisor" {
		t.Errorf("approved %+v", approved)
	}
	partner := decode[struct{ Level string }](t, s.call("GET", f, fresh.Admin.Token, nil).expect(t, 200))
	if partner.Level != "preferred" {
		t.Errorf("after the approval the partner's level is %q", partner.Level)
	}
	// The level now held cannot be applied for again.
	s.call("POST", f+"/level-applications", fresh.Admin.Token, map[string]any{"level": "preferred"}).expect(t, 409)
}

// pmDecidedApplication is a level application with its decision.
type pmDecidedApplication struct {
	Status         string `json:"status"`
	DecisionReason string `json:"decision_reason"`
	DecidedBy      struct {
		Name string `json:"name"`
	} `json:"decided_by"`
}
