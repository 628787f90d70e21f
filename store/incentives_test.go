package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

func openSettlement(t *testing.T, st *store.Store, partnerID string) string {
	t.Helper()
	at := time.Now().UTC().Truncate(time.Microsecond)
	c := cases.Case{ID: store.NewID("cas"), Kind: cases.KindIncentiveSettlement, PartnerID: partnerID, Status: "published",
		CreatedAt: at, UpdatedAt: at, Details: json.RawMessage(`{"period": "2026-Q3"}`)}
	if _, _, err := st.OpenCase(context.Background(), store.NewCase{Case: c, Workflow: "IncentiveSettlement", Input: struct{}{}}, nil); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// An invoice number counts once, ever: a repeat of the same round is a
// no-op, any other submission of the number is reported used, and the
// unique index refuses a second row whoever writes it.
func TestRecordInvoiceCountsANumberOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	certify(t, st, p.ID)
	first, second := openSettlement(t, st, p.ID), openSettlement(t, st, p.ID)
	inv := rules.Invoice{Kind: rules.VATSpecial, Medium: rules.MediumPaper, Code: "3300261130", Number: "01234567", IssueDate: "2026-11-27",
		Total: &rules.Money{Amount: 106_000, Currency: "CNY"}}
	record := func(caseID string, round int, inv rules.Invoice) bool {
		t.Helper()
		used, err := st.RecordInvoice(ctx, store.SubmittedInvoice{CaseID: caseID, Round: round, PartnerID: p.ID, Invoice: inv, SubmittedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return used
	}
	if record(first, 1, inv) {
		t.Fatal("a first submission reported used")
	}
	if record(first, 1, inv) { // the same submission again: a retry
		t.Fatal("the retry of a first submission reported used")
	}
	if !record(first, 2, inv) || !record(second, 1, inv) {
		t.Error("a number submitted again was not reported used")
	}
	other := inv
	other.Number = "01234568"
	if record(second, 2, other) {
		t.Error("a new number reported used")
	}
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO incentive_invoices (case_id, round, partner_id, kind, medium, code, number, issue_date, total, currency, submitted_at)
		VALUES ($1, 9, $2, 'vat_special', 'paper', '3300261130', '01234567', '2026-11-27', 1, 'CNY', now())`, second, p.ID); err == nil {
		t.Error("the unique index let a used number in")
	}
}

// A settlement pays out once per reference, from the vendor's incentive
// account (which goes negative) to the partner's.
func TestPayIncentiveOnce(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	amount := rules.Money{Amount: 106_000, Currency: "CNY"}
	first, replayed, err := st.PayIncentive(ctx, p.ID, amount, "cas_1", "Q3")
	if err != nil || replayed {
		t.Fatalf("first payout: %v (replayed %v)", err, replayed)
	}
	again, replayed, err := st.PayIncentive(ctx, p.ID, amount, "cas_1", "Q3")
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("second payout: %v (replayed %v, %s vs %s)", err, replayed, again.ID, first.ID)
	}
	entries, _, err := st.LedgerEntries(ctx, p.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d entries, want one posting's two", len(entries))
	}
	for _, e := range entries {
		switch e.AccountKind {
		case store.AccountPartner:
			if e.Amount.Amount != 106_000 || e.BalanceAfter != 106_000 {
				t.Errorf("partner entry %+v", e)
			}
		case store.AccountVendorIncentive:
			if e.Amount.Amount != -106_000 || e.BalanceAfter != -106_000 {
				t.Errorf("vendor entry %+v", e)
			}
		default:
			t.Errorf("entry on %s", e.AccountKind)
		}
	}
}
