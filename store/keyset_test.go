package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// TestPagesGiveEveryRowOnceInOrder pages through a list whose key has
// three columns (members: the admin first, then by joining time), one row
// a page, and checks a cursor of another list's shape is refused.
func TestPagesGiveEveryRowOnceInOrder(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	partner, err := st.CreatePartner(ctx, "Acme", "solution_provider", "certified")
	if err != nil {
		t.Fatal(err)
	}
	// members first, the admin last: the admin still comes first
	var want []string
	for _, np := range []store.NewPrincipal{
		{Name: "m1", Role: cases.RoleMember, PartnerID: partner.ID},
		{Name: "m2", Role: cases.RoleMember, PartnerID: partner.ID},
		{Name: "m3", Role: cases.RoleMember, PartnerID: partner.ID},
		{Name: "admin", Role: cases.RoleAdmin, PartnerID: partner.ID},
	} {
		if _, _, err := st.CreatePrincipal(ctx, np); err != nil {
			t.Fatal(err)
		}
		want = append(want, np.Name)
	}
	want = append(want[3:], want[:3]...)

	var got []string
	pages := 0
	for cursor := ""; ; {
		page, next, err := st.Members(ctx, partner.ID, store.Page{Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range page {
			got = append(got, m.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || pages != 4 {
		t.Errorf("%d pages gave %v, want %v one a page", pages, got, want)
	}
	all, next, err := st.Members(ctx, partner.ID, store.Page{})
	if err != nil || len(all) != 4 || next != "" {
		t.Errorf("one default page: %d members, next %q, %v", len(all), next, err)
	}

	for _, cursor := range []string{"!!", store.Cursor("not a time", "prn_1"), store.Cursor(int64(7))} {
		if _, _, err := st.Members(ctx, partner.ID, store.Page{Cursor: cursor}); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("cursor %q: %v, want ErrBadCursor", cursor, err)
		}
	}
}
