package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/internal/testkeys"
	"partnerops/store"
	"partnerops/worker"
)

// TestSIGTERMUnderLoadAnswersEveryRequest sends SIGTERM to `partnerops
// api` while certification starts pour in: every request it answers is
// answered truthfully (a 202's case exists and its workflow runs; nothing
// answers 500), a request it does not answer was never taken (the
// connection was refused or closed before it was read), and the process
// exits 0 well within its 30-second bound.
func TestSIGTERMUnderLoadAnswersEveryRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := partneropsBinary(t)
	ctx := context.Background()
	st, dbURL := testdb.New(t)
	ts := newTemporal(t, st)
	tc := ts.GetDefaultClient()
	if err := worker.EnsureSearchAttributes(ctx, tc, ts.GetDefaultNamespace()); err != nil {
		t.Fatal(err)
	}
	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan error, 1)
	go func() {
		workerDone <- worker.Run(workerCtx, tc, e2eTaskQueue, worker.Deps{Store: st, Location: shanghai(t)})
	}()
	t.Cleanup(func() { stopWorker(); <-workerDone })

	const partners = 60
	tokens := make([]string, partners)
	ids := make([]string, partners)
	for i := range partners {
		p, err := st.CreatePartner(ctx, fmt.Sprintf("Partner %d", i), "cloud_reseller", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, tokens[i], err = st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Admin", Role: cases.RoleAdmin, PartnerID: p.ID}); err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}

	addr := freeAddr(t)
	api := startProcess(t, bin, []string{
		"DATABASE_URL=" + dbURL, "PARTNEROPS_HTTP_ADDR=" + addr,
		"TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(), "TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(),
		"PARTNEROPS_TASK_QUEUE=" + e2eTaskQueue, testkeys.Env,
	}, "api")
	s := &system{t: t, baseURL: "http://" + addr, store: st, contract: newContractChecker(t)}
	s.waitReady()
	// the process's /metrics holds the Temporal SDK's metrics with the API's
	_, opsToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	if m := string(s.call("GET", "/metrics", opsToken, nil).expect(t, 200).body); !strings.Contains(m, "temporal_") || !strings.Contains(m, "partnerops_http_requests_total") {
		t.Errorf("/metrics lacks the Temporal SDK's or the API's metrics:\n%.3000s", m)
	}

	type answer struct {
		status int
		body   []byte
		err    error
	}
	answers := make([]answer, partners)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 40 * time.Second}
	var wg sync.WaitGroup
	for i := range partners {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 10 * time.Millisecond) // a stream, not a burst
			body, _ := json.Marshal(businessInfo(acmeNumber))
			req, _ := http.NewRequest("POST", s.baseURL+"/v1/partners/"+ids[i]+"/certifications", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tokens[i])
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				answers[i] = answer{err: err}
				return
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			answers[i] = answer{status: resp.StatusCode, body: raw, err: err}
		})
	}
	time.Sleep(partners * 10 * time.Millisecond / 2)
	signalled := time.Now()
	if err := api.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-api.exited:
		if err != nil {
			t.Errorf("partnerops api exited with %v:\n%s", err, api.out.String())
		}
		if took := time.Since(signalled); took > 30*time.Second {
			t.Errorf("stopping took %s, over its 30 s bound", took)
		}
	case <-time.After(40 * time.Second):
		_ = api.cmd.Process.Kill()
		t.Fatalf("partnerops api did not stop on SIGTERM:\n%s", api.out.String())
	}
	api.once.Do(func() {}) // it has stopped: the cleanup has nothing to do
	wg.Wait()

	accepted, refused := 0, 0
	for i, a := range answers {
		switch {
		case a.err != nil:
			refused++ // never taken: the listener was closed
		case a.status == http.StatusAccepted:
			accepted++
			var c cases.Case
			if err := json.Unmarshal(a.body, &c); err != nil {
				t.Fatalf("partner %d: %s", i, a.body)
			}
			if _, err := st.Case(ctx, c.ID); err != nil {
				t.Errorf("partner %d: 202 for case %s, which is not recorded: %v", i, c.ID, err)
			}
			if _, err := tc.DescribeWorkflowExecution(ctx, c.ID, ""); err != nil {
				t.Errorf("partner %d: 202 for case %s, whose workflow did not start: %v", i, c.ID, err)
			}
		default:
			t.Errorf("partner %d: %d %s", i, a.status, a.body)
		}
	}
	if accepted == 0 {
		t.Errorf("no start was accepted before the signal (%d refused): no load to drain", refused)
	}
	t.Logf("%d accepted, %d not taken", accepted, refused)
}
