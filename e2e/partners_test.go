package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
	"partnerops/workflows"
)

// The shapes of the partners and members API, as these tests read them.
type pmPartner struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Type      string  `json:"type"`
	Level     *string `json:"level"`
	Settings  pmSettings
	CreatedBy *cases.Actor `json:"created_by"`
}

type pmSettings struct {
	AutoIncentiveApplication bool         `json:"auto_incentive_application"`
	UpdatedAt                *time.Time   `json:"updated_at"`
	UpdatedBy                *cases.Actor `json:"updated_by"`
}

type pmRegistration struct {
	Partner pmPartner `json:"partner"`
	Admin   struct {
		PrincipalID string `json:"principal_id"`
		Name        string `json:"name"`
		Token       string `json:"token"`
	} `json:"admin"`
}

type pmPlan struct {
	ID            string `json:"id"`
	Year          int    `json:"year"`
	RevenueTarget struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	} `json:"revenue_target"`
	SignedBy  string      `json:"signed_by"`
	CreatedBy cases.Actor `json:"created_by"`
}

type pmApplication struct {
	ID             string      `json:"id"`
	PartnerID      string      `json:"partner_id"`
	Level          string      `json:"level"`
	Status         string      `json:"status"`
	BusinessPlanID *string     `json:"business_plan_id"`
	SubmittedBy    cases.Actor `json:"submitted_by"`
	CreatedAt      time.Time   `json:"created_at"`
}

type pmInvitation struct {
	ID          string      `json:"id"`
	PartnerID   string      `json:"partner_id"`
	PartnerName string      `json:"partner_name"`
	PrincipalID string      `json:"principal_id"`
	Status      string      `json:"status"`
	InvitedBy   cases.Actor `json:"invited_by"`
	RespondedAt *time.Time  `json:"responded_at"`
}

type pmMember struct {
	PrincipalID string    `json:"principal_id"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Since       time.Time `json:"since"`
}

type pmAuditEvent struct {
	PrincipalID   string         `json:"principal_id"`
	PrincipalName string         `json:"principal_name"`
	Action        string         `json:"action"`
	TargetKind    string         `json:"target_kind"`
	TargetID      string         `json:"target_id"`
	Detail        map[string]any `json:"detail"`
}

// pmPersonal creates a personal account (role member, no partner) and
// returns its principal ID and token.
func (s *system) pmPersonal(name string) (string, string) {
	s.t.Helper()
	p, token, err := s.store.CreatePrincipal(context.Background(), store.NewPrincipal{Name: name, Role: cases.RoleMember})
	if err != nil {
		s.t.Fatal(err)
	}
	if p.PartnerID.Valid {
		s.t.Fatalf("a personal account was created with partner %s", p.PartnerID.String)
	}
	return p.ID, token
}

// pmRegister registers a partner as ops, certifies it (s.certify) and
// returns it with its admin's token.
func (s *system) pmRegister(name, typ, level string) pmRegistration {
	s.t.Helper()
	r := s.pmRegisterUncertified(name, typ, level)
	s.certify(r.Partner.ID)
	return r
}

// pmRegisterUncertified is pmRegister without the certification.
func (s *system) pmRegisterUncertified(name, typ, level string) pmRegistration {
	s.t.Helper()
	body := map[string]any{"name": name, "type": typ}
	if level != "" {
		body["level"] = level
	}
	return decode[pmRegistration](s.t, s.call("POST", "/v1/partners", s.ops, body).expect(s.t, 201))
}

func (s *system) pmAudit(adminToken, partnerID, query string) []pmAuditEvent {
	s.t.Helper()
	return decode[struct {
		AuditEvents []pmAuditEvent `json:"audit_events"`
	}](s.t, s.call("GET", "/v1/partners/"+partnerID+"/audit-events"+query, adminToken, nil).expect(s.t, 200)).AuditEvents
}

func pmHasAudit(events []pmAuditEvent, action, by string) bool {
	for _, e := range events {
		if e.Action == action && e.PrincipalName == by {
			return true
		}
	}
	return false
}

// pmListsAndReads checks that each of tokens lists the partner's records at
// path (the list under key): n of them, the newest being id, which it reads
// too; and that partner B's admin gets 404 for both.
func pmListsAndReads[T any](t *testing.T, s *system, path, key string, n int, id string, idOf func(T) string, tokens ...string) {
	t.Helper()
	for _, token := range tokens {
		list := decode[map[string][]T](t, s.call("GET", path, token, nil).expect(t, 200))[key]
		if len(list) != n || idOf(list[0]) != id {
			t.Errorf("%s: %+v, want %d, the newest %s", key, list, n, id)
		}
		s.call("GET", path+"/"+id, token, nil).expect(t, 200)
	}
	s.call("GET", path, s.adminB, nil).expect(t, 404)
	s.call("GET", path+"/"+id, s.adminB, nil).expect(t, 404)
}

func pmBusinessYear(t *testing.T) int { return time.Now().In(shanghai(t)).Year() }

func pmPlanBody(year int) map[string]any {
	return map[string]any{
		"year":           year,
		"revenue_target": map[string]any{"amount": 50_000_000_00, "currency": "CNY"},
		"signed_by":      "Zhang San",
		"signed_at":      time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
		"document_url":   "https://files.acme.example/plans/market-expansion.pdf",
	}
}

func TestPartnerRegistration(t *testing.T) {
	s := startSystem(t, "3wd")
	r := s.call("POST", "/v1/partners", s.ops,
		map[string]any{"name": "  Orbit Solutions ", "type": "solution_provider", "level": "preferred"}).expect(t, 201)
	reg := decode[pmRegistration](t, r)
	if loc := r.header.Get("Location"); loc != "/v1/partners/"+reg.Partner.ID {
		t.Errorf("Location %q", loc)
	}
	if p := reg.Partner; p.Name != "Orbit Solutions" || p.Type != "solution_provider" || p.Level == nil || *p.Level != "preferred" ||
		p.Settings.AutoIncentiveApplication || p.Settings.UpdatedBy != nil || !strings.HasPrefix(p.ID, "prt_") {
		t.Errorf("registered %+v", p)
	}
	if reg.Partner.CreatedBy == nil || reg.Partner.CreatedBy.Name != "Olivia Ops" {
		t.Errorf("registered by %+v", reg.Partner.CreatedBy)
	}
	if reg.Admin.Name != "Orbit Solutions admin" || !strings.HasPrefix(reg.Admin.Token, "po_") || reg.Admin.PrincipalID == "" {
		t.Errorf("admin %+v", reg.Admin)
	}

	// The printed admin token works: it reads and acts for its partner, and
	// only for it.
	got := decode[pmPartner](t, s.call("GET", "/v1/partners/"+reg.Partner.ID, reg.Admin.Token, nil).expect(t, 200))
	if got.ID != reg.Partner.ID || got.Name != "Orbit Solutions" {
		t.Errorf("the admin reads %+v", got)
	}
	members := decode[struct{ Members []pmMember }](t, s.call("GET", "/v1/partners/"+reg.Partner.ID+"/members", reg.Admin.Token, nil).expect(t, 200))
	if len(members.Members) != 1 || members.Members[0].PrincipalID != reg.Admin.PrincipalID || members.Members[0].Role != "admin" {
		t.Errorf("members of a new partner %+v", members.Members)
	}
	s.submit(reg.Admin.Token, reg.Partner.ID, businessInfo(acmeNumber)).expect(t, 202)
	s.call("GET", "/v1/partners/"+s.partnerA, reg.Admin.Token, nil).expect(t, 404)
	// The registration is in the new partner's audit trail, by the ops who did it.
	if events := s.pmAudit(reg.Admin.Token, reg.Partner.ID, ""); !pmHasAudit(events, "partner.registered", "Olivia Ops") {
		t.Errorf("audit trail %+v", events)
	}
	// A supervisor may register too; nobody else may.
	s.call("POST", "/v1/partners", s.supervisor, map[string]any{"name": "Cirrus", "type": "cloud_reseller"}).expect(t, 201)
	_, personal := s.pmPersonal("Pat Personal")
	for _, token := range []string{s.adminA, s.memberA, s.adminB, s.customA, personal} {
		s.call("POST", "/v1/partners", token, map[string]any{"name": "Sneaky", "type": "cloud_reseller"}).expect(t, 403)
	}
	s.call("POST", "/v1/partners", "", map[string]any{"name": "Anonymous", "type": "cloud_reseller"}).expect(t, 401)
}

func TestPartnerTypesAndLevels(t *testing.T) {
	s := startSystem(t, "3wd")
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		body   any
		status int
		fields string // the bad fields of a 422
		level  string // the level of a 201, "" for none
	}{
		{"solution provider, certified", map[string]any{"name": "SP1", "type": "solution_provider", "level": "certified"}, 201, "", "certified"},
		{"solution provider, preferred", map[string]any{"name": "SP2", "type": "solution_provider", "level": "preferred"}, 201, "", "preferred"},
		{"solution provider starting at leading", map[string]any{"name": "SP3", "type": "solution_provider", "level": "leading"}, 422, "level", ""},
		{"solution provider without level", map[string]any{"name": "SP4", "type": "solution_provider"}, 422, "level", ""},
		{"solution provider, null level", map[string]any{"name": "SP5", "type": "solution_provider", "level": nil}, 422, "level", ""},
		{"cloud reseller", map[string]any{"name": "CR", "type": "cloud_reseller"}, 201, "", ""},
		{"software partner", map[string]any{"name": "SW", "type": "software_partner"}, 201, "", ""},
		{"service partner", map[string]any{"name": "SV", "type": "service_partner"}, 201, "", ""},
		{"learning and enablement partner", map[string]any{"name": "LE", "type": "learning_enablement_partner", "level": nil}, 201, "", ""},
		{"dtc si partner", map[string]any{"name": "DTC", "type": "dtc_si_partner"}, 201, "", ""},
		{"cloud reseller with a level", map[string]any{"name": "CR2", "type": "cloud_reseller", "level": "certified"}, 422, "level", ""},
		{"software partner at leading", map[string]any{"name": "SW2", "type": "software_partner", "level": "leading"}, 422, "level", ""},
		{"unknown type", map[string]any{"name": "X", "type": "astronaut"}, 422, "type", ""},
		{"no type", map[string]any{"name": "X"}, 422, "type", ""},
		{"unknown level", map[string]any{"name": "X", "type": "solution_provider", "level": "gold"}, 422, "level", ""},
		{"empty name", map[string]any{"name": " ", "type": "cloud_reseller"}, 422, "name", ""},
		{"name of 200 characters", map[string]any{"name": strings.Repeat("云", 200), "type": "cloud_reseller"}, 201, "", ""},
		{"name of 201 characters", map[string]any{"name": strings.Repeat("云", 201), "type": "cloud_reseller"}, 422, "name", ""},
		{"every field bad at once", map[string]any{"name": strings.Repeat("n", 201), "type": "astronaut", "level": "gold"}, 422, "name,type,level", ""},
		{"malformed JSON", `{"name": "X", `, 400, "", ""},
		{"unknown field", map[string]any{"name": "X", "type": "cloud_reseller", "tier": 1}, 422, "tier", ""},
		{"type of the wrong JSON type", map[string]any{"name": "X", "type": 3}, 422, "type", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := s.store.CountPartners(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r := s.call("POST", "/v1/partners", s.ops, tc.body).expect(t, tc.status)
			after, err := s.store.CountPartners(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.status != 201 {
				if p := decode[problem](t, r); p.fields() != tc.fields || p.Detail == "" {
					t.Errorf("problem %+v names %q, want %q", p, p.fields(), tc.fields)
				}
				if after != before {
					t.Errorf("a refused registration wrote %d partners", after-before)
				}
				return
			}
			reg := decode[pmRegistration](t, r)
			if (tc.level == "") != (reg.Partner.Level == nil) || (reg.Partner.Level != nil && *reg.Partner.Level != tc.level) {
				t.Errorf("level %v, want %q", reg.Partner.Level, tc.level)
			}
			if after != before+1 {
				t.Errorf("%d partners written", after-before)
			}
		})
	}
}

func TestPartnerReadAndSettings(t *testing.T) {
	s := startSystem(t, "3wd")
	_, personal := s.pmPersonal("Pat Personal")
	a := "/v1/partners/" + s.partnerA

	for _, token := range []string{s.adminA, s.memberA, s.ops, s.supervisor} {
		p := decode[pmPartner](t, s.call("GET", a, token, nil).expect(t, 200))
		if p.ID != s.partnerA || p.Type != "solution_provider" || p.Level == nil || *p.Level != "preferred" {
			t.Errorf("partner A reads %+v", p)
		}
	}
	b := decode[pmPartner](t, s.call("GET", "/v1/partners/"+s.partnerB, s.adminB, nil).expect(t, 200))
	if b.Type != "cloud_reseller" || b.Level != nil {
		t.Errorf("partner B %+v", b)
	}
	for _, token := range []string{s.adminB, personal} {
		s.call("GET", a, token, nil).expect(t, 404)
		s.call("GET", a+"/settings", token, nil).expect(t, 404)
	}
	// A customer knows partners by name, but not their records.
	s.call("GET", a, s.customA, nil).expect(t, 403)
	s.call("GET", a+"/settings", s.customA, nil).expect(t, 403)
	s.call("GET", "/v1/partners/prt_nobody", s.ops, nil).expect(t, 404)
	s.call("GET", "/v1/partners/prt_nobody/settings", s.ops, nil).expect(t, 404)

	// Only the partner's admin switches automatic application of incentives.
	on := map[string]any{"auto_incentive_application": true}
	s.call("PATCH", a+"/settings", s.memberA, on).expect(t, 403)
	s.call("PATCH", a+"/settings", s.ops, on).expect(t, 403)
	s.call("PATCH", a+"/settings", s.supervisor, on).expect(t, 403)
	s.call("PATCH", a+"/settings", s.customA, on).expect(t, 403)
	s.call("PATCH", a+"/settings", s.adminB, on).expect(t, 404)
	s.call("PATCH", a+"/settings", personal, on).expect(t, 404)
	if p := decode[problem](t, s.call("PATCH", a+"/settings", s.adminA, map[string]any{}).expect(t, 422)); p.fields() != "auto_incentive_application" {
		t.Errorf("an empty patch names %q", p.fields())
	}
	for body, field := range map[string]string{
		`{"auto_incentive_application": "yes"}`:                 "auto_incentive_application",
		`{"auto_incentive_application": true, "colour": "red"}`: "colour",
	} {
		if p := decode[problem](t, s.call("PATCH", a+"/settings", s.adminA, body).expect(t, 422)); p.fields() != field {
			t.Errorf("%s names %q", body, p.fields())
		}
	}
	if st := decode[pmSettings](t, s.call("GET", a+"/settings", s.memberA, nil).expect(t, 200)); st.AutoIncentiveApplication || st.UpdatedBy != nil {
		t.Errorf("refused changes changed the settings: %+v", st)
	}

	st := decode[pmSettings](t, s.call("PATCH", a+"/settings", s.adminA, on).expect(t, 200))
	if !st.AutoIncentiveApplication || st.UpdatedBy == nil || st.UpdatedBy.Name != "Acme admin" || st.UpdatedAt == nil {
		t.Errorf("after switching on: %+v", st)
	}
	for _, token := range []string{s.memberA, s.ops} {
		if st := decode[pmSettings](t, s.call("GET", a+"/settings", token, nil).expect(t, 200)); !st.AutoIncentiveApplication {
			t.Errorf("settings read back %+v", st)
		}
	}
	if p := decode[pmPartner](t, s.call("GET", a, s.memberA, nil).expect(t, 200)); !p.Settings.AutoIncentiveApplication {
		t.Errorf("the partner shows settings %+v", p.Settings)
	}
	// Partner B's settings are its own.
	if st := decode[pmSettings](t, s.call("GET", "/v1/partners/"+s.partnerB+"/settings", s.adminB, nil).expect(t, 200)); st.AutoIncentiveApplication {
		t.Errorf("partner B's settings changed with A's: %+v", st)
	}
	s.call("PATCH", a+"/settings", s.adminA, map[string]any{"auto_incentive_application": false}).expect(t, 200)

	events := s.pmAudit(s.adminA, s.partnerA, "")
	if len(events) != 2 || events[0].Action != "partner.settings_updated" || events[0].PrincipalName != "Acme admin" ||
		fmt.Sprint(events[0].Detail["auto_incentive_application"]) != "map[from:true to:false]" ||
		fmt.Sprint(events[1].Detail["auto_incentive_application"]) != "map[from:false to:true]" {
		t.Errorf("audit trail %+v", events)
	}
}

func TestPartnerLeadingLevel(t *testing.T) {
	s := startSystem(t, "3wd")
	year := pmBusinessYear(t)
	a := "/v1/partners/" + s.partnerA
	leading := map[string]any{"level": "leading"}

	// Without a signed business plan for this year, leading is refused.
	p := decode[problem](t, s.call("POST", a+"/level-applications", s.adminA, leading).expect(t, 409))
	if !strings.HasSuffix(p.Type, "business-plan-required") || !strings.Contains(p.Detail, "business plan") ||
		!strings.Contains(p.Detail, fmt.Sprint(year)) {
		t.Errorf("refusal %+v", p)
	}
	// Only the admin files plans and applies.
	for _, token := range []string{s.memberA, s.ops, s.supervisor, s.customA} {
		s.call("POST", a+"/business-plans", token, pmPlanBody(year)).expect(t, 403)
		s.call("POST", a+"/level-applications", token, leading).expect(t, 403)
	}
	s.call("POST", a+"/business-plans", s.adminB, pmPlanBody(year)).expect(t, 404)
	s.call("POST", a+"/level-applications", s.adminB, leading).expect(t, 404)

	// Every bad field of a plan is named at once, and nothing is written.
	future := pmPlanBody(year)
	future["signed_at"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	plainHTTP := pmPlanBody(year)
	plainHTTP["document_url"] = "http://files.acme.example/plan.pdf"
	longURL := pmPlanBody(year)
	longURL["document_url"] = "https://files.acme.example/" + strings.Repeat("p", 500)
	longSigner := pmPlanBody(year)
	longSigner["signed_by"] = strings.Repeat("张", 101)
	lastYear := pmPlanBody(year - 1)
	noTarget := pmPlanBody(year)
	delete(noTarget, "revenue_target")
	for _, tc := range []struct {
		name   string
		body   any
		status int
		fields string
	}{
		{"everything wrong", map[string]any{"year": year + 2, "revenue_target": map[string]any{"amount": 0, "currency": "rmb"},
			"signed_by": "", "signed_at": "yesterday", "document_url": "ftp://files.acme.example/plan.pdf"}, 422,
			"year,revenue_target.amount,revenue_target.currency,signed_by,signed_at,document_url"},
		{"negative target", map[string]any{"year": year, "revenue_target": map[string]any{"amount": -5, "currency": "CNY"},
			"signed_by": "Zhang San", "signed_at": "2020-01-01T00:00:00Z", "document_url": "https://x.example/p.pdf"}, 422, "revenue_target.amount"},
		{"signed in the future", future, 422, "signed_at"},
		{"http document", plainHTTP, 422, "document_url"},
		{"document URL over 500", longURL, 422, "document_url"},
		{"signer over 100", longSigner, 422, "signed_by"},
		{"last year", lastYear, 422, "year"},
		{"no revenue target", noTarget, 422, "revenue_target"},
		{"empty object", map[string]any{}, 422, "year,revenue_target,signed_by,signed_at,document_url"},
		{"malformed JSON", `{"year": `, 400, ""},
		{"year as text", `{"year": "this one", "revenue_target": {"amount": 1, "currency": "CNY"}, "signed_by": "Zhang San", ` +
			`"signed_at": "2020-01-01T00:00:00Z", "document_url": "https://x.example/p.pdf"}`, 422, "year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decode[problem](t, s.call("POST", a+"/business-plans", s.adminA, tc.body).expect(t, tc.status))
			if p.fields() != tc.fields {
				t.Errorf("bad fields %q, want %q", p.fields(), tc.fields)
			}
		})
	}
	plans := decode[struct {
		BusinessPlans []pmPlan `json:"business_plans"`
	}](t, s.call("GET", a+"/business-plans", s.adminA, nil).expect(t, 200))
	if len(plans.BusinessPlans) != 0 {
		t.Fatalf("refused plans were written: %+v", plans.BusinessPlans)
	}

	// A plan for next year does not open the leading level this year.
	s.call("POST", a+"/business-plans", s.adminA, pmPlanBody(year+1)).expect(t, 201)
	s.call("POST", a+"/level-applications", s.adminA, leading).expect(t, 409)

	// This year's plan does; a retry under the same key files it once.
	r := s.call("POST", a+"/business-plans", s.adminA, pmPlanBody(year), "Idempotency-Key", "plan-1").expect(t, 201)
	plan := decode[pmPlan](t, r)
	if r.header.Get("Location") != a+"/business-plans/"+plan.ID || plan.Year != year || plan.RevenueTarget.Amount != 50_000_000_00 ||
		plan.RevenueTarget.Currency != "CNY" || plan.CreatedBy.Name != "Acme admin" {
		t.Errorf("plan %+v at %q", plan, r.header.Get("Location"))
	}
	again := decode[pmPlan](t, s.call("POST", a+"/business-plans", s.adminA, pmPlanBody(year), "Idempotency-Key", "plan-1").expect(t, 201))
	if again.ID != plan.ID {
		t.Errorf("the retry filed a second plan %s", again.ID)
	}
	other := pmPlanBody(year)
	other["signed_by"] = "Li Si"
	s.call("POST", a+"/business-plans", s.adminA, other, "Idempotency-Key", "plan-1").expect(t, 409)
	pmListsAndReads(t, s, a+"/business-plans", "business_plans", 2, plan.ID,
		func(p pmPlan) string { return p.ID }, s.adminA, s.memberA, s.ops)
	s.call("GET", "/v1/partners/"+s.partnerB+"/business-plans/"+plan.ID, s.adminB, nil).expect(t, 404)

	// Now leading is accepted for review, resting on this year's plan.
	r = s.call("POST", a+"/level-applications", s.adminA, leading).expect(t, 201)
	app := decode[pmApplication](t, r)
	if r.header.Get("Location") != a+"/level-applications/"+app.ID || app.Level != "leading" || app.Status != "submitted" ||
		app.BusinessPlanID == nil || *app.BusinessPlanID != plan.ID || app.SubmittedBy.Name != "Acme admin" ||
		app.PartnerID != s.partnerA || app.CreatedAt.IsZero() {
		t.Errorf("application %+v", app)
	}
	// One application at a time.
	if p := decode[problem](t, s.call("POST", a+"/level-applications", s.adminA, leading).expect(t, 409)); !strings.HasSuffix(p.Type, "application-pending") {
		t.Errorf("a second application: %+v", p)
	}
	s.call("POST", a+"/level-applications", s.adminA, map[string]any{"level": "certified"}).expect(t, 409)
	pmListsAndReads(t, s, a+"/level-applications", "level_applications", 1, app.ID,
		func(a pmApplication) string { return a.ID }, s.adminA, s.memberA, s.supervisor)
	s.call("GET", a+"/level-applications/lva_nothing", s.adminA, nil).expect(t, 404)

	// Bad levels; the level already held; partners without levels.
	for body, fields := range map[string]string{`{"level": "platinum"}`: "level", `{}`: "level"} {
		if p := decode[problem](t, s.call("POST", a+"/level-applications", s.adminA, body).expect(t, 422)); p.fields() != fields {
			t.Errorf("%s names %q", body, p.fields())
		}
	}
	if p := decode[problem](t, s.call("POST", a+"/level-applications", s.adminA, `{"level": 2}`).expect(t, 422)); p.fields() != "level" {
		t.Errorf("a level of the wrong JSON type names %q", p.fields())
	}
	fresh := s.pmRegister("Fresh Solutions", "solution_provider", "certified")
	f := "/v1/partners/" + fresh.Partner.ID
	if p := decode[problem](t, s.call("POST", f+"/level-applications", fresh.Admin.Token, map[string]any{"level": "certified"}).expect(t, 409)); !strings.HasSuffix(p.Type, "level-already-held") {
		t.Errorf("applying for the level held: %+v", p)
	}
	up := decode[pmApplication](t, s.call("POST", f+"/level-applications", fresh.Admin.Token, map[string]any{"level": "preferred"}).expect(t, 201))
	if up.BusinessPlanID != nil || up.Level != "preferred" {
		t.Errorf("a preferred application %+v", up)
	}
	s.call("POST", "/v1/partners/"+s.partnerB+"/business-plans", s.adminB, pmPlanBody(year)).expect(t, 201)
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+s.partnerB+"/level-applications", s.adminB, leading).expect(t, 409)); !strings.Contains(p.Detail, "only solution providers") {
		t.Errorf("a cloud reseller applying: %+v", p)
	}

	events := s.pmAudit(s.adminA, s.partnerA, "")
	if !pmHasAudit(events, "business_plan.filed", "Acme admin") || !pmHasAudit(events, "level_application.submitted", "Acme admin") {
		t.Errorf("audit trail %+v", events)
	}
	if n := len(events); n != 3 { // next year's plan, this year's plan (once), the application
		t.Errorf("%d audit events, want 3: %+v", n, events)
	}
}

func TestPartnerMembers(t *testing.T) {
	s := startSystem(t, "3wd")
	a := "/v1/partners/" + s.partnerA
	patID, pat := s.pmPersonal("Pat Personal")

	// A case of partner A with a message to the partner, before Pat joins.
	first := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, first.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+first.ID+"/actions/reject", s.ops, map[string]string{"reason": "Unreadable scan"}).expect(t, 200)

	// A personal account of no partner sees nothing of any partner.
	s.pmSeesNothingOf(pat, s.partnerA, first.ID)
	if mine := decode[struct{ Invitations []pmInvitation }](t, s.call("GET", "/v1/invitations", pat, nil).expect(t, 200)); len(mine.Invitations) != 0 {
		t.Errorf("invitations before any %+v", mine.Invitations)
	}

	// Only the admin invites, lists, removes and reads the audit trail.
	invitePat := map[string]any{"principal_id": patID}
	s.call("POST", a+"/invitations", s.memberA, invitePat).expect(t, 403)
	s.call("GET", a+"/invitations", s.memberA, nil).expect(t, 403)
	s.call("GET", a+"/members", s.memberA, nil).expect(t, 403)
	s.call("DELETE", a+"/members/"+patID, s.memberA, nil).expect(t, 403)
	s.call("GET", a+"/audit-events", s.memberA, nil).expect(t, 403)
	for _, token := range []string{s.ops, s.supervisor, s.customA} {
		s.call("POST", a+"/invitations", token, invitePat).expect(t, 403)
		s.call("GET", a+"/members", token, nil).expect(t, 403)
	}
	s.call("GET", "/v1/invitations", s.adminA, nil).expect(t, 403)
	s.call("GET", "/v1/invitations", s.ops, nil).expect(t, 403)

	// Who may be invited.
	opsPrincipal, _, err := s.store.CreatePrincipal(context.Background(), store.NewPrincipal{Name: "Other Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	members := decode[struct{ Members []pmMember }](t, s.call("GET", a+"/members", s.adminA, nil).expect(t, 200)).Members
	if len(members) != 2 || members[0].Role != "admin" || members[0].Name != "Acme admin" || members[1].Name != "Acme member" || members[1].Since.IsZero() {
		t.Fatalf("members %+v", members)
	}
	adminAID, memberAID := members[0].PrincipalID, members[1].PrincipalID
	for _, tc := range []struct {
		name   string
		body   any
		status int
		fields string
		slug   string
	}{
		{"nobody", map[string]any{"principal_id": "prn_nobody"}, 422, "principal_id", "validation"},
		{"staff", map[string]any{"principal_id": opsPrincipal.ID}, 422, "principal_id", "validation"},
		{"an admin", map[string]any{"principal_id": adminAID}, 422, "principal_id", "validation"},
		{"an associated member", map[string]any{"principal_id": memberAID}, 409, "", "already-associated"},
		{"no principal", map[string]any{}, 422, "principal_id", "validation"},
		{"an over-long ID", map[string]any{"principal_id": strings.Repeat("x", 101)}, 422, "principal_id", "validation"},
		{"unknown field", map[string]any{"principal_id": patID, "role": "admin"}, 422, "role", "validation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decode[problem](t, s.call("POST", a+"/invitations", s.adminA, tc.body).expect(t, tc.status))
			if p.fields() != tc.fields || !strings.HasSuffix(p.Type, tc.slug) || p.Detail == "" {
				t.Errorf("problem %+v", p)
			}
		})
	}
	if sent := decode[struct{ Invitations []pmInvitation }](t, s.call("GET", a+"/invitations", s.adminA, nil).expect(t, 200)); len(sent.Invitations) != 0 {
		t.Fatalf("refused invitations were written: %+v", sent.Invitations)
	}

	// The admin invites Pat; once.
	r := s.call("POST", a+"/invitations", s.adminA, invitePat).expect(t, 201)
	inv := decode[pmInvitation](t, r)
	if r.header.Get("Location") != a+"/invitations/"+inv.ID || inv.Status != "pending" || inv.PartnerID != s.partnerA ||
		inv.PrincipalID != patID || inv.InvitedBy.Name != "Acme admin" || inv.RespondedAt != nil {
		t.Errorf("invitation %+v", inv)
	}
	if p := decode[problem](t, s.call("POST", a+"/invitations", s.adminA, invitePat).expect(t, 409)); !strings.HasSuffix(p.Type, "invitation-pending") {
		t.Errorf("inviting twice: %+v", p)
	}
	s.call("GET", a+"/invitations/"+inv.ID, s.adminA, nil).expect(t, 200)
	// Partner B invites Pat too, and can neither see nor touch A's invitations and members.
	invB := decode[pmInvitation](t, s.call("POST", "/v1/partners/"+s.partnerB+"/invitations", s.adminB, invitePat).expect(t, 201))
	s.call("POST", a+"/invitations", s.adminB, invitePat).expect(t, 404)
	s.call("GET", a+"/invitations", s.adminB, nil).expect(t, 404)
	s.call("GET", a+"/invitations/"+inv.ID, s.adminB, nil).expect(t, 404)
	s.call("GET", "/v1/partners/"+s.partnerB+"/invitations/"+inv.ID, s.adminB, nil).expect(t, 404)
	s.call("GET", a+"/members", s.adminB, nil).expect(t, 404)
	s.call("DELETE", a+"/members/"+memberAID, s.adminB, nil).expect(t, 404)
	s.call("DELETE", "/v1/partners/"+s.partnerB+"/members/"+memberAID, s.adminB, nil).expect(t, 404)
	s.call("GET", a+"/audit-events", s.adminB, nil).expect(t, 404)

	mine := decode[struct{ Invitations []pmInvitation }](t, s.call("GET", "/v1/invitations", pat, nil).expect(t, 200)).Invitations
	if len(mine) != 2 || mine[0].ID != invB.ID || mine[1].ID != inv.ID || mine[1].PartnerName != "Acme Solutions" {
		t.Errorf("Pat's invitations %+v", mine)
	}
	if others := decode[struct{ Invitations []pmInvitation }](t, s.call("GET", "/v1/invitations", s.memberA, nil).expect(t, 200)); len(others.Invitations) != 0 {
		t.Errorf("another account sees %+v", others.Invitations)
	}
	// Only Pat answers its invitations: they are not the others' to know
	// of, and staff, who know everything, may not answer them.
	for _, token := range []string{s.adminA, s.memberA, s.adminB} {
		s.call("POST", "/v1/invitations/"+inv.ID+"/accept", token, nil).expect(t, 404)
		s.call("POST", "/v1/invitations/"+inv.ID+"/decline", token, nil).expect(t, 404)
	}
	s.call("POST", "/v1/invitations/"+inv.ID+"/accept", s.ops, nil).expect(t, 403)
	s.call("POST", "/v1/invitations/"+inv.ID+"/decline", s.ops, nil).expect(t, 403)
	s.call("POST", "/v1/invitations/inv_nothing/accept", pat, nil).expect(t, 404)

	accepted := decode[pmInvitation](t, s.call("POST", "/v1/invitations/"+inv.ID+"/accept", pat, nil).expect(t, 200))
	if accepted.Status != "accepted" || accepted.RespondedAt == nil {
		t.Errorf("accepted %+v", accepted)
	}
	// One partner at most; an answered invitation is answered.
	if p := decode[problem](t, s.call("POST", "/v1/invitations/"+invB.ID+"/accept", pat, nil).expect(t, 409)); !strings.HasSuffix(p.Type, "already-associated") {
		t.Errorf("accepting a second partner: %+v", p)
	}
	s.call("POST", "/v1/invitations/"+inv.ID+"/accept", pat, nil).expect(t, 409)
	s.call("POST", "/v1/invitations/"+inv.ID+"/decline", pat, nil).expect(t, 409)
	if d := decode[pmInvitation](t, s.call("POST", "/v1/invitations/"+invB.ID+"/decline", pat, nil).expect(t, 200)); d.Status != "declined" {
		t.Errorf("declined %+v", d)
	}
	s.call("POST", "/v1/invitations/"+invB.ID+"/accept", pat, nil).expect(t, 409)
	s.call("POST", "/v1/partners/"+s.partnerB+"/invitations", s.adminB, invitePat).expect(t, 409) // Pat belongs to A now

	// Pat now acts for A with its own token, under its own name.
	s.call("GET", a, pat, nil).expect(t, 200)
	s.call("GET", "/v1/cases/"+first.ID, pat, nil).expect(t, 200)
	s.call("GET", a+"/members", pat, nil).expect(t, 403) // a personal account, not the admin
	// A's certification is open (rejected): Pat resubmits it, as A.
	s.call("POST", "/v1/cases/"+first.ID+"/actions/resubmit", pat, businessInfo("91350100M000100Y43")).expect(t, 200)
	s.waitForCase(pat, first.ID, hasStatus(workflows.CertificationInReview))
	events := s.waitForEvents(first.ID, 4)
	if resubmitted := events[3]; resubmitted.Actor.Name != "Pat Personal" || resubmitted.Actor.ID != patID {
		t.Errorf("timeline %+v", events)
	}
	members = decode[struct{ Members []pmMember }](t, s.call("GET", a+"/members", s.adminA, nil).expect(t, 200)).Members
	if len(members) != 3 || members[2].PrincipalID != patID || members[2].Role != "member" || members[2].Since.Before(members[1].Since) {
		t.Errorf("members after Pat joined %+v", members)
	}

	// The admin cannot remove itself; it removes Pat, who then sees nothing of A.
	if p := decode[problem](t, s.call("DELETE", a+"/members/"+adminAID, s.adminA, nil).expect(t, 409)); !strings.HasSuffix(p.Type, "cannot-remove-admin") {
		t.Errorf("removing the admin: %+v", p)
	}
	s.call("DELETE", a+"/members/prn_nobody", s.adminA, nil).expect(t, 404)
	s.call("DELETE", a+"/members/"+opsPrincipal.ID, s.adminA, nil).expect(t, 404)
	s.call("DELETE", a+"/members/"+patID, s.adminA, nil).expect(t, 204)
	s.call("DELETE", a+"/members/"+patID, s.adminA, nil).expect(t, 404)
	s.pmSeesNothingOf(pat, s.partnerA, first.ID)
	members = decode[struct{ Members []pmMember }](t, s.call("GET", a+"/members", s.adminA, nil).expect(t, 200)).Members
	if len(members) != 2 {
		t.Errorf("members after Pat left %+v", members)
	}

	// The audit trail: who did what, and the same narrowed to Pat.
	trail := s.pmAudit(s.adminA, s.partnerA, "")
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action+" by "+e.PrincipalName)
	}
	want := "member.removed by Acme admin,invitation.accepted by Pat Personal,member.invited by Acme admin"
	if got := strings.Join(actions, ","); got != want {
		t.Errorf("audit trail %s, want %s", got, want)
	}
	if trail[0].TargetID != patID || trail[2].TargetID != patID {
		t.Errorf("audit targets %+v", trail)
	}
	patsOwn := s.pmAudit(s.adminA, s.partnerA, "?principal_id="+patID)
	if len(patsOwn) != 1 || patsOwn[0].Action != "invitation.accepted" || patsOwn[0].TargetID != inv.ID {
		t.Errorf("Pat's audit events %+v", patsOwn)
	}
	if len(s.pmAudit(s.adminA, s.partnerA, "?limit=1")) != 1 {
		t.Error("limit=1 gave more")
	}
	if p := decode[problem](t, s.call("GET", a+"/audit-events?limit=0&principal_id="+strings.Repeat("x", 101), s.adminA, nil).expect(t, 422)); p.fields() != "principal_id,limit" {
		t.Errorf("bad audit parameters name %q", p.fields())
	}
	// B's trail holds B's invitation and Pat's refusal of it, nothing of A's.
	trailB := s.pmAudit(s.adminB, s.partnerB, "")
	if len(trailB) != 2 || trailB[0].Action != "invitation.declined" || trailB[1].Action != "member.invited" {
		t.Errorf("B's audit trail %+v", trailB)
	}

	// Pat can be invited again, and accept.
	again := decode[pmInvitation](t, s.call("POST", a+"/invitations", s.adminA, invitePat).expect(t, 201))
	s.call("POST", "/v1/invitations/"+again.ID+"/accept", pat, nil).expect(t, 200)
	s.call("GET", "/v1/cases/"+first.ID, pat, nil).expect(t, 200)
}

// pmSeesNothingOf checks that token sees nothing of the partner: not the
// partner, its settings, records, cases or messages, and cannot act for it.
func (s *system) pmSeesNothingOf(token, partnerID, caseID string) {
	s.t.Helper()
	t := s.t
	p := "/v1/partners/" + partnerID
	for _, path := range []string{p, p + "/settings", p + "/business-plans", p + "/level-applications",
		"/v1/cases/" + caseID, "/v1/cases/" + caseID + "/events"} {
		s.call("GET", path, token, nil).expect(t, 404)
	}
	for _, path := range []string{p + "/members", p + "/invitations", p + "/audit-events"} {
		s.call("GET", path, token, nil).expect(t, 404)
	}
	s.submit(token, partnerID, businessInfo(acmeNumber)).expect(t, 404)
	s.call("PATCH", p+"/settings", token, map[string]any{"auto_incentive_application": true}).expect(t, 404)
	s.call("POST", p+"/invitations", token, map[string]any{"principal_id": "prn_x"}).expect(t, 404)
	if list := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases", token, nil).expect(t, 200)); len(list.Cases) != 0 {
		t.Errorf("lists %d cases", len(list.Cases))
	}
	if list := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases?partner_id="+partnerID, token, nil).expect(t, 200)); len(list.Cases) != 0 {
		t.Errorf("lists %d cases of the partner", len(list.Cases))
	}
	if notes := decode[struct{ Notifications []any }](t, s.call("GET", "/v1/notifications", token, nil).expect(t, 200)); len(notes.Notifications) != 0 {
		t.Errorf("reads %d notifications", len(notes.Notifications))
	}
}

// Two invitations accepted at once: the account joins exactly one partner.
func TestInvitationAcceptRace(t *testing.T) {
	s := startSystem(t, "3wd")
	for round := range 5 {
		id, token := s.pmPersonal(fmt.Sprintf("Racer %d", round))
		invA := decode[pmInvitation](t, s.call("POST", "/v1/partners/"+s.partnerA+"/invitations", s.adminA, map[string]any{"principal_id": id}).expect(t, 201))
		invB := decode[pmInvitation](t, s.call("POST", "/v1/partners/"+s.partnerB+"/invitations", s.adminB, map[string]any{"principal_id": id}).expect(t, 201))
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i, inv := range []pmInvitation{invA, invB} {
			wg.Go(func() { statuses[i] = s.call("POST", "/v1/invitations/"+inv.ID+"/accept", token, nil).status })
		}
		wg.Wait()
		if !(statuses[0] == 200 && statuses[1] == 409) && !(statuses[0] == 409 && statuses[1] == 200) {
			t.Fatalf("round %d: accepts answered %v", round, statuses)
		}
		winner, loser := s.partnerA, s.partnerB
		if statuses[1] == 200 {
			winner, loser = loser, winner
		}
		s.call("GET", "/v1/partners/"+winner, token, nil).expect(t, 200)
		s.call("GET", "/v1/partners/"+loser, token, nil).expect(t, 404)
	}
	racers := 0
	for partner, admin := range map[string]string{s.partnerA: s.adminA, s.partnerB: s.adminB} {
		members := decode[struct{ Members []pmMember }](t, s.call("GET", "/v1/partners/"+partner+"/members", admin, nil).expect(t, 200)).Members
		for _, m := range members {
			if strings.HasPrefix(m.Name, "Racer ") {
				racers++
			}
		}
	}
	if racers != 5 {
		t.Errorf("%d accounts joined a partner in 5 rounds", racers)
	}
}

// `partnerops token create --role member` without --partner makes a
// personal account; a partner keeps one company (admin) account.
func TestTokenCreatePersonalAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := partneropsBinary(t)
	st, dbURL := testdb.New(t)
	env := []string{"DATABASE_URL=" + dbURL}
	out := runBinary(t, bin, env, "token", "create", "--role", "member", "--name", "Pat Personal")
	token := strings.TrimSpace(out[strings.Index(out, "\ntoken ")+len("\ntoken "):])
	p, err := st.PrincipalByToken(context.Background(), token)
	if err != nil {
		t.Fatalf("the printed token %q: %v\n%s", token, err, out)
	}
	if p.Role != cases.RoleMember || p.PartnerID.Valid || p.Name != "Pat Personal" {
		t.Errorf("created %+v", p)
	}
	partner, err := st.CreatePartner(context.Background(), "Acme", "solution_provider", "preferred")
	if err != nil {
		t.Fatal(err)
	}
	out = runBinary(t, bin, env, "token", "create", "--role", "member", "--partner", partner.ID, "--name", "Acme member")
	token = strings.TrimSpace(out[strings.Index(out, "\ntoken ")+len("\ntoken "):])
	if p, err := st.PrincipalByToken(context.Background(), token); err != nil || p.PartnerID.String != partner.ID {
		t.Errorf("a member created for a partner: %+v %v", p, err)
	}
	runBinary(t, bin, env, "token", "create", "--role", "admin", "--partner", partner.ID, "--name", "Acme admin")
	for _, args := range [][]string{
		{"token", "create", "--role", "admin", "--name", "No partner"},
		{"token", "create", "--role", "admin", "--partner", partner.ID, "--name", "Second admin"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("partnerops %v succeeded:\n%s", args, out)
		}
	}
}
