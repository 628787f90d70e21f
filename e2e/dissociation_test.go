package e2e

import (
	"testing"

	"partnerops/cases"
	"partnerops/workflows"
)

// TestDissociatingACustomer: only the admin may ask; the customer accepts
// with its own token; orders waiting on the partner block the acceptance;
// what the customer holds goes back to the partner; then the customer is
// nobody's sub-customer and the partner sees none of it.
func TestDissociatingACustomer(t *testing.T) {
	s := startSystem(t, "3wd")
	c := ppCustomer{id: s.customerA(), token: s.customA, partnerID: s.partnerA, partnerToken: s.adminA}
	path := "/v1/partners/" + s.partnerA + "/customers/" + c.id
	s.deposit(s.partnerA, 10_000, "dep-unbind")
	s.call("POST", "/v1/partners/"+s.partnerA+"/adjustments", s.adminA, map[string]any{
		"customer_id": c.id, "operation": "allocate", "amount": map[string]any{"amount": 4_000, "currency": "CNY"},
		"apply_scenes": []string{"ecs"}, "transaction_id": "alloc-unbind",
	}).expect(t, 201)

	s.call("DELETE", path, s.memberA, nil).expect(t, 403)
	s.call("DELETE", path, s.ops, nil).expect(t, 403)
	s.call("DELETE", "/v1/partners/"+s.partnerB+"/customers/"+c.id, s.adminB, nil).expect(t, 404)

	// An order waiting for the partner blocks the acceptance: 409, nothing moves, the request waits.
	pc := s.askPartnerToPay(c, 1_000)
	req := decode[cases.Case](t, s.call("DELETE", path, s.adminA, nil).expect(t, 202))
	s.waitForCase(c.token, req.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	if p := decode[problem](t, s.call("POST", "/v1/cases/"+req.ID+"/actions/accept", c.token, nil).expect(t, 409)); p.Type != "urn:partnerops:problem:dissociation-blocked" {
		t.Errorf("blocked dissociation: %+v", p)
	}
	if got := s.partnerBalance(s.partnerA); got != 6_000 {
		t.Errorf("a refused dissociation moved money: partner holds %d", got)
	}
	s.call("POST", "/v1/cases/"+pc.ID+"/actions/decline", s.adminA, map[string]string{"reason": "no"}).expect(t, 200)
	s.call("POST", "/v1/cases/"+pc.ID+"/actions/pay", c.token, nil).expect(t, 200)
	s.waitForCase(s.ops, pc.ID, hasStatus(workflows.PaymentPaidByCustomer))

	if got := decode[cases.Case](t, s.call("POST", "/v1/cases/"+req.ID+"/actions/accept", c.token, nil).expect(t, 200)); got.Status != workflows.AssociationAccepted {
		t.Fatalf("accepted: %s", got.Status)
	}
	if got := s.partnerBalance(s.partnerA); got != 9_000 {
		t.Errorf("after the dissociation the partner holds %d, want 9000 (the 3000 the customer still held came back)", got)
	}
	me := decode[struct {
		Partner struct {
			IsSubCustomer bool `json:"is_sub_customer"`
		} `json:"partner"`
	}](t, s.call("GET", "/v1/customers/"+c.id, c.token, nil).expect(t, 200))
	if me.Partner.IsSubCustomer {
		t.Error("after the dissociation the customer is still a sub-customer")
	}
	s.call("GET", "/v1/customers/"+c.id, s.adminA, nil).expect(t, 404)
	s.call("DELETE", path, s.adminA, nil).expect(t, 404)
}
