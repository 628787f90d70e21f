package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// Helpers of this file are prefixed "cu" so they stay apart from other
// areas' helpers in the package.

type cuAccessConfig struct {
	Configured   bool         `json:"configured"`
	XAccountType string       `json:"xaccount_type"`
	ConfiguredAt *time.Time   `json:"configured_at"`
	ConfiguredBy *cases.Actor `json:"configured_by"`
}

type cuCustomer struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	XAccountType      string `json:"xaccount_type"`
	XAccountID        string `json:"xaccount_id"`
	CertificateNumber string `json:"certificate_number"`
	CertificateType   *int   `json:"certificate_type"`
	Account           *struct {
		Origin         string `json:"origin"`
		CloudAccountID string `json:"cloud_account_id"`
	} `json:"account"`
	Partner struct {
		IsSubCustomer   bool   `json:"is_sub_customer"`
		PartnerID       string `json:"partner_id"`
		PartnerName     string `json:"partner_name"`
		AssociationMode string `json:"association_mode"`
	} `json:"partner"`
	BoundBy   *cases.Actor `json:"bound_by"`
	CreatedAt time.Time    `json:"created_at"`
	Principal *struct {
		PrincipalID string `json:"principal_id"`
		Token       string `json:"token"`
	} `json:"principal"`
}

type cuContract struct {
	ID         string      `json:"id"`
	CustomerID string      `json:"customer_id"`
	Title      string      `json:"title"`
	Status     string      `json:"status"`
	AppliedBy  cases.Actor `json:"applied_by"`
}

type cuOrder struct {
	ID           string       `json:"id"`
	CustomerID   string       `json:"customer_id"`
	Product      string       `json:"product"`
	Amount       rules.Money  `json:"amount"`
	ResellerID   string       `json:"reseller_id"`
	SalesChannel string       `json:"sales_channel"`
	MarginTo     string       `json:"margin_to"`
	Status       string       `json:"status"`
	PlacedBy     *cases.Actor `json:"placed_by"`
}

type cuPerformance struct {
	PartnerID  string        `json:"partner_id"`
	Year       int           `json:"year"`
	TimeZone   string        `json:"time_zone"`
	From       string        `json:"from"`
	Revenue    []rules.Money `json:"revenue"`
	OrderCount int           `json:"order_count"`
	Orders     struct {
		Revenue []rules.Money `json:"revenue"`
	} `json:"orders"`
}

// cuBinding is a valid binding body, for a new cloud account.
func cuBinding(xaccountType, xaccountID, mode string) map[string]any {
	return map[string]any{
		"name": "Customer " + xaccountID, "xaccount_type": xaccountType, "xaccount_id": xaccountID,
		"certificate_number": rules.WithUSCCCheck("91350100M000100Y4"), "certificate_type": 0,
		"association_mode": mode, "account": map[string]any{"origin": "new"},
	}
}

func (s *system) cuConfigure(token, partnerID string) cuAccessConfig {
	s.t.Helper()
	r := s.call("POST", "/v1/partners/"+partnerID+"/access-configuration", token, nil)
	if r.status != 200 && r.status != 201 {
		s.t.Fatalf("configure access: %d %s", r.status, r.body)
	}
	return decode[cuAccessConfig](s.t, r)
}

// cuBind binds a customer and returns it with its principal's token.
func (s *system) cuBind(token, partnerID string, body map[string]any) cuCustomer {
	s.t.Helper()
	c := decode[cuCustomer](s.t, s.call("POST", "/v1/partners/"+partnerID+"/customers", token, body).expect(s.t, 201))
	if c.Principal == nil || c.Principal.Token == "" {
		s.t.Fatalf("bound customer %s has no token", c.ID)
	}
	return c
}

// cuCustomerOf is the customer ID of a customer token.
func (s *system) cuCustomerOf(token string) string {
	s.t.Helper()
	p, err := s.store.PrincipalByToken(context.Background(), token)
	if err != nil || !p.CustomerID.Valid {
		s.t.Fatalf("customer of token: %+v %v", p, err)
	}
	return p.CustomerID.String
}

func cuProblem(t *testing.T, r response, status int) problem {
	t.Helper()
	return decode[problem](t, r.expect(t, status))
}

func TestCustomerBinding(t *testing.T) {
	s := startSystem(t, "3wd")
	ctx := context.Background()
	customers := "/v1/partners/" + s.partnerA + "/customers"
	access := "/v1/partners/" + s.partnerA + "/access-configuration"

	// Before the access configuration: nothing issued, nothing bound.
	for _, tok := range []string{s.memberA, s.adminA, s.ops, s.supervisor} {
		if a := decode[cuAccessConfig](t, s.call("GET", access, tok, nil).expect(t, 200)); a.Configured || a.XAccountType != "" {
			t.Errorf("before configuration: %+v", a)
		}
	}
	s.call("GET", access, s.customA, nil).expect(t, 403)
	s.call("GET", access, s.adminB, nil).expect(t, 404)
	s.call("GET", "/v1/partners/prt_nobody/access-configuration", s.ops, nil).expect(t, 404)
	p := cuProblem(t, s.call("POST", customers, s.memberA, cuBinding("POANYTHING", "u-1", "resale")), 409)
	if p.Type != "urn:partnerops:problem:access-configuration-required" || !strings.Contains(p.Detail, "access configuration first") {
		t.Errorf("binding before the access configuration: %+v", p)
	}
	before := decode[struct{ Customers []cuCustomer }](t, s.call("GET", customers, s.memberA, nil).expect(t, 200))
	if len(before.Customers) != 1 || before.Customers[0].Name != "Blue Sky Retail" {
		t.Fatalf("customers before binding: %+v", before.Customers)
	}

	// Only the partner's admin completes it; the identifier is issued once.
	s.call("POST", access, s.memberA, nil).expect(t, 403)
	s.call("POST", access, s.ops, nil).expect(t, 403)
	s.call("POST", access, s.customA, nil).expect(t, 403)
	s.call("POST", access, s.adminB, nil).expect(t, 404)
	if p := cuProblem(t, s.call("POST", access, s.adminA, `{"xaccount_type": "MINE"}`), 422); p.fields() != "xaccount_type" {
		t.Errorf("a body with fields: %+v", p)
	}
	first := s.call("POST", access, s.adminA, nil).expect(t, 201)
	if loc := first.header.Get("Location"); loc != access {
		t.Errorf("Location %q", loc)
	}
	cfg := decode[cuAccessConfig](t, first)
	if !cfg.Configured || !strings.HasPrefix(cfg.XAccountType, "PO") || len(cfg.XAccountType) > 64 ||
		cfg.ConfiguredAt == nil || cfg.ConfiguredBy == nil || cfg.ConfiguredBy.Name != "Acme admin" || cfg.ConfiguredBy.Role != "admin" {
		t.Fatalf("configured: %+v", cfg)
	}
	again := decode[cuAccessConfig](t, s.call("POST", access, s.adminA, "{}").expect(t, 200))
	if again.XAccountType != cfg.XAccountType || !again.ConfiguredAt.Equal(*cfg.ConfiguredAt) {
		t.Errorf("a second configuration issued %+v, first %+v", again, cfg)
	}
	for _, tok := range []string{s.memberA, s.ops} {
		if read := decode[cuAccessConfig](t, s.call("GET", access, tok, nil).expect(t, 200)); read.XAccountType != cfg.XAccountType || !read.Configured {
			t.Errorf("read back %+v", read)
		}
	}
	cfgB := s.cuConfigure(s.adminB, s.partnerB)
	if cfgB.XAccountType == cfg.XAccountType {
		t.Fatal("two partners got the same platform identifier")
	}

	// Bad input: another partner's identifier, and every bad field at once.
	p = cuProblem(t, s.call("POST", customers, s.memberA, cuBinding(cfgB.XAccountType, "u-1", "resale")), 422)
	if p.fields() != "xaccount_type" || !strings.Contains(p.Errors[0].Message, cfg.XAccountType) {
		t.Errorf("mismatched xaccount_type: %+v", p)
	}
	bad := cuBinding(strings.Repeat("P", 65), "u-1", "friends")
	bad["certificate_number"] = strings.Repeat("1", 33)
	bad["certificate_type"] = 7
	bad["account"] = map[string]any{"origin": "new", "cloud_account_id": "acc-mine"}
	p = cuProblem(t, s.call("POST", customers, s.memberA, bad), 422)
	if want := "xaccount_type,certificate_type,certificate_number,association_mode,account.cloud_account_id"; p.fields() != want {
		t.Errorf("bad fields %q, want %q: %+v", p.fields(), want, p.Errors)
	}
	bad = cuBinding(cfg.XAccountType, strings.Repeat("u", 65), "resale")
	bad["name"] = " "
	bad["account"] = map[string]any{"origin": "existing"}
	bad["certificate_number"] = "91350100M000100Y44" // wrong check character
	p = cuProblem(t, s.call("POST", customers, s.memberA, bad), 422)
	if want := "name,xaccount_id,certificate_number,account.cloud_account_id"; p.fields() != want {
		t.Errorf("bad fields %q, want %q: %+v", p.fields(), want, p.Errors)
	}
	bad = cuBinding(cfg.XAccountType, "u-1", "resale")
	bad["account"] = map[string]any{"origin": "borrowed"}
	delete(bad, "certificate_type") // optional (the seed's field table: 否)
	p = cuProblem(t, s.call("POST", customers, s.memberA, bad), 422)
	if p.fields() != "account.origin" {
		t.Errorf("bad fields %q", p.fields())
	}
	bad = cuBinding(cfg.XAccountType, "u-1", "resale")
	bad["account"] = map[string]any{"origin": "existing", "cloud_account_id": strings.Repeat("9", 65)}
	delete(bad, "account")
	p = cuProblem(t, s.call("POST", customers, s.memberA, bad), 422)
	if p.fields() != "account" {
		t.Errorf("bad fields %q", p.fields())
	}
	s.call("POST", customers, s.memberA, `{"name": "x",`).expect(t, 400)
	if p := cuProblem(t, s.call("POST", customers, s.memberA, `{"name": "x", "nickname": "y"}`), 422); !strings.Contains(p.fields(), "nickname") {
		t.Errorf("unknown field: %+v", p)
	}
	if p := cuProblem(t, s.call("POST", customers, s.memberA, `{"certificate_type": "zero"}`), 422); !strings.Contains(p.fields(), "certificate_type") {
		t.Errorf("wrong type: %+v", p)
	}
	if after := decode[struct{ Customers []cuCustomer }](t, s.call("GET", customers, s.memberA, nil).expect(t, 200)); len(after.Customers) != 1 {
		t.Fatalf("refused bindings wrote customers: %+v", after.Customers)
	}

	// Who may bind: the partner's members; not staff, customers, or another partner.
	good := cuBinding(cfg.XAccountType, "shop-0001", "resale")
	s.call("POST", customers, s.ops, good).expect(t, 403)
	s.call("POST", customers, s.customA, good).expect(t, 403)
	s.call("POST", customers, s.adminB, good).expect(t, 404)
	s.call("POST", "/v1/partners/"+s.partnerB+"/customers", s.memberA, cuBinding(cfgB.XAccountType, "shop-0001", "resale")).expect(t, 404)

	// A resale customer with a new cloud account, bound by a member.
	created := s.call("POST", customers, s.memberA, good).expect(t, 201)
	resale := decode[cuCustomer](t, created)
	if loc := created.header.Get("Location"); loc != "/v1/customers/"+resale.ID {
		t.Errorf("Location %q", loc)
	}
	if resale.XAccountType != cfg.XAccountType || resale.XAccountID != "shop-0001" || resale.Name != "Customer shop-0001" ||
		resale.CertificateType == nil || *resale.CertificateType != 0 || resale.CertificateNumber != good["certificate_number"] ||
		resale.Account == nil || resale.Account.Origin != "new" || resale.Account.CloudAccountID == "" ||
		!resale.Partner.IsSubCustomer || resale.Partner.PartnerID != s.partnerA || resale.Partner.AssociationMode != "resale" ||
		resale.BoundBy == nil || resale.BoundBy.Name != "Acme member" || resale.Principal == nil || resale.Principal.Token == "" {
		t.Fatalf("bound customer %+v", resale)
	}

	// The same platform ID again (even with spaces around it): 409.
	dup := cuBinding(" "+cfg.XAccountType+" ", " shop-0001 ", "consultative")
	if p := cuProblem(t, s.call("POST", customers, s.adminA, dup), 409); p.Type != "urn:partnerops:problem:customer-already-bound" {
		t.Errorf("duplicate: %+v", p)
	}

	// A consultative customer, organisation code certificate.
	consultativeBinding := cuBinding(cfg.XAccountType, "shop-0002", "consultative")
	consultativeBinding["certificate_type"] = 4
	consultativeBinding["certificate_number"] = "12345678-8"
	consultative := s.cuBind(s.adminA, s.partnerA, consultativeBinding)
	if consultative.Account.Origin != "new" || consultative.Partner.AssociationMode != "consultative" ||
		*consultative.CertificateType != 4 || consultative.BoundBy.Name != "Acme admin" {
		t.Errorf("consultative customer %+v", consultative)
	}
	// An existing account is only asked for (TestCustomerAssociationWalkThrough): one the vendor does not
	// know is 404, the partner's own customer 409.
	unknown := cuBinding(cfg.XAccountType, "shop-0003", "resale")
	unknown["account"] = map[string]any{"origin": "existing", "cloud_account_id": "1234567890123456"}
	cuProblem(t, s.call("POST", customers, s.memberA, unknown), 404)
	reuse := cuBinding(cfg.XAccountType, "shop-0003", "resale")
	reuse["account"] = map[string]any{"origin": "existing", "cloud_account_id": consultative.Account.CloudAccountID}
	if p := cuProblem(t, s.call("POST", customers, s.memberA, reuse), 409); p.Type != "urn:partnerops:problem:already-associated" {
		t.Errorf("the partner's own customer asked for: %+v", p)
	}
	// Another partner may use the same platform user ID under its own identifier.
	other := s.cuBind(s.adminB, s.partnerB, cuBinding(cfgB.XAccountType, "shop-0001", "resale"))

	// The customer's own token works, and tells it whose sub-customer it is.
	self := decode[cuCustomer](t, s.call("GET", "/v1/customers/"+resale.ID, resale.Principal.Token, nil).expect(t, 200))
	if !self.Partner.IsSubCustomer || self.Partner.PartnerID != s.partnerA || self.Partner.PartnerName != "Acme Solutions" ||
		self.Partner.AssociationMode != "resale" || self.Principal != nil || self.XAccountID != "shop-0001" {
		t.Errorf("the customer reads %+v", self)
	}
	s.call("GET", "/v1/customers/"+consultative.ID, resale.Principal.Token, nil).expect(t, 404)
	s.call("GET", "/v1/customers/cus_nobody", resale.Principal.Token, nil).expect(t, 404)
	s.call("GET", customers, resale.Principal.Token, nil).expect(t, 403)
	for _, tok := range []string{s.memberA, s.adminA, s.ops, s.supervisor} {
		if got := decode[cuCustomer](t, s.call("GET", "/v1/customers/"+resale.ID, tok, nil).expect(t, 200)); got.ID != resale.ID {
			t.Errorf("read %+v", got)
		}
	}

	// Customers created before binding existed still read fine.
	blueSky := s.cuCustomerOf(s.customA)
	old := decode[cuCustomer](t, s.call("GET", "/v1/customers/"+blueSky, s.customA, nil).expect(t, 200))
	if old.Name != "Blue Sky Retail" || !old.Partner.IsSubCustomer || old.Partner.PartnerID != s.partnerA ||
		old.Partner.AssociationMode != "resale" || old.XAccountType != "" || old.Account != nil || old.CertificateType != nil || old.BoundBy != nil {
		t.Errorf("old customer %+v", old)
	}
	direct, err := s.store.CreateCustomer(ctx, "Walk-in Ltd", "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, directToken, err := s.store.CreatePrincipal(ctx, store.NewPrincipal{Name: "Walk-in", Role: cases.RoleCustomer, CustomerID: direct.ID})
	if err != nil {
		t.Fatal(err)
	}
	alone := decode[cuCustomer](t, s.call("GET", "/v1/customers/"+direct.ID, directToken, nil).expect(t, 200))
	if alone.Partner.IsSubCustomer || alone.Partner.PartnerID != "" || alone.Partner.AssociationMode != "" {
		t.Errorf("direct customer %+v", alone)
	}
	s.call("GET", "/v1/customers/"+direct.ID, s.adminA, nil).expect(t, 404)

	// Lists: the partner's own customers, newest first.
	list := decode[struct{ Customers []cuCustomer }](t, s.call("GET", customers, s.memberA, nil).expect(t, 200))
	var ids []string
	for _, c := range list.Customers {
		ids = append(ids, c.ID)
	}
	if want := []string{consultative.ID, resale.ID, blueSky}; !slices.Equal(ids, want) {
		t.Errorf("partner A's customers %v, want %v", ids, want)
	}
	if staff := decode[struct{ Customers []cuCustomer }](t, s.call("GET", customers, s.ops, nil).expect(t, 200)); len(staff.Customers) != 3 {
		t.Errorf("staff see %d customers", len(staff.Customers))
	}

	// Partner B sees nothing of partner A's customers.
	s.call("GET", customers, s.adminB, nil).expect(t, 404)
	s.call("GET", "/v1/customers/"+resale.ID, s.adminB, nil).expect(t, 404)
	s.call("GET", "/v1/customers/"+blueSky, s.adminB, nil).expect(t, 404)
	s.call("GET", "/v1/customers/"+other.ID, s.memberA, nil).expect(t, 404)
	s.call("GET", "/v1/customers/"+other.ID, other.Principal.Token, nil).expect(t, 200)

	// Who bound what is in the partner's audit trail.
	trail, _, err := s.store.AuditTrail(ctx, s.partnerA, "", store.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action+" by "+e.PrincipalName)
	}
	if want := []string{"customer.bound by Acme admin", "customer.bound by Acme member", "access.configured by Acme admin"}; !slices.Equal(actions, want) {
		t.Errorf("audit trail %v, want %v", actions, want)
	}
	// without certificate_type the binding is whole, and shows none
	noType := cuBinding(cfg.XAccountType, "u-no-type", "resale")
	delete(noType, "certificate_type")
	if c := s.cuBind(s.memberA, s.partnerA, noType); c.CertificateType != nil {
		t.Errorf("bound without a certificate type, it shows %v", *c.CertificateType)
	}
}

// cuSetup configures partner A and binds a resale and a consultative customer.
func (s *system) cuSetup() (resale, consultative cuCustomer, xaccountType string) {
	s.t.Helper()
	cfg := s.cuConfigure(s.adminA, s.partnerA)
	resale = s.cuBind(s.memberA, s.partnerA, cuBinding(cfg.XAccountType, "resale-1", "resale"))
	consultative = s.cuBind(s.memberA, s.partnerA, cuBinding(cfg.XAccountType, "consult-1", "consultative"))
	return resale, consultative, cfg.XAccountType
}

func TestOnlineContracts(t *testing.T) {
	s := startSystem(t, "3wd")
	ctx := context.Background()
	resale, consultative, _ := s.cuSetup()
	rTok, cTok := resale.Principal.Token, consultative.Principal.Token
	rPath, cPath := "/v1/customers/"+resale.ID+"/contracts", "/v1/customers/"+consultative.ID+"/contracts"
	title := map[string]string{"title": "Cloud servers 2026"}

	// A resale customer cannot apply itself: it is told to ask its partner.
	p := cuProblem(t, s.call("POST", rPath, rTok, title), 409)
	if !strings.Contains(p.Detail, "ask your partner") || !strings.Contains(p.Detail, "Acme Solutions") {
		t.Errorf("resale refusal %+v", p)
	}
	// Its partner applies on its behalf (a member, recorded as such).
	created := s.call("POST", rPath, s.memberA, title).expect(t, 201)
	byPartner := decode[cuContract](t, created)
	if byPartner.CustomerID != resale.ID || byPartner.Status != "applied" || byPartner.Title != "Cloud servers 2026" ||
		byPartner.AppliedBy.Role != "member" || byPartner.AppliedBy.Name != "Acme member" || byPartner.AppliedBy.ID == "" {
		t.Errorf("applied for the resale customer: %+v", byPartner)
	}
	if loc := created.header.Get("Location"); loc != rPath+"/"+byPartner.ID {
		t.Errorf("Location %q", loc)
	}
	s.call("POST", rPath, s.adminA, map[string]string{"title": " Storage "}).expect(t, 201)

	// A consultative customer applies itself; its partner may not.
	bySelf := decode[cuContract](t, s.call("POST", cPath, cTok, title).expect(t, 201))
	if bySelf.AppliedBy.Role != "customer" || bySelf.AppliedBy.Name != "Customer consult-1" || bySelf.Status != "applied" {
		t.Errorf("applied by the consultative customer: %+v", bySelf)
	}
	p = cuProblem(t, s.call("POST", cPath, s.adminA, title), 409)
	if !strings.Contains(p.Detail, "applies for its online contract itself") {
		t.Errorf("partner for a consultative customer: %+v", p)
	}
	// A customer without a partner applies itself.
	direct, err := s.store.CreateCustomer(ctx, "Walk-in Ltd", "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, dTok, err := s.store.CreatePrincipal(ctx, store.NewPrincipal{Name: "Walk-in", Role: cases.RoleCustomer, CustomerID: direct.ID})
	if err != nil {
		t.Fatal(err)
	}
	s.call("POST", "/v1/customers/"+direct.ID+"/contracts", dTok, title).expect(t, 201)

	// Bad input.
	if p := cuProblem(t, s.call("POST", cPath, cTok, map[string]string{"title": strings.Repeat("合", 201)}), 422); p.fields() != "title" {
		t.Errorf("long title: %+v", p)
	}
	if p := cuProblem(t, s.call("POST", cPath, cTok, "{}"), 422); p.fields() != "title" {
		t.Errorf("no title: %+v", p)
	}
	if p := cuProblem(t, s.call("POST", cPath, cTok, `{"title": 5}`), 422); p.fields() != "title" {
		t.Errorf("a number for a title: %+v", p)
	}
	s.call("POST", cPath, cTok, "").expect(t, 400)

	// Who may: not staff (403); nobody who does not see the customer (404).
	s.call("POST", rPath, s.ops, title).expect(t, 403)
	s.call("POST", rPath, s.adminB, title).expect(t, 404)
	s.call("POST", rPath, cTok, title).expect(t, 404)
	s.call("POST", cPath, rTok, title).expect(t, 404)

	// Idempotency: the same key and body give the same contract.
	k1 := decode[cuContract](t, s.call("POST", cPath, cTok, map[string]string{"title": "Once"}, "Idempotency-Key", "c-1").expect(t, 201))
	k2 := decode[cuContract](t, s.call("POST", cPath, cTok, map[string]string{"title": "Once"}, "Idempotency-Key", "c-1").expect(t, 201))
	if k1.ID != k2.ID {
		t.Errorf("a repeated request made a second contract: %s %s", k1.ID, k2.ID)
	}
	s.call("POST", cPath, cTok, map[string]string{"title": "Twice"}, "Idempotency-Key", "c-1").expect(t, 409)

	// Lists and single contracts.
	listOf := func(path, tok string) []cuContract {
		return decode[struct{ Contracts []cuContract }](t, s.call("GET", path, tok, nil).expect(t, 200)).Contracts
	}
	for _, tok := range []string{rTok, s.memberA, s.adminA, s.ops} {
		if got := listOf(rPath, tok); len(got) != 2 || got[1].ID != byPartner.ID || got[0].Title != "Storage" {
			t.Errorf("resale contracts %+v", got)
		}
	}
	if got := listOf(cPath, cTok); len(got) != 2 || got[0].ID != k1.ID || got[1].ID != bySelf.ID {
		t.Errorf("consultative contracts %+v", got)
	}
	if got := decode[cuContract](t, s.call("GET", rPath+"/"+byPartner.ID, rTok, nil).expect(t, 200)); got.ID != byPartner.ID {
		t.Errorf("read %+v", got)
	}
	s.call("GET", cPath+"/"+byPartner.ID, cTok, nil).expect(t, 404) // another customer's contract under its path
	s.call("GET", rPath+"/ctr_nothing", rTok, nil).expect(t, 404)

	// Partner B sees none of it.
	s.call("GET", rPath, s.adminB, nil).expect(t, 404)
	s.call("GET", rPath+"/"+byPartner.ID, s.adminB, nil).expect(t, 404)
	s.call("GET", cPath, rTok, nil).expect(t, 404)

	trail, _, err := s.store.AuditTrail(ctx, s.partnerA, "", store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, e := range trail {
		if e.Action == "contract.applied" {
			applied++
		}
	}
	if applied != 4 { // two by the partner, two by the consultative customer
		t.Errorf("%d contract applications audited, want 4", applied)
	}
}

func TestMarketplaceOrdersAndPerformance(t *testing.T) {
	s := startSystem(t, "3wd")
	ctx := context.Background()
	resale, consultative, _ := s.cuSetup()
	cfgB := s.cuConfigure(s.adminB, s.partnerB)
	nimbusCustomer := s.cuBind(s.adminB, s.partnerB, cuBinding(cfgB.XAccountType, "nimbus-1", "resale"))
	rTok, cTok, nTok := resale.Principal.Token, consultative.Principal.Token, nimbusCustomer.Principal.Token
	rPath, cPath, nPath := "/v1/customers/"+resale.ID+"/marketplace-orders", "/v1/customers/"+consultative.ID+"/marketplace-orders",
		"/v1/customers/"+nimbusCustomer.ID+"/marketplace-orders"
	order := func(product string, amount int64, currency, reseller string) map[string]any {
		return map[string]any{"product": product, "amount": map[string]any{"amount": amount, "currency": currency}, "reseller_id": reseller}
	}

	// Through the associated solution provider: the partner's sale and margin.
	created := s.call("POST", rPath, rTok, order("Security audit", 12000, "CNY", s.partnerA)).expect(t, 201)
	viaPartner := decode[cuOrder](t, created)
	if viaPartner.ResellerID != s.partnerA || viaPartner.SalesChannel != "partner" || viaPartner.MarginTo != "partner" ||
		viaPartner.Amount != (rules.Money{Amount: 12000, Currency: "CNY"}) || viaPartner.Status != "completed" ||
		viaPartner.CustomerID != resale.ID || viaPartner.PlacedBy == nil || viaPartner.PlacedBy.Role != "customer" {
		t.Errorf("order through the partner: %+v", viaPartner)
	}
	if loc := created.header.Get("Location"); loc != rPath+"/"+viaPartner.ID {
		t.Errorf("Location %q", loc)
	}
	// Empty or absent: vendor direct sales, the vendor keeps the margin.
	direct := decode[cuOrder](t, s.call("POST", cPath, cTok, order("Backup", 3000, "CNY", "")).expect(t, 201))
	if direct.ResellerID != "" || direct.SalesChannel != "vendor_direct" || direct.MarginTo != "vendor" {
		t.Errorf("vendor direct order: %+v", direct)
	}
	absent := decode[cuOrder](t, s.call("POST", cPath, cTok,
		map[string]any{"product": "CDN", "amount": map[string]any{"amount": 2000, "currency": "USD"}}).expect(t, 201))
	if absent.SalesChannel != "vendor_direct" || absent.MarginTo != "vendor" {
		t.Errorf("order without reseller_id: %+v", absent)
	}
	s.call("POST", cPath, cTok, order("Consulting", 500, "CNY", s.partnerA)).expect(t, 201) // consultative customers too

	// Any other reseller ID is refused, naming reseller_id.
	for _, reseller := range []string{s.partnerB, "garbage", strings.ToUpper(s.partnerA)} {
		if p := cuProblem(t, s.call("POST", rPath, rTok, order("x", 100, "CNY", reseller)), 422); p.fields() != "reseller_id" {
			t.Errorf("reseller %q: %+v", reseller, p)
		}
	}
	// The customer of a cloud reseller cannot name it: it is not a solution provider.
	p := cuProblem(t, s.call("POST", nPath, nTok, order("x", 100, "CNY", s.partnerB)), 422)
	if p.fields() != "reseller_id" || !strings.Contains(p.Errors[0].Message, "not a solution provider") {
		t.Errorf("cloud reseller as reseller: %+v", p)
	}
	s.call("POST", nPath, nTok, order("x", 100, "CNY", s.partnerA)).expect(t, 422) // another partner's
	nimbusDirect := decode[cuOrder](t, s.call("POST", nPath, nTok, order("Nimbus backup", 777, "CNY", "")).expect(t, 201))
	if nimbusDirect.SalesChannel != "vendor_direct" {
		t.Errorf("nimbus customer's order %+v", nimbusDirect)
	}
	// Every bad field at once, and nothing written.
	p = cuProblem(t, s.call("POST", rPath, rTok, order("", 0, "cny", s.partnerB)), 422)
	if p.fields() != "product,amount.amount,amount.currency,reseller_id" {
		t.Errorf("bad fields %q", p.fields())
	}
	if p := cuProblem(t, s.call("POST", rPath, rTok, order(strings.Repeat("p", 201), -1, "CNY", "")), 422); p.fields() != "product,amount.amount" {
		t.Errorf("bad fields %q", p.fields())
	}
	if p := cuProblem(t, s.call("POST", rPath, rTok, map[string]any{"product": "x"}), 422); p.fields() != "amount" {
		t.Errorf("bad fields %q", p.fields())
	}
	if p := cuProblem(t, s.call("POST", rPath, rTok, `{"product": "x", "amount": {"amount": 1.5, "currency": "CNY"}}`), 422); p.fields() != "amount.amount" {
		t.Errorf("a fraction of a minor unit: %+v", p)
	}
	if p := cuProblem(t, s.call("POST", rPath, rTok, `{"product": "x", "amount": {"amount": 1, "currency": "CNY", "fx": 1}}`), 422); p.fields() != "amount.fx" {
		t.Errorf("unknown field: %+v", p)
	}

	// Only the customer itself places orders.
	s.call("POST", rPath, s.memberA, order("x", 100, "CNY", "")).expect(t, 403)
	s.call("POST", rPath, s.ops, order("x", 100, "CNY", "")).expect(t, 403)
	s.call("POST", rPath, s.adminB, order("x", 100, "CNY", "")).expect(t, 404)
	s.call("POST", rPath, cTok, order("x", 100, "CNY", "")).expect(t, 404)

	// Idempotency: the same key and body give the same order.
	o1 := decode[cuOrder](t, s.call("POST", rPath, rTok, order("Once", 100, "EUR", ""), "Idempotency-Key", "o-1").expect(t, 201))
	o2 := decode[cuOrder](t, s.call("POST", rPath, rTok, order("Once", 100, "EUR", ""), "Idempotency-Key", "o-1").expect(t, 201))
	if o1.ID != o2.ID {
		t.Errorf("a repeated request made a second order")
	}
	s.call("POST", rPath, rTok, order("Once", 200, "EUR", ""), "Idempotency-Key", "o-1").expect(t, 409)

	// Lists and single orders.
	listOf := func(path, tok string) []cuOrder {
		return decode[struct{ Orders []cuOrder }](t, s.call("GET", path, tok, nil).expect(t, 200)).Orders
	}
	for _, tok := range []string{rTok, s.memberA, s.adminA, s.ops} {
		if got := listOf(rPath, tok); len(got) != 2 || got[0].ID != o1.ID || got[1].ID != viaPartner.ID {
			t.Errorf("resale customer's orders %+v", got)
		}
	}
	if got := listOf(cPath, cTok); len(got) != 3 {
		t.Errorf("consultative customer's orders %+v", got)
	}
	if got := decode[cuOrder](t, s.call("GET", rPath+"/"+viaPartner.ID, s.memberA, nil).expect(t, 200)); got.ID != viaPartner.ID {
		t.Errorf("read %+v", got)
	}
	s.call("GET", cPath+"/"+viaPartner.ID, cTok, nil).expect(t, 404)
	s.call("GET", rPath, s.adminB, nil).expect(t, 404)
	s.call("GET", rPath+"/"+viaPartner.ID, s.adminB, nil).expect(t, 404)
	s.call("GET", nPath, s.memberA, nil).expect(t, 404)

	// Annual performance. Rows of other years, of the partner's own account,
	// of the old seeded customer and of other partners' customers go in
	// through the store; the year is counted in Asia/Shanghai.
	record := func(o store.NewMarketplaceOrder) {
		t.Helper()
		switch {
		case o.SalesChannel == "" && o.CustomerPartnerID != "": // sold through the customer's partner
			o.SalesChannel, o.MarginTo, o.ResellerID = "partner", "partner", o.CustomerPartnerID
		case o.SalesChannel == "":
			o.SalesChannel, o.MarginTo = "vendor_direct", "vendor"
		}
		if o.Product == "" {
			o.Product = "fixture"
		}
		if _, _, err := s.store.RecordMarketplaceOrder(ctx, o, nil); err != nil {
			t.Fatal(err)
		}
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	blueSky := s.cuCustomerOf(s.customA)
	walkIn, err := s.store.CreateCustomer(ctx, "Walk-in Ltd", "", "")
	if err != nil {
		t.Fatal(err)
	}
	record(store.NewMarketplaceOrder{CustomerID: resale.ID, CustomerPartnerID: s.partnerA, Amount: 5000, Currency: "CNY", At: at("2024-06-01T10:00:00+08:00")})
	// 2024-01-01 00:30 in Shanghai: 2024, not 2023.
	record(store.NewMarketplaceOrder{CustomerID: consultative.ID, CustomerPartnerID: s.partnerA, Amount: 250, Currency: "CNY", At: at("2023-12-31T16:30:00Z")})
	// 2023-12-31 23:59:59 in Shanghai: 2023.
	record(store.NewMarketplaceOrder{CustomerID: consultative.ID, CustomerPartnerID: s.partnerA, Amount: 40, Currency: "CNY", At: at("2023-12-31T15:59:59Z")})
	record(store.NewMarketplaceOrder{BuyerPartnerID: s.partnerA, Amount: 700, Currency: "USD", At: at("2024-03-03T12:00:00Z")})
	record(store.NewMarketplaceOrder{CustomerID: blueSky, CustomerPartnerID: s.partnerA, Amount: 100, Currency: "CNY", At: at("2024-12-31T15:00:00Z")})
	// Not partner A's: another partner's customer and own account, a direct customer.
	record(store.NewMarketplaceOrder{CustomerID: nimbusCustomer.ID, CustomerPartnerID: s.partnerB, Amount: 999, Currency: "CNY", At: at("2024-05-05T05:00:00Z")})
	record(store.NewMarketplaceOrder{BuyerPartnerID: s.partnerB, Amount: 1, Currency: "USD", At: at("2024-05-05T05:00:00Z")})
	record(store.NewMarketplaceOrder{CustomerID: walkIn.ID, Amount: 31, Currency: "CNY", At: at("2024-05-05T05:00:00Z")})
	// Partner A's customer buying from the vendor directly: no partner's performance.
	record(store.NewMarketplaceOrder{CustomerID: resale.ID, CustomerPartnerID: s.partnerA, SalesChannel: "vendor_direct", MarginTo: "vendor",
		Amount: 60, Currency: "CNY", At: at("2024-06-01T10:00:00+08:00")})
	// The association is checked when the order is recorded.
	if _, _, err := s.store.RecordMarketplaceOrder(ctx, store.NewMarketplaceOrder{CustomerID: resale.ID, CustomerPartnerID: s.partnerB,
		Product: "x", Amount: 1, Currency: "CNY", SalesChannel: "vendor_direct", MarginTo: "vendor"}, nil); err != store.ErrAssociationChanged {
		t.Errorf("recorded with a stale association: %v", err)
	}

	perf := func(partnerID, year, tok string) cuPerformance {
		t.Helper()
		return decode[cuPerformance](t, s.call("GET", "/v1/partners/"+partnerID+"/performance?year="+year, tok, nil).expect(t, 200))
	}
	check := func(got cuPerformance, partnerID string, year int, count int, want ...rules.Money) {
		t.Helper()
		if want == nil {
			want = []rules.Money{}
		}
		from := fmt.Sprintf("%d-01-01T00:00:00+08:00", year)
		if got.PartnerID != partnerID || got.Year != year || got.OrderCount != count || !slices.Equal(got.Revenue, want) ||
			got.From != from || got.TimeZone != "Asia/Shanghai" || !slices.Equal(got.Orders.Revenue, want) {
			t.Errorf("performance %+v, want %s %d %d %v", got, partnerID, year, count, want)
		}
	}
	check(perf(s.partnerA, "2024", s.memberA), s.partnerA, 2024, 4,
		rules.Money{Amount: 5000 + 250 + 100, Currency: "CNY"}, rules.Money{Amount: 700, Currency: "USD"})
	check(perf(s.partnerA, "2023", s.ops), s.partnerA, 2023, 1, rules.Money{Amount: 40, Currency: "CNY"})
	check(perf(s.partnerA, "2022", s.adminA), s.partnerA, 2022, 0)
	check(perf(s.partnerB, "2024", s.adminB), s.partnerB, 2024, 2,
		rules.Money{Amount: 999, Currency: "CNY"}, rules.Money{Amount: 1, Currency: "USD"})
	thisYear := time.Now().In(shanghai(t)).Year()
	// This year's orders through Acme; the vendor-direct ones (3,000 CNY, 100 EUR, 20 USD) are not Acme's.
	check(perf(s.partnerA, time.Now().In(shanghai(t)).Format("2006"), s.supervisor), s.partnerA, thisYear, 2,
		rules.Money{Amount: 12000 + 500, Currency: "CNY"})
	check(perf(s.partnerA, "2100", s.memberA), s.partnerA, 2100, 0)

	for _, year := range []string{"", "1999", "2101", "20x4", "2024.0"} {
		if p := cuProblem(t, s.call("GET", "/v1/partners/"+s.partnerA+"/performance?year="+year, s.memberA, nil), 422); p.fields() != "year" {
			t.Errorf("year %q: %+v", year, p)
		}
	}
	s.call("GET", "/v1/partners/"+s.partnerA+"/performance", s.memberA, nil).expect(t, 422)
	s.call("GET", "/v1/partners/"+s.partnerA+"/performance?year=2024", s.adminB, nil).expect(t, 404)
	s.call("GET", "/v1/partners/"+s.partnerA+"/performance?year=2024", rTok, nil).expect(t, 403)
	s.call("GET", "/v1/partners/prt_nobody/performance?year=2024", s.ops, nil).expect(t, 404)
}
