package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// selfRegistration is a company registering itself.
func selfRegistration(name string) map[string]any {
	return map[string]any{"name": name, "type": "solution_provider",
		"contact": map[string]any{"name": "Lin Wei", "phone": "+86 138-0013-8000", "email": "lin.wei@orchid.example"}}
}

type selfRegistered struct {
	Partner struct {
		ID, Name, Status string
		Level            *string
	}
	Admin struct {
		PrincipalID string `json:"principal_id"`
		Token       string
	}
}

// TestSelfRegistration: a company registers itself without a token and
// gets its admin token once; bad fields are named at once and store
// nothing; the partner is refused certification-required on binding,
// certifies (ops approve) and then binds a new customer. Registrations are
// limited for all addresses together (429 with Retry-After) and bounded
// while pending (429 registrations-full), changing no row.
func TestSelfRegistration(t *testing.T) {
	s := startSystem(t, "3wd")
	db, err := sqlx.Open("postgres", s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	partners := func() int {
		t.Helper()
		var n int
		if err := db.Get(&n, `SELECT (SELECT count(*) FROM partners) + (SELECT count(*) FROM principals)`); err != nil {
			t.Fatal(err)
		}
		return n
	}

	before := partners()
	bad := decode[problem](t, s.call("POST", "/v1/partner-registrations", "", map[string]any{"name": " ", "type": "reseller",
		"contact": map[string]any{"name": "Lin", "phone": "12", "email": "Lin <lin@orchid.example>"}}).expect(t, 422))
	if got := bad.fields(); got != "name,type,contact.phone,contact.email" {
		t.Errorf("the bad fields named: %s", got)
	}
	if after := partners(); after != before {
		t.Errorf("a refused registration stored rows: %d -> %d", before, after)
	}

	r := s.call("POST", "/v1/partner-registrations", "", selfRegistration("Orchid Digital")).expect(t, 201)
	reg := decode[selfRegistered](t, r)
	if reg.Admin.Token == "" || reg.Partner.Level == nil || *reg.Partner.Level != "certified" || r.header.Get("Location") != "/v1/partners/"+reg.Partner.ID {
		t.Fatalf("registered %s", r.body)
	}
	partnerID, admin := reg.Partner.ID, reg.Admin.Token
	seen := decode[struct {
		SelfRegistered bool `json:"self_registered"`
		Contact        struct{ Email string }
	}](t, s.call("GET", "/v1/partners/"+partnerID, s.ops, nil).expect(t, 200))
	if !seen.SelfRegistered || seen.Contact.Email != "lin.wei@orchid.example" {
		t.Errorf("ops see the partner as %+v", seen)
	}
	s.call("GET", "/v1/partners/"+partnerID, admin, nil).expect(t, 200)

	cfg := s.cuConfigure(admin, partnerID)
	binding := cuBinding(cfg.XAccountType, "orchid-1", "resale")
	before = partners()
	p := decode[problem](t, s.call("POST", "/v1/partners/"+partnerID+"/customers", admin, binding).expect(t, 409))
	if p.Type != "urn:partnerops:problem:certification-required" || !strings.Contains(p.Detail, "Orchid Digital") {
		t.Errorf("binding before certification: %+v", p)
	}
	if after := partners(); after != before {
		t.Errorf("the refused binding changed rows: %d -> %d", before, after)
	}

	cert := decode[cases.Case](t, s.submit(admin, partnerID, businessInfo(rules.WithUSCCCheck("91440300MA5F00301"))).expect(t, 202))
	s.waitForCase(s.ops, cert.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+cert.ID+"/actions/approve", s.ops, nil).expect(t, 200)
	s.cuBind(admin, partnerID, binding)

	// All addresses together: the third registration in the window is refused.
	s.apiDeps = func(d *api.Deps) { d.RateLimits = api.RateLimits{Window: time.Minute, Registrations: 2} }
	s.baseURL = s.serveAPI(s.temporal)
	s.call("POST", "/v1/partner-registrations", "", selfRegistration("Second")).expect(t, 201)
	s.call("POST", "/v1/partner-registrations", "", selfRegistration("Third")).expect(t, 201)
	before = partners()
	limited := s.call("POST", "/v1/partner-registrations", "", selfRegistration("Fourth")).expect(t, 429)
	if limited.header.Get("Retry-After") == "" || decode[problem](t, limited).Type != "urn:partnerops:problem:rate-limited" {
		t.Errorf("rate-limited: %v %s", limited.header, limited.body)
	}
	if after := partners(); after != before {
		t.Errorf("a rate-limited registration stored rows: %d -> %d", before, after)
	}

	// Second and Third are pending (no certification submitted): a bound of 2 is reached.
	s.apiDeps = func(d *api.Deps) { d.PendingRegistrations = 2 }
	s.baseURL = s.serveAPI(s.temporal)
	full := s.call("POST", "/v1/partner-registrations", "", selfRegistration("Fourth")).expect(t, 429)
	if full.header.Get("Retry-After") == "" || decode[problem](t, full).Type != "urn:partnerops:problem:registrations-full" {
		t.Errorf("registrations full: %v %s", full.header, full.body)
	}
	if after := partners(); after != before {
		t.Errorf("a registration past the bound stored rows: %d -> %d", before, after)
	}
}
