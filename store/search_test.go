package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"partnerops/internal/testdb"
	"partnerops/store"
)

// Text search finds a case by its ID, its partner's name and its subject
// (written with the transition), in any letter case, and a "%" is taken
// as itself; among 20,000 cases the page is read through the trigram
// index (cases_search_trgm), not by reading every case.
func TestSearchByIDNameAndSubject(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	if err := seedCases(ctx, st.DB(), volumeOf(20_000)); err != nil {
		t.Fatal(err)
	}
	// the seeded rows as migration 00032 fills the rows already there
	if _, err := st.DB().ExecContext(ctx, `
		UPDATE cases c SET search_text = lower(concat_ws(' ', c.id,
		    (SELECT name FROM partners WHERE id = c.partner_id), (SELECT name FROM customers WHERE id = c.customer_id)))`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `ANALYZE cases`); err != nil {
		t.Fatal(err)
	}
	c, _ := newCase(t, st) // partner "Acme"
	tr := transition(c, 1, "in_review")
	tr.Subject = "杭州云帆科技有限公司 · 91330100MA2B7C8D9Q"
	if err := st.ApplyTransition(ctx, tr); err != nil {
		t.Fatal(err)
	}
	found := func(search string) []string {
		var query string
		var args []any
		st.OnList(func(q string, a []any) { query, args = q, a })
		list, _, err := st.ListCases(ctx, store.CaseFilter{Search: search}, store.Page{Limit: 25})
		if err != nil {
			t.Fatal(err)
		}
		var plan []byte
		if err := st.DB().GetContext(ctx, &plan, `EXPLAIN (FORMAT JSON) `+query, args...); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(plan), "cases_search_trgm") || strings.Contains(string(plan), `"Seq Scan"`) {
			t.Errorf("searching %q does not read through cases_search_trgm: %s", search, plan)
		}
		ids := []string{}
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		return ids
	}
	for _, search := range []string{c.ID, strings.ToUpper(c.ID[4:]), "acme", "云帆科技", "ma2b7c"} {
		if got := found(search); !slices.Equal(got, []string{c.ID}) {
			t.Errorf("searching %q finds %v, want %s", search, got, c.ID)
		}
	}
	if got := found("cas_000012345"); !slices.Equal(got, []string{"cas_000012345"}) {
		t.Errorf("searching a seeded case's ID finds %v", got)
	}
	if got := found("customer 1234"); len(got) == 0 || !slices.Contains(got, firstCaseOf(t, st, seededCustomer(1234))) {
		t.Errorf("searching a customer's name finds %v", got)
	}
	if got := found("50%"); len(got) != 0 {
		t.Errorf(`"50%%" is not a wildcard: it finds %v`, got)
	}
}

// firstCaseOf is the newest case of a customer.
func firstCaseOf(t *testing.T, st *store.Store, customerID string) string {
	t.Helper()
	list, _, err := st.ListCases(context.Background(), store.CaseFilter{CustomerID: customerID}, store.Page{Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("customer %s has no case: %v", customerID, err)
	}
	return list[0].ID
}
