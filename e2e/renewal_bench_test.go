package e2e

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// The renewal benchmark (not in the default run): PARTNEROPS_RENEWAL_BENCH=1
// seeds 10,000 customers (PARTNEROPS_RENEWAL_BENCH_CUSTOMERS to change it)
// with 10 resources in 4 groups each, all due, and measures the renewal run
// through Temporal (trigger to completed case) against the bare loop: one
// transaction per group that charges and extends it (bareRenewal, a single
// statement, the fewest round trips such a transaction can take) run by a
// plain loop on a second, identically seeded database; and against the
// set-based batch: the same charges, postings, entries, extensions,
// count-downs, renewals and notices as one plain SQL statement over 250
// groups at a time (bareBatchRenewal), no rules and no workflow, on a third.
//
//	PARTNEROPS_RENEWAL_BENCH=1 go test -count=1 -run TestRenewalBenchmark -v -timeout 60m ./e2e
func TestRenewalBenchmark(t *testing.T) {
	if os.Getenv("PARTNEROPS_RENEWAL_BENCH") == "" {
		t.Skip("set PARTNEROPS_RENEWAL_BENCH=1 to run the renewal benchmark")
	}
	customers := 10_000
	if n, err := strconv.Atoi(os.Getenv("PARTNEROPS_RENEWAL_BENCH_CUSTOMERS")); err == nil && n > 0 {
		customers = n
	}
	ctx := context.Background()
	due := time.Now().UTC().Add(3 * 24 * time.Hour).Truncate(time.Second)

	// The bare loop first, on its own database.
	bareStore, bareURL := testdb.New(t)
	seedRenewalBench(t, bareURL, customers, due)
	bareDB, err := sqlx.Open("postgres", bareURL)
	if err != nil {
		t.Fatal(err)
	}
	defer bareDB.Close()
	loc := shanghai(t)
	peak := watchHeap()
	start := time.Now()
	renewed := 0
	var after *rules.DueGroup
	for {
		groups, err := bareStore.DueGroups(ctx, time.Now(), rules.Retention{}, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			res, err := bareDB.ExecContext(ctx, bareRenewal, g.PrimaryID, g.Term, store.NewID("pst"), store.NewID("rnw"),
				rules.TermReference(g.PrimaryID, g.Term), loc.String(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 2 {
				t.Fatalf("the bare loop did not renew %s", g.PrimaryID)
			}
			renewed++
		}
		if len(groups) < 500 {
			break
		}
		after = &groups[len(groups)-1]
	}
	bare := time.Since(start)
	bareHeap := peak()

	// The set-based batch, on a database of its own.
	batchStore, batchURL := testdb.New(t)
	seedRenewalBench(t, batchURL, customers, due)
	batchDB, err := sqlx.Open("postgres", batchURL)
	if err != nil {
		t.Fatal(err)
	}
	defer batchDB.Close()
	peak = watchHeap()
	start = time.Now()
	batched := 0
	after = nil
	for {
		groups, err := batchStore.DueGroups(ctx, time.Now(), rules.Retention{}, after, 250)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) == 0 {
			break
		}
		ids, terms, postings, renewals, references := make([]string, len(groups)), make([]time.Time, len(groups)),
			make([]string, len(groups)), make([]string, len(groups)), make([]string, len(groups))
		for i, g := range groups {
			ids[i], terms[i], postings[i], renewals[i] = g.PrimaryID, g.Term, store.NewID("pst"), store.NewID("rnw")
			references[i] = rules.TermReference(g.PrimaryID, g.Term)
		}
		res, err := batchDB.ExecContext(ctx, bareBatchRenewal, pq.Array(ids), pq.Array(terms), pq.Array(postings), pq.Array(renewals),
			pq.Array(references), loc.String(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 2*int64(len(groups)) {
			t.Fatalf("the set-based batch renewed %d of %d groups", n/2, len(groups))
		}
		batched += len(groups)
		after = &groups[len(groups)-1]
	}
	batch := time.Since(start)
	batchHeap := peak()
	// Its entries leave the balances the accounts hold: each account's last
	// entry (by posting) shows the balance it holds now.
	var astray int
	if err := batchDB.GetContext(ctx, &astray, `
		SELECT count(*) FROM money_accounts a JOIN LATERAL (
			SELECT balance_after FROM ledger_entries e WHERE e.account_id = a.id ORDER BY e.posting_id DESC LIMIT 1) last ON true
		WHERE last.balance_after <> a.balance`); err != nil || astray != 0 {
		t.Fatalf("the set-based batch left %d accounts whose last entry disagrees with their balance (%v)", astray, err)
	}

	// The sweep: the renewal run through Temporal, triggered by its schedule.
	s := startSystem(t, "3wd")
	seedRenewalBench(t, s.dbURL, customers, due)
	runtime.GC()
	peak = watchHeap()
	start = time.Now()
	run := s.runRenewals(50 * time.Minute)
	sweep := time.Since(start)
	sweepHeap := peak()

	groups := 4 * customers
	if renewed != groups || batched != groups {
		t.Errorf("the bare loop renewed %d groups, the set-based batch %d, want %d", renewed, batched, groups)
	}
	if !strings.Contains(string(run.Details), fmt.Sprintf(`"renewed":%d`, groups)) {
		t.Errorf("the run renewed other than %d groups: %s", groups, run.Details)
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("%d resources in %d groups over %d customers, load average %s", 10*customers, groups, customers, strings.TrimSpace(string(load)))
	t.Logf("| | duration | groups/s | peak Go heap |")
	t.Logf("| renewal run (Temporal) | %s | %.0f | %d MB |", sweep.Round(time.Second), float64(groups)/sweep.Seconds(), sweepHeap>>20)
	t.Logf("| set-based batch (plain SQL, 250 groups a statement) | %s | %.0f | %d MB |", batch.Round(time.Second), float64(groups)/batch.Seconds(), batchHeap>>20)
	t.Logf("| bare loop | %s | %.0f | %d MB |", bare.Round(time.Second), float64(groups)/bare.Seconds(), bareHeap>>20)
	t.Logf("the run at %.2fx the set-based batch's rate", batch.Seconds()/sweep.Seconds())
	t.Logf("process peak RSS (VmHWM, test process with the embedded Temporal server): %s", vmHWM())
}

// bareRenewal renews one due group ($1, at term $2) by its auto-renewal in
// a single statement, its own transaction: it locks the primary, then the
// payer's and the revenue account in ID order, moves the charge (the
// balance CHECK refuses a negative one), writes the posting ($3, reference
// $5) and its two entries, extends the group in time zone $6, counts the
// auto-renewal down, records the renewal ($4) and notifies customer and
// partner: the writes the sweep makes for a group, without its checks.
const bareRenewal = `
WITH p AS (
	SELECT r.id, r.customer_id, r.currency, r.auto_renew_unit AS unit, r.auto_renew_period AS period, r.auto_renew_count AS count,
	       CASE r.auto_renew_unit WHEN 'year' THEN 12 * r.auto_renew_period ELSE r.auto_renew_period END AS months, c.partner_id
	FROM resources r JOIN customers c ON c.id = r.customer_id
	WHERE r.id = $1 AND r.expires_at = $2 AND r.auto_renew_unit IS NOT NULL
	FOR NO KEY UPDATE OF r
), charge AS (
	SELECT p.*, p.months * (SELECT sum(g.monthly_price) FROM resources g
	                        WHERE (g.id = p.id OR g.primary_id = p.id) AND g.status <> 'closed') AS amount
	FROM p
), acc AS (
	SELECT a.id, a.kind FROM money_accounts a, charge
	WHERE a.partner_id = charge.partner_id AND a.currency = charge.currency
	  AND ((a.kind = 'customer' AND a.customer_id = charge.customer_id) OR a.kind = 'vendor_revenue')
	ORDER BY a.id FOR NO KEY UPDATE OF a
), moved AS (
	UPDATE money_accounts a SET balance = a.balance + CASE acc.kind WHEN 'customer' THEN -charge.amount ELSE charge.amount END,
	       updated_at = now()
	FROM acc, charge WHERE a.id = acc.id
	RETURNING a.id, a.kind, a.balance, CASE acc.kind WHEN 'customer' THEN -charge.amount ELSE charge.amount END AS delta
), posting AS (
	INSERT INTO money_postings (id, kind, reference, partner_id, debit_account_id, credit_account_id, amount, currency, memo)
	SELECT $3, 'renewal', $5, partner_id, (SELECT id FROM acc WHERE kind = 'customer'), (SELECT id FROM acc WHERE kind = 'vendor_revenue'),
	       amount, currency, 'renewal of ' || id || ' for ' || period || ' ' || unit
	FROM charge
	RETURNING id, partner_id, currency
), entries AS (
	INSERT INTO ledger_entries (posting_id, account_id, partner_id, amount, currency, balance_after)
	SELECT posting.id, moved.id, posting.partner_id, moved.delta, posting.currency, moved.balance FROM posting, moved
), extended AS (
	UPDATE resources r SET expires_at = (r.expires_at AT TIME ZONE $6 + make_interval(months => charge.months)) AT TIME ZONE $6,
	       status = CASE WHEN r.status = 'expired' THEN 'in_use' ELSE r.status END, updated_at = $7,
	       auto_renew_unit = CASE WHEN r.id <> charge.id OR charge.count = 1 THEN NULL ELSE r.auto_renew_unit END,
	       auto_renew_period = CASE WHEN r.id <> charge.id OR charge.count = 1 THEN NULL ELSE r.auto_renew_period END,
	       auto_renew_count = CASE WHEN r.id <> charge.id OR charge.count = 1 THEN NULL WHEN charge.count = 0 THEN 0 ELSE charge.count - 1 END,
	       renewal_error = NULL, renewal_error_at = NULL
	FROM charge WHERE (r.id = charge.id OR r.primary_id = charge.id) AND r.status <> 'closed'
	RETURNING r.id, r.expires_at
), renewal AS (
	INSERT INTO resource_renewals (id, primary_id, customer_id, partner_id, term_expires_at, new_expires_at, period_unit, period,
	                               amount, currency, posting_id, renewed_by_id, renewed_by_role, renewed_at)
	SELECT $4, charge.id, charge.customer_id, charge.partner_id, $2, extended.expires_at, charge.unit, charge.period,
	       charge.amount, charge.currency, $3, 'system', 'system', $7
	FROM charge JOIN extended ON extended.id = charge.id
	RETURNING id, customer_id, partner_id, new_expires_at, amount, currency
)
INSERT INTO notifications (renewal_id, audience, partner_id, customer_id, kind, message, created_at)
SELECT renewal.id, n.audience, CASE WHEN n.audience = 'partner' THEN renewal.partner_id END,
       CASE WHEN n.audience = 'customer' THEN renewal.customer_id END, 'resources_renewed',
       format('%s: %s and its group (%s resources) renewed until %s; %s %s charged', n.audience, $1,
              (SELECT count(*) FROM extended), renewal.new_expires_at, renewal.amount, renewal.currency), $7
FROM renewal, (VALUES ('customer'), ('partner')) AS n (audience)`

// bareBatchRenewal renews the due groups $1 (at terms $2) by their
// auto-renewal in one statement, its own transaction, as plain SQL over the
// set: it locks the primaries in ID order, then every payer's and revenue
// account involved in ID order, moves each account's charges at once (the
// balance CHECK refuses a negative one), writes a posting per group ($3,
// references $5) and its two entries with the balance each leaves (in
// posting order per account), extends the groups in time zone $6, counts
// the auto-renewals down, records the renewals ($4) and notifies customer
// and partner: the sweep's writes for a batch, without its checks.
const bareBatchRenewal = `
WITH k AS (
	SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[]) AS k (id, term, posting_id, renewal_id, reference)
), p AS (
	SELECT r.id, r.customer_id, r.currency, r.auto_renew_unit AS unit, r.auto_renew_period AS period, r.auto_renew_count AS count,
	       CASE r.auto_renew_unit WHEN 'year' THEN 12 * r.auto_renew_period ELSE r.auto_renew_period END AS months, c.partner_id,
	       k.term, k.posting_id, k.renewal_id, k.reference
	FROM k JOIN resources r ON r.id = k.id AND r.expires_at = k.term AND r.auto_renew_unit IS NOT NULL
	JOIN customers c ON c.id = r.customer_id
	ORDER BY r.id
	FOR NO KEY UPDATE OF r
), charge AS (
	SELECT p.*, p.months * m.monthly AS amount
	FROM p JOIN (SELECT COALESCE(g.primary_id, g.id) AS group_id, sum(g.monthly_price) AS monthly
	             FROM resources g WHERE (g.id = ANY($1) OR g.primary_id = ANY($1)) AND g.status <> 'closed'
	             GROUP BY 1) m ON m.group_id = p.id
), acc AS (
	SELECT a.id, a.kind, a.partner_id, a.customer_id, a.currency, a.balance FROM money_accounts a
	WHERE a.id IN (SELECT x.id FROM money_accounts x JOIN charge ON x.partner_id = charge.partner_id AND x.currency = charge.currency
	               AND ((x.kind = 'customer' AND x.customer_id = charge.customer_id) OR x.kind = 'vendor_revenue'))
	ORDER BY a.id FOR NO KEY UPDATE
), legs AS (
	SELECT charge.posting_id, acc.id AS account_id, acc.kind, charge.partner_id, charge.currency,
	       CASE acc.kind WHEN 'customer' THEN -charge.amount ELSE charge.amount END AS delta,
	       acc.balance + sum(CASE acc.kind WHEN 'customer' THEN -charge.amount ELSE charge.amount END)
	                     OVER (PARTITION BY acc.id ORDER BY charge.posting_id) AS balance_after
	FROM charge JOIN acc ON acc.partner_id = charge.partner_id AND acc.currency = charge.currency
	 AND ((acc.kind = 'customer' AND acc.customer_id = charge.customer_id) OR acc.kind = 'vendor_revenue')
), moved AS (
	UPDATE money_accounts a SET balance = a.balance + t.total, updated_at = now()
	FROM (SELECT account_id, sum(delta) AS total FROM legs GROUP BY account_id) t WHERE a.id = t.account_id
	RETURNING a.id
), posting AS (
	INSERT INTO money_postings (id, kind, reference, partner_id, debit_account_id, credit_account_id, amount, currency, memo)
	SELECT charge.posting_id, 'renewal', charge.reference, charge.partner_id, d.account_id, c.account_id, charge.amount, charge.currency,
	       'renewal of ' || charge.id || ' for ' || charge.period || ' ' || charge.unit
	FROM charge JOIN legs d ON d.posting_id = charge.posting_id AND d.kind = 'customer'
	            JOIN legs c ON c.posting_id = charge.posting_id AND c.kind = 'vendor_revenue'
), entries AS (
	INSERT INTO ledger_entries (posting_id, account_id, partner_id, amount, currency, balance_after)
	SELECT posting_id, account_id, partner_id, delta, currency, balance_after FROM legs
), extended AS (
	UPDATE resources r SET expires_at = (r.expires_at AT TIME ZONE $6 + make_interval(months => charge.months)) AT TIME ZONE $6,
	       status = CASE WHEN r.status = 'expired' THEN 'in_use' ELSE r.status END, updated_at = $7,
	       auto_renew_unit = CASE WHEN r.id <> charge.id OR charge.count = 1 THEN NULL ELSE r.auto_renew_unit END,
	       auto_renew_period = CASE WHEN r.id <> charge.id OR charge.count = 1 THEN NULL ELSE r.auto_renew_period END,
	       auto_renew_count = CASE WHEN r.id <> charge.id OR charge.count = 1 THEN NULL WHEN charge.count = 0 THEN 0 ELSE charge.count - 1 END,
	       renewal_error = NULL, renewal_error_at = NULL
	FROM charge WHERE (r.id = charge.id OR r.primary_id = charge.id) AND r.status <> 'closed'
	RETURNING r.id, COALESCE(r.primary_id, r.id) AS group_id, r.expires_at
), renewal AS (
	INSERT INTO resource_renewals (id, primary_id, customer_id, partner_id, term_expires_at, new_expires_at, period_unit, period,
	                               amount, currency, posting_id, renewed_by_id, renewed_by_role, renewed_at)
	SELECT charge.renewal_id, charge.id, charge.customer_id, charge.partner_id, charge.term, extended.expires_at, charge.unit, charge.period,
	       charge.amount, charge.currency, charge.posting_id, 'system', 'system', $7
	FROM charge JOIN extended ON extended.id = charge.id
	RETURNING id, primary_id, customer_id, partner_id, new_expires_at, amount, currency
)
INSERT INTO notifications (renewal_id, audience, partner_id, customer_id, kind, message, created_at)
SELECT renewal.id, n.audience, CASE WHEN n.audience = 'partner' THEN renewal.partner_id END,
       CASE WHEN n.audience = 'customer' THEN renewal.customer_id END, 'resources_renewed',
       format('%s: %s and its group (%s resources) renewed until %s; %s %s charged', n.audience, renewal.primary_id,
              (SELECT count(*) FROM extended WHERE extended.group_id = renewal.primary_id), renewal.new_expires_at, renewal.amount, renewal.currency), $7
FROM renewal, (VALUES ('customer'), ('partner')) AS n (audience)`

// watchHeap samples the Go heap every 50 ms until the returned function is
// called, which returns the largest sample.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); return peak.Load() }
}

func vmHWM() string {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}

// seedRenewalBench writes, in bulk, 100 partners and their customers, each
// customer's funded account and 10 resources in 4 groups with monthly
// auto-renewal, all expiring at due: a server with two disks, a server with
// one, a shared bandwidth with two elastic IPs, an elastic IP with its
// dedicated bandwidth. The accounts are funded by a direct balance (the
// benchmark measures the renewals, not the funding).
func seedRenewalBench(t *testing.T, url string, customers int, due time.Time) {
	t.Helper()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const partners = 100
	resource := func(id, typ, primary, primaryType string) string {
		p, pt := "NULL", "NULL"
		auto := "'month', 1, 0"
		if primary != "" {
			p, pt, auto = "'"+primary+"' || g", "'"+primaryType+"'", "NULL, NULL, NULL"
		}
		return fmt.Sprintf(`INSERT INTO resources (id, customer_id, type, region, primary_id, primary_type, expires_at, expiry_policy,
			monthly_price, currency, auto_renew_unit, auto_renew_period, auto_renew_count)
			SELECT '%s' || g, 'bc' || g, '%s', 'cn-north-4', %s, %s, $1, 'freeze', 100, 'CNY', %s FROM generate_series(1, $2) g`,
			id, typ, p, pt, auto)
	}
	for _, q := range []string{
		`INSERT INTO partners (id, name, type) SELECT 'bp' || g, 'Bench partner ' || g, 'cloud_reseller' FROM generate_series(1, $1) g`,
		`INSERT INTO money_accounts (id, kind, partner_id, currency) SELECT 'acc_rev_bp' || g, 'vendor_revenue', 'bp' || g, 'CNY' FROM generate_series(1, $1) g`,
	} {
		if _, err := db.Exec(q, partners); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO customers (id, name, partner_id, association_mode) SELECT 'bc' || g, 'Bench customer ' || g, 'bp' || (g % $2 + 1), 'resale' FROM generate_series(1, $1) g`,
		`INSERT INTO money_accounts (id, kind, partner_id, customer_id, currency, balance)
			SELECT 'acc_bc' || g, 'customer', 'bp' || (g % $2 + 1), 'bc' || g, 'CNY', 1000000000 FROM generate_series(1, $1) g`,
	} {
		if _, err := db.Exec(q, customers, partners); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		resource("ecs-a-", "ecs", "", ""), resource("evs-a1-", "evs", "ecs-a-", "ecs"), resource("evs-a2-", "evs", "ecs-a-", "ecs"),
		resource("ecs-b-", "ecs", "", ""), resource("evs-b1-", "evs", "ecs-b-", "ecs"),
		resource("bw-c-", "bandwidth_shared", "", ""), resource("eip-c1-", "eip", "bw-c-", "bandwidth_shared"), resource("eip-c2-", "eip", "bw-c-", "bandwidth_shared"),
		resource("eip-d-", "eip", "", ""), resource("bwd-d-", "bandwidth_dedicated", "eip-d-", "eip"),
	} {
		if _, err := db.Exec(q, due, customers); err != nil {
			t.Fatal(err)
		}
	}
	// Statistics of what was seeded only: analyzing the empty ledger and
	// renewal tables too would tell the planner they stay empty, and every
	// foreign key check of the writes would scan them as they grow.
	if _, err := db.Exec(`ANALYZE partners, customers, money_accounts, resources`); err != nil {
		t.Fatal(err)
	}
}
