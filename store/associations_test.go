package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// assocFixture is two certified partners with admins and a vendor-direct
// customer with its own sign-in.
type assocFixture struct {
	st               *store.Store
	acme, nimbus     store.Partner
	acmeAdmin, nimAd store.Principal
	direct           store.Customer
	directPrincipal  store.Principal
}

func newAssocFixture(t *testing.T) assocFixture {
	t.Helper()
	ctx := context.Background()
	st, _ := testdb.New(t)
	f := assocFixture{st: st}
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.acme, err = st.CreatePartner(ctx, "Acme", "solution_provider", "certified")
	must(err)
	f.nimbus, err = st.CreatePartner(ctx, "Nimbus", "solution_provider", "certified")
	must(err)
	certify(t, st, f.acme.ID)
	certify(t, st, f.nimbus.ID)
	f.acmeAdmin, _, err = st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: f.acme.ID})
	must(err)
	f.nimAd, _, err = st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Nimbus admin", Role: cases.RoleAdmin, PartnerID: f.nimbus.ID})
	must(err)
	f.direct, err = st.CreateCustomer(ctx, "Pine Hill Bakery", "", "")
	must(err)
	f.directPrincipal, _, err = st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Pine Hill Bakery", Role: cases.RoleCustomer, CustomerID: f.direct.ID})
	must(err)
	return f
}

// request asks for the association (account) or dissociation (customer
// ID) at, as partner's admin by.
func (f assocFixture) request(direction string, partner store.Partner, by store.Principal, account string, at time.Time) (cases.Case, error) {
	r := store.NewAssociationRequest{Direction: direction, PartnerID: partner.ID, AccountID: account, By: by, Location: time.UTC,
		Build: func(c store.Customer, _ []rules.DissociationBlocker) store.NewCase {
			return store.NewCase{Case: cases.Case{ID: store.NewID("cas"), Kind: cases.KindCustomerAssociation, PartnerID: partner.ID,
				CustomerID: c.ID, Status: "awaiting_customer", CreatedAt: at, UpdatedAt: at}, Workflow: "CustomerAssociation", Input: struct{}{}}
		}}
	if direction == store.DirectionAssociate {
		r.Mode = "resale"
		r.Binding = &store.AssociationBinding{XAccountType: "PO" + partner.ID[len(partner.ID)-6:], XAccountID: "x-" + account, CertificateNumber: "91350100M000100Y43"}
	}
	c, _, err := f.st.RequestAssociation(context.Background(), r)
	return c, err
}

func (f assocFixture) customer(t *testing.T) store.Customer {
	t.Helper()
	c, err := f.st.Customer(context.Background(), f.direct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f assocFixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.st.DB().Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAssociationRequests: the partner asks; nothing changes until the
// customer accepts (declined leaves the account untouched); an account
// associated with, or asked for by, another partner is refused naming
// nothing; an unknown account is not found; a decided request is not
// decided again, the same decision again changes nothing.
func TestAssociationRequests(t *testing.T) {
	ctx := context.Background()
	f := newAssocFixture(t)
	now := time.Now().UTC().Truncate(time.Microsecond)

	if _, err := f.request(store.DirectionAssociate, f.acme, f.acmeAdmin, "acc_unknown", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown account: %v, want ErrNotFound", err)
	}
	first, err := f.request(store.DirectionAssociate, f.acme, f.acmeAdmin, f.direct.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if c := f.customer(t); c.PartnerID.Valid {
		t.Fatalf("requested only, the customer is associated: %+v", c)
	}
	if pending, err := f.st.PendingAssociation(ctx, f.acme.ID, f.direct.ID); err != nil || pending != first.ID {
		t.Errorf("pending association = %q, %v; want %s", pending, err, first.ID)
	}
	cases0, requests0 := f.count(t, "cases"), f.count(t, "association_requests")
	var open *store.OpenCaseError
	if _, err := f.request(store.DirectionAssociate, f.acme, f.acmeAdmin, f.direct.ID, now); !errors.As(err, &open) || open.CaseID != first.ID {
		t.Errorf("the partner's second request: %v, want its open case named", err)
	}
	if _, err := f.request(store.DirectionAssociate, f.nimbus, f.nimAd, f.direct.ID, now); !errors.Is(err, store.ErrAccountUnavailable) {
		t.Errorf("another partner's request while one is open: %v, want ErrAccountUnavailable", err)
	}
	if c, r := f.count(t, "cases"), f.count(t, "association_requests"); c != cases0 || r != requests0 {
		t.Errorf("refused requests wrote rows: cases %d→%d, requests %d→%d", cases0, c, requests0, r)
	}

	// Declined: untouched, and not decided again.
	if _, err := f.st.DecideAssociation(ctx, first.ID, store.RequestDeclined, f.directPrincipal, now); err != nil {
		t.Fatal(err)
	}
	if c := f.customer(t); c.PartnerID.Valid || c.XAccountID.Valid {
		t.Errorf("declined, the customer changed: %+v", c)
	}
	if _, err := f.st.DecideAssociation(ctx, first.ID, store.RequestAccepted, f.directPrincipal, now); !errors.Is(err, store.ErrAssociationDecided) {
		t.Errorf("accepting a declined request: %v, want ErrAssociationDecided", err)
	}
	if _, err := f.st.DecideAssociation(ctx, first.ID, store.RequestDeclined, f.directPrincipal, now); err != nil {
		t.Errorf("the same decision again: %v, want nothing", err)
	}

	// Accepted: bound to Acme in the mode asked, by Acme's admin.
	second, err := f.request(store.DirectionAssociate, f.acme, f.acmeAdmin, f.direct.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DecideAssociation(ctx, second.ID, store.RequestAccepted, f.directPrincipal, now); err != nil {
		t.Fatal(err)
	}
	c := f.customer(t)
	if c.PartnerID.String != f.acme.ID || c.AssociationMode.String != "resale" || c.CloudAccountID.String != f.direct.ID ||
		c.AccountOrigin.String != "existing" || c.BoundBy.String != f.acmeAdmin.ID {
		t.Errorf("accepted, the customer is %+v", c)
	}
	if _, err := f.request(store.DirectionAssociate, f.nimbus, f.nimAd, f.direct.ID, now); !errors.Is(err, store.ErrAccountUnavailable) ||
		errorNames(err, f.acme.ID, f.acme.Name) {
		t.Errorf("another partner's request for an associated account: %v, want ErrAccountUnavailable naming nothing", err)
	}
	if _, err := f.request(store.DirectionAssociate, f.acme, f.acmeAdmin, f.direct.ID, now); !errors.Is(err, store.ErrAlreadyAssociated) {
		t.Errorf("asking again for its own customer: %v, want ErrAlreadyAssociated", err)
	}
}

func errorNames(err error, words ...string) bool {
	return slices.ContainsFunc(words, func(w string) bool { return w != "" && strings.Contains(err.Error(), w) })
}

// TestDissociationRequests: at most 3 in any 3 months, the refusal naming
// when the next is allowed; acceptance is refused while auto-renewal is
// set, and ends the association once it is cancelled.
func TestDissociationRequests(t *testing.T) {
	ctx := context.Background()
	f := newAssocFixture(t)
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	assoc, err := f.request(store.DirectionAssociate, f.acme, f.acmeAdmin, f.direct.ID, start)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DecideAssociation(ctx, assoc.ID, store.RequestAccepted, f.directPrincipal, start); err != nil {
		t.Fatal(err)
	}
	if _, err := f.request(store.DirectionDissociate, f.nimbus, f.nimAd, f.direct.ID, start); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another partner's dissociation: %v, want ErrNotFound", err)
	}
	for i := range 3 {
		at := start.Add(time.Duration(i+1) * 24 * time.Hour)
		r, err := f.request(store.DirectionDissociate, f.acme, f.acmeAdmin, f.direct.ID, at)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		if _, err := f.st.DecideAssociation(ctx, r.ID, store.RequestDeclined, f.directPrincipal, at); err != nil {
			t.Fatal(err)
		}
	}
	requests0 := f.count(t, "association_requests")
	var limit *store.DissociationLimitError
	_, err = f.request(store.DirectionDissociate, f.acme, f.acmeAdmin, f.direct.ID, start.Add(30*24*time.Hour))
	if !errors.As(err, &limit) || !limit.NextAt.Equal(start.Add(24*time.Hour).AddDate(0, 3, 0)) {
		t.Fatalf("the fourth request within 3 months: %v, want the next allowed 3 months after the first", err)
	}
	if n := f.count(t, "association_requests"); n != requests0 {
		t.Errorf("the refused request wrote a row: %d→%d", requests0, n)
	}

	// Three months after the first, a request is allowed again; auto-renewal blocks its acceptance.
	later := start.Add(24*time.Hour).AddDate(0, 3, 0).Add(time.Minute)
	_, err = f.st.PutResource(ctx, f.direct.ID, rules.NewResource{ID: "ecs-9", Type: rules.ResourceECS, Region: "cn-north-4",
		ExpiresAt: later.AddDate(0, 1, 0), ExpiryPolicy: rules.ExpiryFreeze, MonthlyPrice: rules.Money{Amount: 300, Currency: "CNY"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SetAutoRenewal(ctx, f.direct.ID, "ecs-9", &rules.AutoRenewal{RenewalPeriod: rules.RenewalPeriod{Unit: rules.PeriodMonth, Period: 1}, Count: 3}); err != nil {
		t.Fatal(err)
	}
	r, err := f.request(store.DirectionDissociate, f.acme, f.acmeAdmin, f.direct.ID, later)
	if err != nil {
		t.Fatal(err)
	}
	var blocked *store.DissociationBlocked
	if _, err := f.st.DecideAssociation(ctx, r.ID, store.RequestAccepted, f.directPrincipal, later); !errors.As(err, &blocked) ||
		len(blocked.Blockers) != 1 || blocked.Blockers[0].Kind != rules.BlockerAutoRenewal || blocked.Blockers[0].ID != "ecs-9" {
		t.Fatalf("accepting with auto-renewal set: %v", err)
	}
	if c := f.customer(t); c.PartnerID.String != f.acme.ID {
		t.Fatalf("a blocked acceptance changed the customer: %+v", c)
	}
	if _, err := f.st.SetAutoRenewal(ctx, f.direct.ID, "ecs-9", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DecideAssociation(ctx, r.ID, store.RequestAccepted, f.directPrincipal, later); err != nil {
		t.Fatal(err)
	}
	if c := f.customer(t); c.PartnerID.Valid {
		t.Errorf("accepted dissociation, the customer is still %s's", c.PartnerID.String)
	}
}
