package store_test

import (
	"context"
	"errors"
	"testing"

	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// TestSelfRegistration: a self-registered partner starts uncertified (the
// gate refuses it) with its contact and admin account; past the bound of
// pending registrations one more is refused with nothing stored, and a
// pending partner that submits a certification frees its place.
func TestSelfRegistration(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	reg := func(name string) (store.RegisteredPartner, error) {
		return st.SelfRegisterPartner(ctx, rules.SelfRegistration{Name: "  " + name + " ", Type: rules.PartnerType("solution_provider"),
			Contact: rules.Contact{Name: "Lin Wei", Phone: "+86 138-0013-8000", Email: "lin@example.com"}}, 2)
	}
	first, err := reg("Orchid")
	if err != nil {
		t.Fatal(err)
	}
	if first.Partner.Name != "Orchid" || first.Partner.Level.String != "certified" || first.Admin.Name != "Orchid admin" || first.AdminToken == "" {
		t.Fatalf("registered %+v", first)
	}
	if who, err := st.PrincipalByToken(ctx, first.AdminToken); err != nil || who.ID != first.Admin.ID {
		t.Fatalf("the admin token authenticates %+v, %v", who, err)
	}
	var contact string
	if !first.Partner.SelfRegistered || first.Partner.ContactEmail.String != "lin@example.com" {
		t.Errorf("the registration answers %+v, want it self-registered with its contact", first.Partner)
	}
	if err := st.DB().GetContext(ctx, &contact, `SELECT contact_email FROM partners WHERE id = $1 AND self_registered`, first.Partner.ID); err != nil || contact != "lin@example.com" {
		t.Fatalf("contact %q, %v", contact, err)
	}
	if _, _, _, err := st.BindCustomer(ctx, store.NewBoundCustomer{Name: "Bound", PartnerID: first.Partner.ID, AssociationMode: "resale",
		XAccountType: "t", XAccountID: "x1", CertificateNumber: "91350100M000100Y43", AccountOrigin: "new", CloudAccountID: "c1",
		By: first.Admin}); !errors.As(err, new(*store.CertificationRequiredError)) {
		t.Errorf("a self-registered partner binds a customer: %v", err)
	}
	if _, err := reg("Second"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM partners`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if _, err := reg("Third"); !errors.Is(err, store.ErrRegistrationsFull) {
		t.Fatalf("a third pending registration: %v, want ErrRegistrationsFull", err)
	}
	if after := count(); after != before {
		t.Errorf("the refused registration stored a partner: %d -> %d", before, after)
	}
	certify(t, st, first.Partner.ID)
	if _, err := reg("Third"); err != nil {
		t.Errorf("a place freed by a submitted certification: %v", err)
	}
}
