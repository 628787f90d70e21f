package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/demo"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/worker"
	"partnerops/workflows"
)

// BenchmarkStarts measures case starts per second on one embedded Temporal
// server and one PostgreSQL, side by side: through the API (a customer's
// order its partner is asked to pay: order, case and start request in one
// transaction, the workflow's start, the live answer) and as raw SDK
// ExecuteWorkflow starts of the same workflow, at 1 and 8 concurrent
// callers. It reports starts/s, the p50 latency and the history events of
// a started case once its first transition is recorded.
//
//	go test -run '^$' -bench BenchmarkStarts -benchtime 200x ./e2e
func BenchmarkStarts(b *testing.B) {
	ctx := context.Background()
	st, _ := testdb.New(b)
	ts := newTemporal(nil, st) // WithT takes a *testing.T only
	b.Cleanup(ts.Stop)
	tc := ts.GetDefaultClient()
	if err := worker.EnsureSearchAttributes(ctx, tc, ts.GetDefaultNamespace()); err != nil {
		b.Fatal(err)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		b.Fatal(err)
	}
	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan error, 1)
	go func() { workerDone <- worker.Run(workerCtx, tc, e2eTaskQueue, worker.Deps{Store: st, Location: loc}) }()
	b.Cleanup(func() { stopWorker(); <-workerDone })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	app := api.New(api.Deps{Store: st, Temporal: tc, TaskQueue: e2eTaskQueue, TicketSLA: "3wd", Location: loc, Logger: slog.New(slog.DiscardHandler)})
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	baseURL := "http://" + ln.Addr().String()

	partner, err := st.CreatePartner(ctx, "Bench Partner", "solution_provider", "preferred")
	if err != nil {
		b.Fatal(err)
	}
	// certified (the certification gate): only a certified partner is asked to pay
	ops, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Bench Ops", Role: cases.RoleOps})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Certify(ctx, st, partner.ID, rules.BusinessInfo{
		CompanyName: "Bench Partner Ltd", CertificateNumber: rules.WithUSCCCheck("91110000000000001"), CertificateType: new(rules.BusinessLicence),
		LegalRepresentative: "Zhang San", Address: "1 Cloud Road, Hangzhou",
		Contact: rules.Contact{Name: "Li Si", Phone: "+86 138 0000 0000", Email: "li.si@example.com"},
	}, ops); err != nil {
		b.Fatal(err)
	}
	customer, err := st.CreateCustomer(ctx, "Bench Customer", partner.ID, "resale")
	if err != nil {
		b.Fatal(err)
	}
	_, token, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Bench Customer", Role: cases.RoleCustomer, CustomerID: customer.ID})
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(orderBody(rules.PayerPartner, 10_000))
	if err != nil {
		b.Fatal(err)
	}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

	apiStart := func() (string, error) {
		req, _ := http.NewRequest("POST", baseURL+"/v1/customers/"+customer.ID+"/orders", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := httpClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusAccepted {
			return "", fmt.Errorf("status %d: %s", resp.StatusCode, raw)
		}
		var c cases.Case
		return c.ID, json.Unmarshal(raw, &c)
	}
	sdkStart := func() (string, error) {
		now := time.Now().UTC().Truncate(time.Microsecond)
		id := store.NewID("cas")
		_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: e2eTaskQueue},
			workflows.PartnerPaymentWorkflow, workflows.PartnerPaymentInput{
				CaseID: id, OrderID: store.NewID("ord"), PartnerID: partner.ID, CustomerID: customer.ID,
				RequestedBy: cases.Actor{ID: "bench", Role: cases.RoleCustomer, Name: "Bench"},
				Scenario:    rules.Renewal, Product: "ecs", Amount: rules.Money{Amount: 10_000, Currency: "CNY"},
				PlacedAt: now, OrderDeadline: now.Add(24 * time.Hour), PartnerDeadline: now.Add(12 * time.Hour),
			})
		return id, err
	}
	for _, callers := range []int{1, 8} {
		for _, way := range []struct {
			name  string
			start func() (string, error)
		}{{"api", apiStart}, {"sdk", sdkStart}} {
			b.Run(fmt.Sprintf("%s/callers=%d", way.name, callers), func(b *testing.B) {
				last := measureStarts(b, callers, way.start)
				b.ReportMetric(float64(settledHistoryLength(b, st, tc, last)), "events/case")
			})
		}
	}
}

// measureStarts runs b.N starts over callers goroutines and reports
// starts/s and the p50 latency; it returns the ID of one started case.
func measureStarts(b *testing.B, callers int, start func() (string, error)) string {
	var next atomic.Int64
	latencies := make([]time.Duration, b.N)
	var lastID atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
				t0 := time.Now()
				id, err := start()
				latencies[i] = time.Since(t0)
				if err != nil {
					b.Error(err)
					return
				}
				lastID.Store(id)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "starts/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	id, _ := lastID.Load().(string)
	return id
}

// settledHistoryLength counts the history events of a started case once
// its first transition is in the read model and its history stopped
// growing (waiting for the partner).
func settledHistoryLength(b *testing.B, st *store.Store, tc client.Client, id string) int {
	if id == "" {
		return 0
	}
	deadline := time.Now().Add(time.Minute)
	for events, _, _ := st.CaseEvents(context.Background(), id, store.Page{}); len(events) == 0; events, _, _ = st.CaseEvents(context.Background(), id, store.Page{}) {
		if time.Now().After(deadline) {
			b.Fatalf("case %s never recorded its first transition", id)
		}
		time.Sleep(100 * time.Millisecond)
	}
	count := func() int {
		n := 0
		it := tc.GetWorkflowHistory(context.Background(), id, "", false, 0)
		for it.HasNext() {
			if _, err := it.Next(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		return n
	}
	n := count()
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		again := count()
		if again == n {
			return n
		}
		n = again
	}
	return n
}
