package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"partnerops/internal/testdb"
	"partnerops/store"
)

// BenchmarkListCases measures the case list on a large read model:
// PARTNEROPS_BENCH_CASES rows (default one million) over 1,000 partners, a
// few statuses, one case in a hundred breached. Run it with
//
//	go test ./store -run '^$' -bench ListCases -benchtime 200x
func BenchmarkListCases(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("PARTNEROPS_BENCH_CASES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	st, _ := testdb.New(b)
	db := st.DB()
	if _, err := db.ExecContext(ctx, `
		INSERT INTO partners (id, name, type)
		SELECT 'prt_' || i, 'Partner ' || i, 'solution_provider' FROM generate_series(1, 1000) i`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO cases (id, kind, partner_id, status, sla_due_at, sla_breached, workflow_id, details, seq, created_at, updated_at)
		SELECT 'cas_' || lpad(i::text, 9, '0'), 'certification', 'prt_' || (i % 1000 + 1),
		       (ARRAY['checking', 'in_review', 'rejected', 'ticket_open', 'certified'])[i % 5 + 1],
		       CASE WHEN i % 5 = 3 THEN now() + interval '3 days' END, i % 100 = 0,
		       'cas_' || lpad(i::text, 9, '0'), '{}', 1,
		       timestamptz '2026-01-01' + i * interval '1 second', now()
		FROM generate_series(1, $1) i`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE cases`); err != nil {
		b.Fatal(err)
	}
	breached := true
	deep, err := deepCursor(ctx, st, n)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		filter store.CaseFilter
	}{
		{"newest", store.CaseFilter{}},
		{"partner", store.CaseFilter{PartnerID: "prt_42"}},
		{"kind_status", store.CaseFilter{Kind: "certification", Status: "ticket_open"}},
		{"breached", store.CaseFilter{SLABreached: &breached}},
		{"deep_page", store.CaseFilter{Cursor: deep}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := bc.filter
			f.Limit = 50
			for b.Loop() {
				if list, _, err := st.ListCases(ctx, f); err != nil || len(list) == 0 {
					b.Fatalf("%d cases, %v", len(list), err)
				}
			}
		})
	}
}

// deepCursor is the cursor of a page half way down the list.
func deepCursor(ctx context.Context, st *store.Store, n int) (string, error) {
	cursor := ""
	for range 3 {
		_, next, err := st.ListCases(ctx, store.CaseFilter{Limit: n / 6, Cursor: cursor})
		if err != nil {
			return "", err
		}
		cursor = next
	}
	return cursor, nil
}
