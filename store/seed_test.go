package store_test

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// caseVolume is the size of a seeded case read model: cases over partners
// and customers (a customer's cases are its partner's). Two kinds of cases
// in the proportions of a busy year, each in its own statuses, mostly
// finished, and one case in a hundred past its SLA, spread evenly over the
// partners (about a thousand cases each); nine customers in ten have about
// eleven cases, four of them their own (partner payment), the last tenth
// none, and the first customer one case in five hundred besides (2,000 of a
// million), so that its list has many pages too.
type caseVolume struct {
	Cases, Partners, Customers int
}

// volumeOf is the read model of n cases: a thousand cases a partner, ten a customer.
func volumeOf(n int) caseVolume {
	return caseVolume{Cases: n, Partners: max(n/1000, 1), Customers: max(n/10, 5)}
}

// Names of seeded records, as the seed writes them.
func seededPartner(i int) string  { return fmt.Sprintf("prt_%04d", i) }
func seededCustomer(i int) string { return fmt.Sprintf("cus_%06d", i) }

// seedCases fills the partners, customers and cases of v, each table in one
// INSERT … SELECT, and analyses them. Cases are created ten seconds apart,
// the newest last.
func seedCases(ctx context.Context, db *sqlx.DB, v caseVolume) error {
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO partners (id, name, type, level)
		 SELECT 'prt_' || lpad(i::text, 4, '0'), 'Partner ' || i, 'solution_provider', 'certified'
		 FROM generate_series(1, $1) i`, []any{v.Partners}},
		{`INSERT INTO customers (id, name, partner_id, association_mode)
		 SELECT 'cus_' || lpad(j::text, 6, '0'), 'Customer ' || j, 'prt_' || lpad((j % $2 + 1)::text, 4, '0'), 'resale'
		 FROM generate_series(1, $1) j`, []any{v.Customers, v.Partners}},
		// c is the customer whose partner the case belongs to: partner
		// payment cases are that customer's, certifications its partner's
		// only. The seeded certifications are all closed, whatever their
		// status: a partner may have one open certification at a time
		// (cases_one_open_certification), and no list reads closed_at.
		{`INSERT INTO cases (id, kind, partner_id, customer_id, status, sla_due_at, sla_breached, workflow_id, seq, created_at, updated_at, closed_at)
		 SELECT 'cas_' || lpad(i::text, 9, '0'), kind, 'prt_' || lpad((c % $3 + 1)::text, 4, '0'),
		        CASE WHEN kind = 'partner_payment' THEN 'cus_' || lpad(c::text, 6, '0') END,
		        CASE WHEN kind = 'certification'
		             THEN (ARRAY['certified', 'certified', 'certified', 'certified', 'certified', 'rejected', 'rejected',
		                         'in_review', 'ticket_open', 'checking'])[(i / 37) % 10 + 1]
		             ELSE (ARRAY['paid_by_partner', 'paid_by_partner', 'paid_by_partner', 'paid_by_partner',
		                         'paid_by_customer', 'paid_by_customer', 'cancelled', 'awaiting_partner',
		                         'awaiting_customer', 'failed'])[(i / 37) % 10 + 1] END,
		        CASE WHEN (i / 11) % 100 = 7 THEN ts + interval '3 days' END, (i / 11) % 100 = 7,
		        'cas_' || lpad(i::text, 9, '0'), 1, ts, ts, CASE WHEN kind = 'certification' THEN ts END
		 FROM generate_series(1, $1) i,
		      LATERAL (SELECT CASE WHEN i % 500 = 0 THEN 1 ELSE i % ($2 * 9 / 10) + 1 END AS c,
		                      CASE WHEN i % 500 = 0 OR (i / 7) % 5 >= 3 THEN 'partner_payment' ELSE 'certification' END AS kind,
		                      timestamptz '2025-01-01' + i * interval '10 seconds' AS ts) k`,
			[]any{v.Cases, v.Customers, v.Partners}},
		{`ANALYZE partners, customers, cases`, nil},
	} {
		if _, err := db.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}
