package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// A case is claimed, taken over by assignment, unassigned; a claim of a
// case someone else holds, a partner's member as assignee and a closed
// case are refused; each change is in the case's activity and the audit
// trail once, and the "mine" and "unassigned" lists follow.
func TestAssignClaimAndUnassign(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	if err := seedCases(ctx, st.DB(), volumeOf(100)); err != nil {
		t.Fatal(err)
	}
	li, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Li Na", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	wang, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Wang Wei", Role: cases.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	member, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Partner admin", Role: cases.RoleAdmin, PartnerID: seededPartner(1)})
	if err != nil {
		t.Fatal(err)
	}
	var open, closed string
	if err := st.DB().GetContext(ctx, &open, `SELECT id FROM cases WHERE closed_at IS NULL ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().GetContext(ctx, &closed, `SELECT id FROM cases WHERE closed_at IS NOT NULL ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	listed := func(f store.CaseFilter) bool {
		list, _, err := st.ListCases(ctx, f, store.Page{Limit: store.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list, func(c cases.Case) bool { return c.ID == open })
	}
	if !listed(store.CaseFilter{Open: true, Unassigned: true}) {
		t.Fatalf("%s is not in the unassigned list before anyone claims it", open)
	}

	c, err := st.Assign(ctx, store.Assignment{CaseID: open, AssigneeID: li.ID, ActorID: li.ID, Claim: true})
	if err != nil || c.AssigneeID != li.ID {
		t.Fatalf("Li claims %s: %+v, %v", open, c.AssigneeID, err)
	}
	if _, err := st.Assign(ctx, store.Assignment{CaseID: open, AssigneeID: li.ID, ActorID: li.ID, Claim: true}); err != nil {
		t.Errorf("Li claims her own case again: %v", err)
	}
	var taken *store.AlreadyAssignedError
	if _, err := st.Assign(ctx, store.Assignment{CaseID: open, AssigneeID: wang.ID, ActorID: wang.ID, Claim: true}); !errors.As(err, &taken) || taken.AssigneeName != "Li Na" {
		t.Errorf("Wang claims Li's case: %v, want already assigned to Li Na", err)
	}
	if _, err := st.Assign(ctx, store.Assignment{CaseID: open, AssigneeID: member.ID, ActorID: li.ID}); !errors.Is(err, store.ErrNotStaff) {
		t.Errorf("assigned to a partner's admin: %v, want ErrNotStaff", err)
	}
	if _, err := st.Assign(ctx, store.Assignment{CaseID: closed, AssigneeID: li.ID, ActorID: li.ID}); !errors.Is(err, store.ErrCaseClosed) {
		t.Errorf("a closed case assigned: %v, want ErrCaseClosed", err)
	}
	if _, err := st.Assign(ctx, store.Assignment{CaseID: "cas_nope", AssigneeID: li.ID, ActorID: li.ID}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such case: %v, want ErrNotFound", err)
	}
	if listed(store.CaseFilter{Open: true, Unassigned: true}) || !listed(store.CaseFilter{AssigneeID: li.ID}) {
		t.Errorf("%s, Li's, is not in her list or still unassigned", open)
	}
	if c, err = st.Assign(ctx, store.Assignment{CaseID: open, AssigneeID: wang.ID, ActorID: li.ID}); err != nil || c.AssigneeID != wang.ID {
		t.Fatalf("Li assigns it to Wang: %+v, %v", c.AssigneeID, err)
	}
	if listed(store.CaseFilter{AssigneeID: li.ID}) || !listed(store.CaseFilter{AssigneeID: wang.ID}) {
		t.Errorf("%s, now Wang's, is not in his list or still in Li's", open)
	}
	if c, err = st.Assign(ctx, store.Assignment{CaseID: open, ActorID: wang.ID}); err != nil || c.AssigneeID != "" {
		t.Fatalf("Wang unassigns it: %+v, %v", c.AssigneeID, err)
	}
	if !listed(store.CaseFilter{Open: true, Unassigned: true}) {
		t.Errorf("%s is not unassigned again", open)
	}

	activity, err := st.CaseActivity(ctx, open, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range activity {
		got = append(got, a.Type+" "+a.AssigneeName.String+" by "+a.ActorName)
	}
	want := []string{"assigned Li Na by Li Na", "assigned Wang Wei by Li Na", "unassigned Wang Wei by Wang Wei"}
	if !slices.Equal(got, want) {
		t.Errorf("activity %q, want %q", got, want)
	}
	if partners, err := st.CaseActivity(ctx, open, true); err != nil || len(partners) != 0 {
		t.Errorf("the partner's side of the activity: %v, %v; want none (assignments are staff's)", partners, err)
	}
	var audited int
	if err := st.DB().GetContext(ctx, &audited, `SELECT count(*) FROM audit_events WHERE target_id = $1 AND action LIKE 'case.%assigned'`, open); err != nil || audited != 3 {
		t.Errorf("audit entries for the assignments: %d, %v; want 3", audited, err)
	}
	staff, err := st.StaffMembers(ctx)
	if err != nil || len(staff) != 2 || staff[0].Name != "Li Na" {
		t.Errorf("staff members %v, %v; want Li Na and Wang Wei", staff, err)
	}
}

// CountCases counts exactly up to its limit, then says there are more.
func TestCountCasesStopsAtItsLimit(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	if err := seedCases(ctx, st.DB(), volumeOf(100)); err != nil {
		t.Fatal(err)
	}
	var open int
	if err := st.DB().GetContext(ctx, &open, `SELECT count(*) FROM cases WHERE closed_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	if n, more, err := st.CountCases(ctx, store.CaseFilter{Open: true}, 1000); err != nil || n != open || more {
		t.Errorf("open cases counted %d (more: %v, %v), want %d exactly", n, more, err, open)
	}
	if n, more, err := st.CountCases(ctx, store.CaseFilter{}, 40); err != nil || n != 40 || !more {
		t.Errorf("100 cases counted up to 40: %d (more: %v, %v), want 40 and more", n, more, err)
	}
}

// A saved view is one staff member's: saved again under its name it is
// replaced, and nobody else removes it.
func TestSavedViewsAreEachStaffMembers(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	li, _, _ := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Li Na", Role: cases.RoleOps})
	wang, _, _ := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Wang Wei", Role: cases.RoleOps})
	for _, q := range []string{"queue=mine", "queue=mine&sort=deadline"} {
		if err := st.SaveView(ctx, li.ID, "Mine by deadline", q); err != nil {
			t.Fatal(err)
		}
	}
	views, err := st.SavedViews(ctx, li.ID)
	if err != nil || len(views) != 1 || views[0].Query != "queue=mine&sort=deadline" {
		t.Fatalf("Li's views %+v, %v; want the one replaced", views, err)
	}
	if others, _ := st.SavedViews(ctx, wang.ID); len(others) != 0 {
		t.Errorf("Wang sees Li's views: %+v", others)
	}
	if err := st.DeleteView(ctx, wang.ID, views[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Wang removes Li's view: %v, want ErrNotFound", err)
	}
	if err := st.DeleteView(ctx, li.ID, views[0].ID); err != nil {
		t.Errorf("Li removes her view: %v", err)
	}
}
