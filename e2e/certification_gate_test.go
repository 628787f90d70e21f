package e2e

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// TestCertificationGateOverHTTP: a partner that never certified is refused
// every gated operation with 409 certification-required, saying how to
// start a certification, and no row changes; once certified, the same
// requests go through.
func TestCertificationGateOverHTTP(t *testing.T) {
	s := startSystem(t, "3wd")
	partnerID, admin := s.newUncertifiedPartner("Orchid Digital", "solution_provider", "preferred")
	customer := s.newCustomerOf(partnerID, admin, "resale")
	cfg := s.cuConfigure(admin, partnerID)
	vendor := fixedPO("Harbour Logistics")
	vendor["customer"] = map[string]any{"name": "Harbour Logistics", "industry": "logistics"}
	vop := decode[struct{ ID string }](t, s.call("POST", "/v1/vendor-opportunities", s.ops, vendor).expect(t, 201))

	db, err := sqlx.Open("postgres", s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type rowCounts struct {
		Cases, Starts, Customers, Orders, Levels, Audit, Held int
	}
	counts := func() rowCounts {
		t.Helper()
		var c rowCounts
		if err := db.Get(&c, `SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_starts) AS starts,
			(SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders,
			(SELECT count(*) FROM partner_level_applications) AS levels, (SELECT count(*) FROM audit_events) AS audit,
			(SELECT count(*) FROM vendor_opportunities WHERE status <> 'available') AS held`); err != nil {
			t.Fatal(err)
		}
		return c
	}
	type gated struct {
		what, method, path, token string
		body                      any
	}
	operations := []gated{
		{"bind a customer", "POST", "/v1/partners/" + partnerID + "/customers", admin, cuBinding(cfg.XAccountType, "orchid-1", "resale")},
		{"be asked to pay", "POST", "/v1/customers/" + customer.id + "/orders", customer.token, orderBody(rules.PayerPartner, 10_000)},
		{"receive a vendor opportunity", "POST", "/v1/vendor-opportunities/" + vop.ID + "/share", s.ops, map[string]any{"partner_id": partnerID}},
		{"have a settlement published", "POST", "/v1/partners/" + partnerID + "/incentive-settlements", s.ops, settlementBody("2026-Q3")},
		{"apply for a level", "POST", "/v1/partners/" + partnerID + "/level-applications", admin, map[string]any{"level": "leading"}},
	}
	before := counts()
	for _, op := range operations {
		p := decode[problem](t, s.call(op.method, op.path, op.token, op.body).expect(t, 409))
		if p.Type != "urn:partnerops:problem:certification-required" || !strings.Contains(p.Detail, "/v1/partners/"+partnerID+"/certifications") ||
			!strings.Contains(p.Detail, "Orchid Digital") {
			t.Errorf("%s: %+v", op.what, p)
		}
	}
	if after := counts(); after != before {
		t.Errorf("the refusals changed rows: %+v, then %+v", before, after)
	}

	// Submitted, not yet certified: still refused, naming the case.
	cert := decode[cases.Case](t, s.submit(admin, partnerID, businessInfo(rules.WithUSCCCheck("91440300MA5F00300"))).expect(t, 202))
	s.waitForCase(s.ops, cert.ID, hasStatus(workflows.CertificationInReview))
	if p := decode[problem](t, s.call("POST", operations[0].path, admin, operations[0].body).expect(t, 409)); p.CaseID != cert.ID {
		t.Errorf("refused while in review, naming %q, want %s", p.CaseID, cert.ID)
	}
	s.call("POST", "/v1/cases/"+cert.ID+"/actions/approve", s.ops, nil).expect(t, 200)
	s.call(operations[0].method, operations[0].path, admin, operations[0].body).expect(t, 201)
	s.call(operations[2].method, operations[2].path, s.ops, operations[2].body).expect(t, 202)
}
