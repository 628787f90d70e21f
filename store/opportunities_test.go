package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// openOpportunity opens an opportunity case of a new partner in status.
func openOpportunity(t *testing.T, st *store.Store, status string) cases.Case {
	t.Helper()
	c, _ := newCase(t, st)
	c.Kind, c.Status = cases.KindOpportunity, status
	if _, _, err := st.OpenCase(context.Background(), store.NewCase{Case: c, Workflow: "Opportunity", Input: map[string]string{}}, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLikelyDuplicates: another partner's case about the same customer,
// by name key or certificate number, is a likely duplicate while it is
// open (not a pending invitation) or won; the partner's own cases and
// closed ones are not.
func TestLikelyDuplicates(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	other := openOpportunity(t, st, "in_review")
	if _, err := st.RecordOpportunityCustomer(ctx, other.ID, other.PartnerID,
		rules.CustomerOfOpportunity{Name: "Lakeside Retail Co., Ltd.", CertificateNumber: "91330100MA2H3X4Y5Z"}); err != nil {
		t.Fatal(err)
	}
	mine := openOpportunity(t, st, "checking")
	setStatus := func(status string, closed bool) {
		t.Helper()
		var closedAt *time.Time
		if closed {
			at := other.CreatedAt
			closedAt = &at
		}
		if _, err := st.DB().ExecContext(ctx, `UPDATE cases SET status = $2, closed_at = $3 WHERE id = $1`, other.ID, status, closedAt); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name          string
		status        string
		closed        bool
		customer      rules.CustomerOfOpportunity
		partnerIsMine bool
		duplicate     bool
	}{
		{"same name, in review", "in_review", false, rules.CustomerOfOpportunity{Name: "LAKESIDE RETAIL"}, false, true},
		{"same certificate, another name", "approved", false,
			rules.CustomerOfOpportunity{Name: "Lakeside Group", CertificateNumber: "91330100MA2H3X4Y5Z"}, false, true},
		{"won", "won", true, rules.CustomerOfOpportunity{Name: "Lakeside Retail"}, false, true},
		{"a pending invitation", "invited", false, rules.CustomerOfOpportunity{Name: "Lakeside Retail"}, false, false},
		{"lost", "lost", true, rules.CustomerOfOpportunity{Name: "Lakeside Retail"}, false, false},
		{"another customer", "in_review", false, rules.CustomerOfOpportunity{Name: "Lakeside Foods"}, false, false},
		{"the partner's own", "in_review", false, rules.CustomerOfOpportunity{Name: "Lakeside Retail"}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setStatus(tc.status, tc.closed)
			partner := mine.PartnerID
			if tc.partnerIsMine {
				partner = other.PartnerID
			}
			got, err := st.RecordOpportunityCustomer(ctx, mine.ID, partner, tc.customer)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.duplicate; want != slices.Equal(got, []string{other.ID}) || (!want && len(got) != 0) {
				t.Errorf("duplicates %v", got)
			}
		})
	}
}

// TestVendorOpportunityIsHeldByOneInvitation: shared, it is refused to a
// second share until the invitation declines or expires; accepted, it
// stays the partner's.
func TestVendorOpportunityIsHeldByOneInvitation(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	ops, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	v, err := st.CreateVendorOpportunity(ctx, store.VendorOpportunity{ID: store.NewID("vop"), CreatedBy: ops.ID, CreatedAt: at,
		Opportunity: rules.Opportunity{Customer: rules.CustomerOfOpportunity{Name: "Harbour Logistics", Industry: "logistics"}, Products: []string{"ECS"}}}, nil)
	if err != nil || v.Status != "available" || v.Opportunity.Customer.Name != "Harbour Logistics" {
		t.Fatalf("created %+v (%v)", v, err)
	}
	share := func() (cases.Case, error) {
		c, partnerID := newCase(t, st)
		certify(t, st, partnerID)
		c.Kind, c.Status = cases.KindOpportunity, "invited"
		opened, _, err := st.ShareVendorOpportunity(ctx, v.ID, store.NewCase{Case: c, Workflow: "Opportunity", Input: map[string]string{}}, nil)
		return opened, err
	}
	first, err := share()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := share(); !errors.Is(err, store.ErrVendorOpportunityHeld) {
		t.Fatalf("a second share: %v", err)
	}
	status := func(want, caseID string) {
		t.Helper()
		got, err := st.GetVendorOpportunity(ctx, v.ID)
		if err != nil || got.Status != want || got.CaseID.String != caseID {
			t.Errorf("%s %s, want %s %s (%v)", got.Status, got.CaseID.String, want, caseID, err)
		}
	}
	status("shared", first.ID)
	for range 2 { // settling again changes nothing
		if err := st.SettleVendorOpportunity(ctx, first.ID, false, at); err != nil {
			t.Fatal(err)
		}
	}
	status("available", "")
	second, err := share()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SettleVendorOpportunity(ctx, first.ID, true, at); err != nil { // a late answer of the first changes nothing
		t.Fatal(err)
	}
	status("shared", second.ID)
	if err := st.SettleVendorOpportunity(ctx, second.ID, true, at); err != nil {
		t.Fatal(err)
	}
	status("accepted", second.ID)
	if _, err := share(); !errors.Is(err, store.ErrVendorOpportunityHeld) {
		t.Errorf("sharing an accepted one: %v", err)
	}
}
