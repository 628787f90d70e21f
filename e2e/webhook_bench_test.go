package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/events"
	"partnerops/store"
	"partnerops/webhooks"
)

// The webhook benchmark (not in the default run): PARTNEROPS_WEBHOOK_BENCH=1
// writes 10,000 case steps (PARTNEROPS_WEBHOOK_BENCH_EVENTS to change it)
// for 10 partners, 100 cases each, each partner with one endpoint on a
// loopback receiver, 10 writers at once. Live, it measures the latency from
// each step's commit to the receiver's 2xx; then, with the worker stopped,
// it queues as many again and measures how fast a started worker drains
// them, against a bare HTTP loop (one goroutine per endpoint) posting the
// same number of bodies to the same receiver.
//
//	PARTNEROPS_WEBHOOK_BENCH=1 go test -count=1 -run TestWebhookBenchmark -v -timeout 30m ./e2e
func TestWebhookBenchmark(t *testing.T) {
	if os.Getenv("PARTNEROPS_WEBHOOK_BENCH") == "" {
		t.Skip("set PARTNEROPS_WEBHOOK_BENCH=1 to run the webhook benchmark")
	}
	total := 10_000
	if n, err := strconv.Atoi(os.Getenv("PARTNEROPS_WEBHOOK_BENCH_EVENTS")); err == nil && n > 0 {
		total = n
	}
	const partners, casesEach = 10, 100
	perPartner := total / partners
	ctx := context.Background()
	s := startSystemWithoutWorker(t, "3wd")
	stopWorker := s.runWorker(ctx)

	var received atomic.Int64
	// backlogFirst is when the backlog's first delivery arrived (set once
	// the live ones, the first n, are in).
	var backlogFirst atomic.Int64
	n := perPartner * partners
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	var bodies [partners][][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e events.Envelope
		if json.Unmarshal(body, &e) == nil && e.Case != nil {
			mu.Lock()
			arrived[fmt.Sprintf("%s:%d", e.Case.ID, e.Case.Seq)] = time.Now()
			mu.Unlock()
		}
		if received.Add(1) == int64(n)+1 {
			backlogFirst.Store(time.Now().UnixNano())
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	type tenant struct {
		partner  string
		endpoint string
	}
	tenants := make([]tenant, partners)
	for i := range tenants {
		p, err := s.store.CreatePartner(ctx, fmt.Sprintf("Bench %d", i), "cloud_reseller", "")
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.store.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{PartnerID: p.ID, URL: fmt.Sprintf("%s/p%d", srv.URL, i),
			Secret: webhooks.NewSecret(), At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if err := webhooks.StartDispatcher(ctx, s.temporal, e2eTaskQueue, e.ID); err != nil {
			t.Fatal(err)
		}
		tenants[i] = tenant{p.ID, e.ID}
	}
	time.Sleep(2 * time.Second) // the dispatchers' drains are listening

	// write writes perPartner steps for each partner, 10 writers at once,
	// from step first on, noting when each committed.
	ids := make([][]string, partners)
	for i := range ids {
		ids[i] = make([]string, casesEach)
		for c := range ids[i] {
			ids[i][c] = store.NewID("cas")
		}
	}
	var committed sync.Map
	write := func(first int) {
		var wg sync.WaitGroup
		for i, tn := range tenants {
			wg.Go(func() {
				at := time.Now().UTC()
				for n := range perPartner {
					id, seq := ids[i][n%casesEach], first+n/casesEach
					status := fmt.Sprintf("s%d", seq)
					tr := cases.Transition{
						Case: cases.Case{ID: id, Kind: cases.KindOpportunity, PartnerID: tn.partner, Status: status, CreatedAt: at,
							UpdatedAt: time.Now().UTC(), Details: json.RawMessage(`{}`)},
						WorkflowID: id, RunID: "bench",
						Event: cases.Event{Seq: seq, Type: "step", Status: status, Actor: cases.System, At: time.Now().UTC()},
					}
					if err := s.store.ApplyTransition(ctx, tr); err != nil {
						t.Error(err)
						return
					}
					committed.Store(fmt.Sprintf("%s:%d", id, seq), time.Now())
				}
			})
		}
		wg.Wait()
	}
	waitDelivered := func(want int) {
		deadline := time.Now().Add(10 * time.Minute)
		for received.Load() < int64(want) {
			if time.Now().After(deadline) {
				t.Fatalf("delivered %d of %d", received.Load(), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// Live: the steps are delivered as they commit.
	peak := watchHeap()
	start := time.Now()
	write(1)
	written := time.Since(start)
	waitDelivered(n)
	elapsed := time.Since(start)
	var latencies []time.Duration
	mu.Lock()
	for key, at := range arrived {
		if c, ok := committed.Load(key); ok {
			latencies = append(latencies, max(at.Sub(c.(time.Time)), 0))
		}
	}
	mu.Unlock()
	t.Logf("live: %d events to %d endpoints written in %s, all delivered %s after the first write (%.0f events/s): commit to 2xx p50 %s p99 %s",
		n, partners, written.Round(time.Millisecond), elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(),
		percentile(latencies, 50), percentile(latencies, 99))

	// Backlog: as many steps queued while no worker runs, then drained.
	stopWorker()
	write(perPartner/casesEach + 1)
	start = time.Now()
	s.runWorker(ctx)
	waitDelivered(2 * n)
	drained := time.Since(start)
	heap := peak()
	sending := drained - time.Unix(0, backlogFirst.Load()).Sub(start)
	mu.Lock()
	for i := range tenants { // when each endpoint's backlog began and ended arriving, from the worker's start
		var first, last time.Duration
		for _, id := range ids[i] {
			for seq := perPartner/casesEach + 1; seq <= 2*perPartner/casesEach; seq++ {
				if at, ok := arrived[fmt.Sprintf("%s:%d", id, seq)]; ok {
					d := at.Sub(start)
					if first == 0 || d < first {
						first = d
					}
					last = max(last, d)
				}
			}
		}
		t.Logf("backlog of endpoint %d: from %s to %s after the worker's start", i, first.Round(time.Millisecond), last.Round(time.Millisecond))
	}
	mu.Unlock()
	t.Logf("backlog: %d queued events drained in %s from the worker's start: %.0f events/s (the first delivery %s after the start, "+
		"then %.0f events/s); peak heap %d MB", n, drained.Round(time.Millisecond), float64(n)/drained.Seconds(),
		(drained - sending).Round(time.Millisecond), float64(n)/sending.Seconds(), heap>>20)

	// The bare loop: the same bodies, one goroutine per endpoint.
	for i, tn := range tenants {
		log, _, err := s.store.WebhookDeliveries(ctx, tn.endpoint, store.Page{Limit: store.MaxPageSize})
		if err != nil || len(log) == 0 {
			t.Fatalf("log of %s: %v", tn.endpoint, err)
		}
		body, _ := json.Marshal(events.Envelope{ID: log[0].EventID, Type: log[0].EventType, PartnerID: tn.partner})
		for range perPartner {
			bodies[i] = append(bodies[i], body)
		}
	}
	received.Store(0)
	client := &http.Client{Timeout: webhooks.Timeout}
	var bare []time.Duration
	var bareMu sync.Mutex
	var wg sync.WaitGroup
	start = time.Now()
	for i := range tenants {
		wg.Go(func() {
			url := fmt.Sprintf("%s/p%d", srv.URL, i)
			own := make([]time.Duration, 0, len(bodies[i]))
			for _, body := range bodies[i] {
				sent := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				own = append(own, time.Since(sent))
			}
			bareMu.Lock()
			bare = append(bare, own...)
			bareMu.Unlock()
		})
	}
	wg.Wait()
	bareElapsed := time.Since(start)
	t.Logf("bare loop: %d posts in %s: %.0f posts/s, request p50 %s p99 %s; the backlog drains at %.2fx its rate (%.2fx from its first delivery)",
		n, bareElapsed.Round(time.Millisecond), float64(n)/bareElapsed.Seconds(), percentile(bare, 50), percentile(bare, 99),
		bareElapsed.Seconds()/drained.Seconds(), bareElapsed.Seconds()/sending.Seconds())
}

// percentile is the p-th percentile of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, len(sorted)*p/100)].Round(time.Millisecond)
}
