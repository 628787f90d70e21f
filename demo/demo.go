// Package demo creates the demo principals and records of `partnerops dev`:
// staff to review, two certified partners of different types with a
// customer each, a third partner not certified yet, money in Acme's account, a consultative customer of Acme, two
// vendor-direct customers with their own sign-in (for association requests), a personal
// account no partner has invited yet, a published incentive settlement of
// Acme, a vendor opportunity available for ops to share with a partner, and
// the yearly/monthly resources of Acme's customer that the renewal
// walk-through renews. Acme's access configuration is left for the README's
// walk-through to complete, as it binds a customer itself.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// Principal is a demo principal and its token.
type Principal struct {
	Env        string `json:"env"` // the shell variable the README's walk-through uses
	Name       string `json:"name"`
	Role       string `json:"role"`
	PartnerID  string `json:"partner_id,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	Token      string `json:"token"`
}

// Partner is a demo partner.
type Partner struct {
	Env  string `json:"env"`
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// ID is another demo record the walk-through names by its ID: a customer,
// the personal account's principal.
type ID struct {
	Env  string `json:"env"`
	ID   string `json:"id"`
	What string `json:"what"` // what it is, for the banner
}

// Data is what the demo created.
type Data struct {
	// Version is the demo set's shape: a file of another version (or none,
	// from before versions) is replaced by a fresh demo set.
	Version    int         `json:"version"`
	Partners   []Partner   `json:"partners"`
	Principals []Principal `json:"principals"`
	IDs        []ID        `json:"ids"`
}

// version is the shape of the demo set create makes; raise it when create
// makes something the walk-through needs that older sets lack.
const version = 6

// depositAmount is what ops deposited into Acme's account, so that the
// walk-through's adjustments work at once.
var depositAmount = rules.Money{Amount: 1_000_000, Currency: "CNY"}

// fileName keeps the demo tokens in the data directory: tokens are stored
// only as hashes, and dev prints them again at every start.
const fileName = "demo-tokens.json"

// Ensure returns the demo data recorded under dataDir when its tokens still
// work against the database, or creates a new demo set and records it.
func Ensure(ctx context.Context, s *store.Store, dataDir string, policy Policy) (Data, error) {
	path := filepath.Join(dataDir, fileName)
	if d, err := load(path); err == nil && d.valid(ctx, s) {
		return d, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Data{}, err
	}
	d, err := create(ctx, s, policy)
	if err != nil {
		return Data{}, err
	}
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return Data{}, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return Data{}, err
	}
	return d, os.WriteFile(path, raw, 0o600)
}

func load(path string) (Data, error) {
	var d Data
	raw, err := os.ReadFile(path)
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(raw, &d)
}

// valid reports whether the recorded set is of the current shape and every
// recorded token still names its principal (the database may have been
// reset since).
func (d Data) valid(ctx context.Context, s *store.Store) bool {
	if d.Version != version {
		return false
	}
	for _, p := range d.Principals {
		if _, err := s.PrincipalByToken(ctx, p.Token); err != nil || p.Env == "" {
			return false
		}
	}
	for _, id := range d.IDs {
		if id.Env == "" || id.ID == "" {
			return false
		}
	}
	return len(d.Principals) > 0 && len(d.Partners) > 0
}

// demoPartners are the partners of the demo set, each with its admin.
// Acme and Nimbus are certified, each with a customer (the money, payment,
// incentive and opportunity walk-throughs act for them); Orchid is not yet,
// so the certification walk-through shows the gate before and after.
var demoPartners = []struct {
	env, name, typ, level, customer, mode string
	certified                             *rules.BusinessInfo
}{
	{"ACME", "Acme Solutions", "solution_provider", "preferred", "Blue Sky Retail", "resale", &acmeCertified},
	{"NIMBUS", "Nimbus Reseller", "cloud_reseller", "", "Green Field Farms", "resale", &nimbusCertified},
	{"ORCHID", "Orchid Digital", "solution_provider", "certified", "", "", nil},
}

// ErrNotDemoDatabase refuses to load the demo set into a database that
// holds partners of its own.
var ErrNotDemoDatabase = errors.New("the database holds partners the demo set did not make")

// Load adds a new demo set to the database, whatever runs on it (a
// production-shape deployment: the cases it opens are started by the
// workers' sweep). It refuses a database holding other partners than the
// demo set's, unless force.
func Load(ctx context.Context, s *store.Store, policy Policy, force bool) (Data, error) {
	if !force {
		names := make([]string, len(demoPartners))
		for i, p := range demoPartners {
			names[i] = p.name
		}
		n, err := s.CountPartnersNotNamed(ctx, names)
		if err != nil {
			return Data{}, err
		}
		if n > 0 {
			return Data{}, fmt.Errorf("%w (%d of them); add --force to load the demo set beside them", ErrNotDemoDatabase, n)
		}
	}
	return create(ctx, s, policy)
}

func create(ctx context.Context, s *store.Store, policy Policy) (Data, error) {
	d := Data{Version: version}
	add := func(env string, np store.NewPrincipal) (store.Principal, error) {
		p, token, err := s.CreatePrincipal(ctx, np)
		d.Principals = append(d.Principals, Principal{
			Env: env, Name: np.Name, Role: np.Role, PartnerID: np.PartnerID, CustomerID: np.CustomerID, Token: token,
		})
		return p, err
	}
	ops, err := add("OPS_TOKEN", store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		return d, err
	}
	if _, err := add("SUPERVISOR_TOKEN", store.NewPrincipal{Name: "Sam Supervisor", Role: cases.RoleSupervisor}); err != nil {
		return d, err
	}
	var acme, blueSky string
	for _, p := range demoPartners {
		partner, err := s.CreatePartner(ctx, p.name, p.typ, p.level)
		if err != nil {
			return d, err
		}
		if p.env == "ACME" {
			acme = partner.ID
		}
		d.Partners = append(d.Partners, Partner{Env: p.env, ID: partner.ID, Name: p.name, Type: p.typ})
		admin := store.NewPrincipal{Name: p.name + " admin", Role: cases.RoleAdmin, PartnerID: partner.ID}
		if _, err := add(p.env+"_ADMIN_TOKEN", admin); err != nil {
			return d, err
		}
		if p.certified == nil {
			continue
		}
		if _, err := Certify(ctx, s, partner.ID, *p.certified, ops); err != nil {
			return d, err
		}
		customer, err := addCustomer(ctx, s, &d, add, p.env+"_CUSTOMER", p.customer, partner.ID, p.name, p.mode)
		if err != nil {
			return d, err
		}
		if p.env == "ACME" {
			blueSky = customer
		}
	}
	if err := addResources(ctx, s, &d, blueSky, time.Now()); err != nil {
		return d, err
	}
	// A consultative customer of Acme: it applies for its online contract
	// itself, and Acme may not for it (nor allocate funds to it).
	if _, err := addCustomer(ctx, s, &d, add, "ACME_CONSULTATIVE_CUSTOMER", "Harbour Light Hotels", acme, "Acme Solutions", "consultative"); err != nil {
		return d, err
	}
	// Vendor-direct customers with their own sign-in (no partner): a
	// partner asks to associate their accounts, and they accept or decline
	// (docs/walkthroughs/customer-association.md). A vendor-direct
	// customer's cloud account ID is its customer ID.
	for _, c := range []struct{ env, name string }{{"DIRECT_CUSTOMER", "Pine Hill Bakery"}, {"DIRECT_CUSTOMER_2", "Jade Lake Tea"}} {
		if _, err := addCustomer(ctx, s, &d, add, c.env, c.name, "", "", ""); err != nil {
			return d, err
		}
	}
	// A personal account associated with no partner: Acme's admin invites it.
	personal, err := add("PERSONAL_TOKEN", store.NewPrincipal{Name: "Pat Personal", Role: cases.RoleMember})
	if err != nil {
		return d, err
	}
	d.IDs = append(d.IDs, ID{Env: "PERSONAL", ID: personal.ID, What: "principal Pat Personal (personal account, no partner yet)"})
	// Money in Acme's account, recorded by ops, so adjustments work at once.
	if _, _, err := s.CreateDeposit(ctx, store.NewDeposit{
		PartnerID: acme, Amount: depositAmount, TransactionID: "demo-opening-deposit",
		Memo: "Demo opening deposit", By: store.OperatorOf(ops),
	}, nil); err != nil {
		return d, err
	}
	settlement, err := publishSettlement(ctx, s, acme, ops, policy)
	if err != nil {
		return d, err
	}
	d.IDs = append(d.IDs, ID{Env: "ACME_SETTLEMENT", ID: settlement, What: "incentive settlement 2026-Q2 of Acme Solutions (published)"})
	// A vendor opportunity ops may share with a partner (the walk-through
	// records its own, so that it runs again on the same demo set).
	vop, err := s.CreateVendorOpportunity(ctx, store.VendorOpportunity{
		ID: store.NewID("vop"), Opportunity: demoVendorOpportunity, CreatedBy: ops.ID, CreatedAt: time.Now().UTC().Truncate(time.Microsecond),
	}, nil)
	if err != nil {
		return d, err
	}
	d.IDs = append(d.IDs, ID{Env: "VENDOR_OPPORTUNITY", ID: vop.ID, What: "vendor opportunity Jade River Pharma (available to share)"})
	return d, nil
}

// The certified business information of Acme (the seller its incentive
// invoices name, as in the README) and Nimbus.
var (
	acmeCertified = rules.BusinessInfo{
		CompanyName: "Acme Solutions Ltd", CertificateNumber: "91350100M000100Y43", CertificateType: new(rules.BusinessLicence),
		LegalRepresentative: "Zhang San", Address: "1 Cloud Road, Hangzhou",
		Contact: rules.Contact{Name: "Li Si", Phone: "+86 138 0000 0000", Email: "li.si@acme.example"},
	}
	nimbusCertified = rules.BusinessInfo{
		CompanyName: "Nimbus Reseller Co., Ltd.", CertificateNumber: "91310115MA1H002009", CertificateType: new(rules.BusinessLicence),
		LegalRepresentative: "Wang Wu", Address: "8 Harbour Street, Shanghai",
		Contact: rules.Contact{Name: "Chen Liu", Phone: "+86 139 0000 0000", Email: "chen.liu@nimbus.example"},
	}
)

// demoVendorOpportunity passes the validity rules until its close date.
var demoVendorOpportunity = rules.Opportunity{
	Customer:           rules.CustomerOfOpportunity{Name: "Jade River Pharma", Industry: "healthcare"},
	Contact:            &rules.CustomerContact{Name: "Zhou Min", Email: "zhou.min@jaderiver.example"},
	Budget:             &rules.Money{Amount: 120_000_000, Currency: "CNY"},
	ExpectedStart:      "2027-03-01",
	ExpectedClose:      "2027-06-30",
	IncrementalRevenue: &rules.Money{Amount: 40_000_000, Currency: "CNY"},
	Incremental:        rules.MigrationFromAnotherCloud,
	BusinessNeed: rules.BusinessNeed{Category: rules.NeedCompliance,
		Description: "Move clinical trial data to a compliant region before the new data-residency rules apply."},
	NextAction: rules.NextAction{Description: "Compliance workshop with the customer's data officer", DueDate: "2027-01-20"},
	Products:   []string{"OSS", "RDS for PostgreSQL", "KMS"},
}

// addCustomer creates a customer of a partner, exports its ID as env and
// its token as env_TOKEN, and returns its ID.
func addCustomer(ctx context.Context, s *store.Store, d *Data,
	add func(string, store.NewPrincipal) (store.Principal, error), env, name, partnerID, partnerName, mode string) (string, error) {
	customer, err := s.CreateCustomer(ctx, name, partnerID, mode)
	if err != nil {
		return "", err
	}
	what := "customer " + name + " (" + mode + ", of " + partnerName + ")"
	if partnerID == "" {
		what = "customer " + name + " (vendor-direct: no partner; its cloud account ID)"
	}
	d.IDs = append(d.IDs, ID{Env: env, ID: customer.ID, What: what})
	_, err = add(env+"_TOKEN", store.NewPrincipal{Name: name, Role: cases.RoleCustomer, CustomerID: customer.ID})
	return customer.ID, err
}

// addResources records Blue Sky Retail's yearly/monthly resources, as
// billing would: a cloud server with a disk and a shared bandwidth with two
// elastic IPs, both expiring within the week (due for auto-renewal), and an
// elastic IP with its dedicated bandwidth expiring in 40 days. IDs end with
// the customer's, so every demo set has its own.
func addResources(ctx context.Context, s *store.Store, d *Data, customerID string, now time.Time) error {
	suffix := customerID[len(customerID)-8:]
	day := 24 * time.Hour
	expiry := func(days int) time.Time { return now.Add(time.Duration(days) * day).UTC().Truncate(time.Second) }
	cny := func(amount int64) rules.Money { return rules.Money{Amount: amount, Currency: "CNY"} }
	resources := []struct {
		env string
		r   rules.NewResource
	}{
		{"RESOURCE_ECS", rules.NewResource{ID: "ecs-" + suffix, Type: rules.ResourceECS, ExpiresAt: expiry(5), ExpiryPolicy: rules.ExpiryFreeze, MonthlyPrice: cny(30_000)}},
		{"RESOURCE_EVS", rules.NewResource{ID: "evs-" + suffix, Type: rules.ResourceEVS, PrimaryID: "ecs-" + suffix, ExpiresAt: expiry(5), ExpiryPolicy: rules.ExpiryDelete, MonthlyPrice: cny(5_000)}},
		{"RESOURCE_BANDWIDTH", rules.NewResource{ID: "bw-" + suffix, Type: rules.ResourceBandwidthShared, ExpiresAt: expiry(6), ExpiryPolicy: rules.ExpiryGracePeriod, MonthlyPrice: cny(20_000)}},
		{"", rules.NewResource{ID: "eip-a-" + suffix, Type: rules.ResourceEIP, PrimaryID: "bw-" + suffix, ExpiresAt: expiry(6), ExpiryPolicy: rules.ExpiryGracePeriod, MonthlyPrice: cny(2_000)}},
		{"", rules.NewResource{ID: "eip-b-" + suffix, Type: rules.ResourceEIP, PrimaryID: "bw-" + suffix, ExpiresAt: expiry(6), ExpiryPolicy: rules.ExpiryGracePeriod, MonthlyPrice: cny(2_000)}},
		{"", rules.NewResource{ID: "eip-c-" + suffix, Type: rules.ResourceEIP, ExpiresAt: expiry(40), ExpiryPolicy: rules.ExpirySwitchToOnDemand, MonthlyPrice: cny(2_000)}},
		{"", rules.NewResource{ID: "bwd-" + suffix, Type: rules.ResourceBandwidthDedicated, PrimaryID: "eip-c-" + suffix, ExpiresAt: expiry(40), ExpiryPolicy: rules.ExpirySwitchToOnDemand, MonthlyPrice: cny(8_000)}},
	}
	var source store.ResourceSource = s
	for _, r := range resources {
		r.r.Region = "cn-north-4"
		if _, err := source.PutResource(ctx, customerID, r.r); err != nil {
			return err
		}
		if r.env != "" {
			d.IDs = append(d.IDs, ID{Env: r.env, ID: r.r.ID, What: string(r.r.Type) + " resource of Blue Sky Retail"})
		}
	}
	return nil
}
