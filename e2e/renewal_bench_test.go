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

	"partnerops/internal/testdb"
	"partnerops/store"
)

// The renewal benchmark (not in the default run): PARTNEROPS_RENEWAL_BENCH=1
// seeds 10,000 customers (PARTNEROPS_RENEWAL_BENCH_CUSTOMERS to change it)
// with 10 resources in 4 groups each, all due, and measures the renewal run
// through Temporal (trigger to completed case) against the bare loop: the
// same transaction per group (store.RenewGroup: charge and extend) run by a
// plain loop on a second, identically seeded database.
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
	peak := watchHeap()
	start := time.Now()
	renewed := 0
	var after *store.DueGroup
	for {
		groups, err := bareStore.DueGroups(ctx, time.Now(), after, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if _, err := bareStore.RenewGroup(ctx, store.RenewalRequest{PrimaryID: g.PrimaryID, Term: g.Term, Auto: true,
				ActorID: "system", ActorRole: "system", Location: shanghai(t), RenewedAt: time.Now()}); err != nil {
				t.Fatal(err)
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
	if renewed != groups {
		t.Errorf("the bare loop renewed %d groups, want %d", renewed, groups)
	}
	if !strings.Contains(string(run.Details), fmt.Sprintf(`"renewed":%d`, groups)) {
		t.Errorf("the run renewed other than %d groups: %s", groups, run.Details)
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("%d resources in %d groups over %d customers, load average %s", 10*customers, groups, customers, strings.TrimSpace(string(load)))
	t.Logf("| | duration | groups/s | peak Go heap |")
	t.Logf("| renewal run (Temporal) | %s | %.0f | %d MB |", sweep.Round(time.Second), float64(groups)/sweep.Seconds(), sweepHeap>>20)
	t.Logf("| bare loop | %s | %.0f | %d MB |", bare.Round(time.Second), float64(groups)/bare.Seconds(), bareHeap>>20)
	t.Logf("process peak RSS (VmHWM, test process with the embedded Temporal server): %s", vmHWM())
}

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
	if _, err := db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
}
