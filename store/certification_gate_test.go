package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/demo"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// certify records the partner as certified, as the fixtures' partners are.
func certify(t *testing.T, st *store.Store, partnerID string) string {
	t.Helper()
	ctx := context.Background()
	ops, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	id, err := demo.Certify(ctx, st, partnerID, rules.BusinessInfo{CompanyName: "Acme Solutions Ltd",
		CertificateNumber: "91350100M000100Y43", CertificateType: new(rules.BusinessLicence)}, ops)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCertificationGate: every operation the gate covers is refused to a
// partner never certified, or whose only certification is rejected or
// expired, naming its certification case and writing no row; a certified
// partner passes, and keeps passing while a re-certification is open.
func TestCertificationGate(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "certified")
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := st.CreateCustomer(ctx, "Blue Sky", p.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	vop, err := st.CreateVendorOpportunity(ctx, store.VendorOpportunity{ID: store.NewID("vop"), CreatedBy: admin.ID, CreatedAt: at,
		Opportunity: rules.Opportunity{Customer: rules.CustomerOfOpportunity{Name: "Harbour Logistics", Industry: "logistics"}, Products: []string{"ECS"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	newCase := func(kind cases.Kind, customerID string) store.NewCase {
		return store.NewCase{Case: cases.Case{ID: store.NewID("cas"), Kind: kind, PartnerID: p.ID, CustomerID: customerID,
			Status: "open", CreatedAt: at, UpdatedAt: at}, Workflow: "W", Input: struct{}{}}
	}
	operations := []struct {
		refused string
		do      func() error
	}{
		{store.GatedAssociation, func() error {
			_, _, _, err := st.BindCustomer(ctx, store.NewBoundCustomer{Name: "Bound", PartnerID: p.ID, AssociationMode: "resale",
				XAccountType: "PO0000000001", XAccountID: store.NewID("x"), CertificateNumber: "91350100M000100Y43",
				AccountOrigin: "new", By: admin})
			return err
		}},
		{store.GatedPartnerPayment, func() error {
			pc := newCase(cases.KindPartnerPayment, cust.ID)
			_, err := st.PlaceCloudOrder(ctx, store.NewCloudOrder{ID: store.NewID("ord"), CustomerID: cust.ID, PartnerID: p.ID,
				Scenario: rules.Renewal, Product: "ecs", Amount: rules.Money{Amount: 100, Currency: "CNY"}, Payer: rules.PayerPartner,
				PaymentDeadline: at.Add(time.Hour), PlacedBy: admin, PlacedAt: at}, &pc, nil)
			return err
		}},
		{store.GatedVendorShare, func() error {
			_, _, err := st.ShareVendorOpportunity(ctx, vop.ID, newCase(cases.KindOpportunity, ""), nil)
			return err
		}},
		{store.GatedIncentivePublish, func() error {
			_, _, err := st.OpenCase(ctx, newCase(cases.KindIncentiveSettlement, ""), nil)
			return err
		}},
		{store.GatedLevelApplication, func() error {
			_, err := st.SubmitLevelApplication(ctx, p.ID, "preferred", at.Year(), admin, func(rules.LevelApplicationState) error { return nil })
			return err
		}},
	}
	tables := []string{"cases", "case_starts", "customers", "orders", "partner_level_applications", "audit_events", "principals"}
	counts := func() map[string]int {
		m := map[string]int{}
		for _, table := range tables {
			m[table] = count(t, st, table)
		}
		m["vendor opportunities held"] = count(t, st, "vendor_opportunities WHERE status <> 'available'")
		return m
	}
	refusedAll := func(when, caseID, status string) {
		t.Helper()
		before := counts()
		for _, op := range operations {
			err := op.do()
			var refusal *store.CertificationRequiredError
			if !errors.As(err, &refusal) {
				t.Fatalf("%s: %s is not refused: %v", when, op.refused, err)
			}
			if refusal.Refused != op.refused || refusal.CaseID != caseID || refusal.Status != status || refusal.PartnerName != "Acme" {
				t.Errorf("%s: refusal %+v, want case %q (%s) refusing %q", when, refusal, caseID, status, op.refused)
			}
		}
		if after := counts(); !equalCounts(before, after) {
			t.Errorf("%s: the refusals wrote rows: %v, then %v", when, before, after)
		}
	}
	refusedAll("never certified", "", "")

	rejected := newCase(cases.KindCertification, "")
	rejected.Status = "rejected"
	if _, _, err := st.OpenCase(ctx, rejected, nil); err != nil {
		t.Fatal(err)
	}
	refusedAll("its only certification rejected", rejected.ID, "rejected")
	expired := rejected.Case
	expired.Status, expired.ClosedAt = "expired", &at
	if err := st.ApplyTransition(ctx, cases.Transition{Case: expired, WorkflowID: expired.ID,
		Event: cases.Event{Seq: 1, Type: "expired", Status: "expired", At: at}}); err != nil {
		t.Fatal(err)
	}
	refusedAll("its only certification expired", rejected.ID, "expired")

	certified := certify(t, st, p.ID)
	recertification := newCase(cases.KindCertification, "")
	recertification.Status, recertification.CreatedAt, recertification.UpdatedAt = "in_review", at.Add(time.Second), at.Add(time.Second)
	recertification.ID = store.NewID("cas")
	if err := st.ApplyTransition(ctx, cases.Transition{Case: recertification.Case, WorkflowID: recertification.ID,
		Event: cases.Event{Seq: 1, Type: "submitted", Status: "in_review", At: recertification.CreatedAt}}); err != nil {
		t.Fatal(err)
	}
	for _, op := range operations {
		if err := op.do(); err != nil {
			t.Errorf("certified by %s, a re-certification in review: %s refused: %v", certified, op.refused, err)
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}
