package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// TestListPerformance measures the case list as the API serves it and as
// the bare SQL query the store runs for it, side by side: p50 and p99 of
// the first page and of the 20th, for every filter and every role, and
// prints the table in Markdown. Without PARTNEROPS_LIST_BENCH_DB it runs on
// a small read model with few samples, to check the harness (a few
// seconds). With it, on a database kept between runs (created, migrated and
// seeded with a million cases on the first run):
//
//	PARTNEROPS_LIST_BENCH_DB=postgres://postgres@127.0.0.1:5432/partnerops_listbench?sslmode=disable \
//	  go test -count=1 -run TestListPerformance -v ./store
//
// PARTNEROPS_LIST_BENCH_CASES and PARTNEROPS_LIST_BENCH_SAMPLES change the
// number of cases (default 1,000,000) and of samples a cell (default 400).
func TestListPerformance(t *testing.T) {
	ctx := context.Background()
	st, n, samples := benchStore(t)

	srv := api.New(api.Deps{Store: st, Logger: slog.New(slog.DiscardHandler), Location: time.UTC})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Listener(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	base := "http://" + ln.Addr().String() + "/v1/cases"

	v := volumeOf(n)
	partner, bigCustomer := seededPartner(max(v.Partners/2, 1)), seededCustomer(1)
	staff := benchToken(t, st, store.NewPrincipal{Name: "Bench ops", Role: cases.RoleOps})
	admin := benchToken(t, st, store.NewPrincipal{Name: "Bench admin", Role: cases.RoleAdmin, PartnerID: partner})
	customerToken := func(id string) string {
		return benchToken(t, st, store.NewPrincipal{Name: "Bench " + id, Role: cases.RoleCustomer, CustomerID: id})
	}
	few, none := seededCustomer(4), seededCustomer(v.Customers)
	customer := func(id string) string { // the role, with how many cases the customer has
		var k int
		if err := st.DB().GetContext(ctx, &k, `SELECT count(*) FROM cases WHERE customer_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("customer (%d cases)", k)
	}
	big := customer(bigCustomer)
	yes, no := true, false
	type row struct {
		role, filter, token string
		query               url.Values
		store               store.CaseFilter // what the API asks the store for
	}
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	rows := []row{
		{"staff", "none", staff, q(), store.CaseFilter{}},
		{"staff", "kind", staff, q("kind", "partner_payment"), store.CaseFilter{Kind: "partner_payment"}},
		{"staff", "status", staff, q("status", "awaiting_partner"), store.CaseFilter{Status: "awaiting_partner"}},
		{"staff", "kind + status", staff, q("kind", "certification", "status", "in_review"),
			store.CaseFilter{Kind: "certification", Status: "in_review"}},
		{"staff", "sla_breached=true", staff, q("sla_breached", "true"), store.CaseFilter{SLABreached: &yes}},
		{"staff", "sla_breached=false", staff, q("sla_breached", "false"), store.CaseFilter{SLABreached: &no}},
		{"staff", "kind + sla_breached", staff, q("kind", "certification", "sla_breached", "true"),
			store.CaseFilter{Kind: "certification", SLABreached: &yes}},
		{"staff", "partner_id", staff, q("partner_id", partner), store.CaseFilter{PartnerID: partner}},
		{"staff", "partner_id + status", staff, q("partner_id", partner, "status", "certified"),
			store.CaseFilter{PartnerID: partner, Status: "certified"}},
		{"partner admin", "none", admin, q(), store.CaseFilter{PartnerID: partner}},
		{"partner admin", "kind", admin, q("kind", "certification"), store.CaseFilter{PartnerID: partner, Kind: "certification"}},
		{"partner admin", "status", admin, q("status", "certified"), store.CaseFilter{PartnerID: partner, Status: "certified"}},
		{"partner admin", "kind + status", admin, q("kind", "partner_payment", "status", "paid_by_partner"),
			store.CaseFilter{PartnerID: partner, Kind: "partner_payment", Status: "paid_by_partner"}},
		{"partner admin", "sla_breached=true", admin, q("sla_breached", "true"), store.CaseFilter{PartnerID: partner, SLABreached: &yes}},
		{big, "none", customerToken(bigCustomer), q(), store.CaseFilter{CustomerID: bigCustomer}},
		{big, "status", customerToken(bigCustomer), q("status", "paid_by_partner"),
			store.CaseFilter{CustomerID: bigCustomer, Status: "paid_by_partner"}},
		{customer(few), "none", customerToken(few), q(), store.CaseFilter{CustomerID: few}},
		{customer(none), "none", customerToken(none), q(), store.CaseFilter{CustomerID: none}},
	}

	var lastSQL string
	var lastArgs []any
	st.OnList(func(query string, args []any) { lastSQL, lastArgs = query, args })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	var table strings.Builder
	table.WriteString("| role | filter | page | HTTP p50 | HTTP p99 | SQL p50 | SQL p99 | HTTP/SQL p99 | target |\n")
	table.WriteString("|---|---|---|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		cursor := ""
		for page := 1; page <= 20; page++ {
			list, next, err := st.ListCases(ctx, r.store, store.Page{Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			if page == 1 || page == 20 {
				query := r.query
				if cursor != "" {
					query = q("cursor", cursor)
					for k, v := range r.query {
						query[k] = v
					}
				}
				m := measure(t, client, base+"?"+query.Encode(), r.token, st, lastSQL, lastArgs, len(list), samples)
				fmt.Fprintf(&table, "| %s | %s | %d | %s | %s | %s | %s | %.1fx | %s |\n", r.role, r.filter, page,
					ms(m.http.p50), ms(m.http.p99), ms(m.sql.p50), ms(m.sql.p99), m.ratio(), m.verdict())
			}
			if next == "" {
				if page < 20 {
					fmt.Fprintf(&table, "| %s | %s | 20 | — | — | — | — | — | %d page(s) only |\n", r.role, r.filter, page)
				}
				break
			}
			cursor = next
		}
	}
	t.Logf("%d cases, %d samples a cell:\n\n%s", n, samples, table.String())
}

// benchStore is the store the benchmark reads, the number of cases in it
// and the samples to take of each cell.
func benchStore(t *testing.T) (*store.Store, int, int) {
	t.Helper()
	ctx := context.Background()
	target := os.Getenv("PARTNEROPS_LIST_BENCH_DB")
	n, samples := 20_000, 10
	if target != "" {
		n, samples = 1_000_000, 400
	}
	for name, v := range map[string]*int{"PARTNEROPS_LIST_BENCH_CASES": &n, "PARTNEROPS_LIST_BENCH_SAMPLES": &samples} {
		if s := os.Getenv(name); s != "" {
			var err error
			if *v, err = strconv.Atoi(s); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	if target == "" {
		st, _ := testdb.New(t)
		if err := seedCases(ctx, st.DB(), volumeOf(n)); err != nil {
			t.Fatal(err)
		}
		return st, n, samples
	}
	createDatabase(t, target)
	st, err := store.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	var have int
	if err := st.DB().GetContext(ctx, &have, `SELECT count(*) FROM cases`); err != nil {
		t.Fatal(err)
	}
	switch {
	case have == 0:
		start := time.Now()
		if err := seedCases(ctx, st.DB(), volumeOf(n)); err != nil {
			t.Fatal(err)
		}
		t.Logf("seeded %d cases in %s", n, time.Since(start).Round(time.Second))
	case have != n:
		t.Fatalf("%s holds %d cases, not %d: drop it to seed it again", target, have, n)
	}
	// principals of earlier runs (their tokens are gone)
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM principals WHERE name LIKE 'Bench %'`); err != nil {
		t.Fatal(err)
	}
	return st, n, samples
}

// createDatabase creates the database of target on its server unless it exists.
func createDatabase(t *testing.T, target string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	_, err = admin.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name))
	var pqErr *pq.Error
	if err != nil && !(errors.As(err, &pqErr) && pqErr.Code == "42P04") { // duplicate_database
		t.Fatal(err)
	}
}

// benchToken creates a principal and returns its token.
func benchToken(t *testing.T, st *store.Store, np store.NewPrincipal) string {
	t.Helper()
	_, token, err := st.CreatePrincipal(context.Background(), np)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// latencies are the durations of one kind of call, sorted.
type latencies []time.Duration

func (l latencies) at(q float64) time.Duration { return l[min(int(q*float64(len(l))), len(l)-1)] }

type summary struct{ p50, p99 time.Duration }

func (l latencies) summary() summary {
	slices.Sort(l)
	return summary{p50: l.at(0.50), p99: l.at(0.99)}
}

type cell struct{ http, sql summary }

func (c cell) ratio() float64 { return float64(c.http.p99) / float64(c.sql.p99) }

// verdict compares the cell to its target: HTTP p99 at most 5 ms and at
// most twice the bare query's.
func (c cell) verdict() string {
	var missed []string
	if c.http.p99 > 5*time.Millisecond {
		missed = append(missed, "p99 > 5 ms")
	}
	if c.ratio() > 2 {
		missed = append(missed, "> 2x SQL")
	}
	if len(missed) == 0 {
		return "ok"
	}
	return "**miss**: " + strings.Join(missed, ", ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// measure takes samples of the page over HTTP and of its bare SQL query
// (run and read to the end), alternately, after a few of each to warm up;
// the API's page must hold the rows the store's does.
func measure(t *testing.T, client *http.Client, target, token string, st *store.Store, query string, args []any, want, samples int) cell {
	t.Helper()
	ctx := context.Background()
	get := func() (time.Duration, []byte) {
		req, err := http.NewRequest(http.MethodGet, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v %s", target, resp.StatusCode, err, body)
		}
		return took, body
	}
	bare := func() time.Duration {
		start := time.Now()
		rows, err := st.DB().QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	_, body := get()
	var page struct{ Cases []json.RawMessage }
	if err := json.Unmarshal(body, &page); err != nil || len(page.Cases) != want {
		t.Fatalf("GET %s: %d cases, the store's page has %d (%v)", target, len(page.Cases), want, err)
	}
	for range 5 {
		get()
		bare()
	}
	h, s := make(latencies, samples), make(latencies, samples)
	for i := range samples {
		h[i], _ = get()
		s[i] = bare()
	}
	return cell{http: h.summary(), sql: s.summary()}
}
