package store_test

import (
	"context"
	"testing"
	"time"

	"partnerops/internal/testdb"
	"partnerops/store"
)

// The work queues count and list open cases only: a closed breached case,
// or a status that waits on the partner in another kind, is in none.
func TestQueuesCountAndListOpenCases(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	if err := seedCases(ctx, st.DB(), volumeOf(1000)); err != nil {
		t.Fatal(err)
	}
	// a closed certification in "rejected" (a status that waits on the
	// partner only while open) and a closed breached one are in no queue;
	// three open payments are past their SLA
	if _, err := st.DB().ExecContext(ctx, `
		UPDATE cases SET sla_breached = true, sla_due_at = created_at
		WHERE id IN (SELECT id FROM cases WHERE kind = 'partner_payment' ORDER BY id LIMIT 3)
		   OR id IN (SELECT id FROM cases WHERE kind = 'certification' ORDER BY id LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	awaiting := []string{"certification:rejected", "partner_payment:awaiting_partner"}
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	counts, err := st.Queues(ctx, "", store.QueueBounds{EndOfToday: far, EndOfWeek: far, AwaitingPartner: awaiting})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	var rows []struct {
		Kind     string `db:"kind"`
		Open     int    `db:"open"`
		Breached int    `db:"breached"`
		Awaiting int    `db:"awaiting"`
		Due      int    `db:"due"`
	}
	if err := st.DB().SelectContext(ctx, &rows, `
		SELECT kind, count(*) AS open, count(*) FILTER (WHERE sla_breached) AS breached,
		       count(*) FILTER (WHERE (kind = 'certification' AND status = 'rejected') OR (kind = 'partner_payment' AND status = 'awaiting_partner')) AS awaiting,
		       count(*) FILTER (WHERE sla_due_at IS NOT NULL) AS due
		FROM cases WHERE closed_at IS NULL GROUP BY kind`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		want[r.Kind] = r.Open
		for _, c := range counts {
			if c.Kind == r.Kind && (c.Open != r.Open || c.Breached != r.Breached || c.WaitingOnPartner != r.Awaiting || c.DueToday != r.Due || c.DueThisWeek != r.Due) {
				t.Errorf("%s: queues %+v, want %+v", r.Kind, c, r)
			}
		}
	}
	if len(counts) != len(want) || len(counts) == 0 {
		t.Fatalf("queues of kinds %+v, want the open kinds %v", counts, want)
	}
	for _, c := range counts {
		if c.Kind == "certification" {
			t.Errorf("every seeded certification is closed, yet the queues count %+v", c)
		}
		if c.WaitingOnPartner == 0 || c.Breached == 0 {
			t.Errorf("the seed has open payments awaiting the partner and breached: %+v", c)
		}
	}

	yes := true
	for name, f := range map[string]store.CaseFilter{
		"awaiting": {Open: true, AnyKindStatus: awaiting},
		"breached": {Open: true, SLABreached: &yes},
	} {
		list, _, err := st.ListCases(ctx, f, store.Page{Limit: store.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			t.Errorf("%s: empty", name)
		}
		for _, c := range list {
			if c.ClosedAt != nil || (name == "awaiting" && c.Status != "awaiting_partner") || (name == "breached" && !c.SLA.Breached) {
				t.Errorf("%s lists %s %s %s (closed %v)", name, c.ID, c.Kind, c.Status, c.ClosedAt)
			}
		}
	}
}
