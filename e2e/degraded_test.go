package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/workflows"
)

// liveCase is a case as GET /v1/cases/{id} answers it, with the fields that
// say where the answer came from.
type liveCase struct {
	cases.Case
	Live bool       `json:"live"`
	AsOf *time.Time `json:"as_of"`
}

// readiness is the body of /readyz.
type readiness struct {
	Ready  bool `json:"ready"`
	Checks struct {
		PostgreSQL string `json:"postgresql"`
		Temporal   string `json:"temporal"`
		Workers    struct {
			State   string `json:"state"`
			Pollers int    `json:"pollers"`
		} `json:"workers"`
	} `json:"checks"`
}

// callWithin sends a request and fails the test when the answer takes longer
// than limit: a degraded system answers fast or not at all, never hangs.
func (s *system) callWithin(limit time.Duration, method, path, token string, body any) response {
	s.t.Helper()
	started := time.Now()
	r := s.callOn(&http.Client{Timeout: limit + 5*time.Second}, method, path, token, body)
	if took := time.Since(started); took > limit {
		s.t.Errorf("%s %s answered %d after %s, over its %s", method, path, r.status, took.Round(time.Millisecond), limit)
	}
	return r
}

// TestWorkerAwayReadsDegradeAndActionsRefuse stops the only worker: the
// API keeps answering reads from the read model (marked not live) within
// 3 s, refuses actions with 503 and Retry-After within 11 s, stays ready
// and says in /readyz that no worker polls; with a worker back, everything
// resumes.
func TestWorkerAwayReadsDegradeAndActionsRefuse(t *testing.T) {
	s := startSystemWithoutWorker(t, "3wd")
	stopWorker := s.runWorker(context.Background())
	s.waitReady()

	c := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	if got := decode[liveCase](t, s.call("GET", "/v1/cases/"+c.ID, s.ops, nil).expect(t, 200)); !got.Live {
		t.Errorf("with a worker up the case is not live: %s", s.call("GET", "/v1/cases/"+c.ID, s.ops, nil).body)
	}
	if r := decode[readiness](t, s.call("GET", "/readyz", "", nil).expect(t, 200)); r.Checks.Workers.Pollers == 0 {
		t.Errorf("readyz sees no worker while one runs: %+v", r)
	}

	stopWorker()

	got := decode[liveCase](t, s.callWithin(3*time.Second, "GET", "/v1/cases/"+c.ID, s.ops, nil).expect(t, 200))
	if got.Live || got.AsOf == nil || got.Status != workflows.CertificationInReview {
		t.Errorf("with no worker the case answers live=%v as_of=%v status %s, want the read model's in_review, not live, with its time",
			got.Live, got.AsOf, got.Status)
	}
	if !slices.Equal(got.Actions, []string{workflows.ActionApprove, workflows.ActionReject}) {
		t.Errorf("read-model answer offers %v", got.Actions)
	}

	refused := s.callWithin(11*time.Second, "POST", "/v1/cases/"+c.ID+"/actions/approve", s.ops, nil).expect(t, 503)
	if refused.header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After: %s", refused.body)
	}
	if ct := refused.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("503 as %s", ct)
	}

	// The API stays ready (its own dependencies answer) and says no worker
	// polls, once the worker's last poll is older than the window (an idle
	// worker is seen about once a minute, at each new long poll).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r := decode[readiness](t, s.callWithin(3*time.Second, "GET", "/readyz", "", nil).expect(t, 200))
		if !r.Ready {
			t.Fatalf("readyz unready with its own dependencies up: %+v", r)
		}
		if r.Checks.Workers.Pollers == 0 && r.Checks.Workers.State == "none" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still sees a worker two minutes after it stopped: %+v", r)
		}
		time.Sleep(time.Second)
	}
	metrics := string(s.call("GET", "/metrics", s.ops, nil).expect(t, 200).body)
	if !strings.Contains(metrics, `partnerops_task_queue_pollers{task_queue="`+e2eTaskQueue+`"} 0`) {
		t.Errorf("/metrics has no pollers gauge at 0")
	}

	// A worker comes back: the case answers live again, and the approval
	// refused with 503 either was taken meanwhile (a 503 does not say it
	// was not: the update may have reached the workflow) or is taken now.
	s.runWorker(context.Background())
	deadline = time.Now().Add(30 * time.Second)
	var back liveCase
	for back = decode[liveCase](t, s.call("GET", "/v1/cases/"+c.ID, s.ops, nil).expect(t, 200)); !back.Live && back.ClosedAt == nil; {
		if time.Now().After(deadline) {
			t.Fatal("the case never answered live again after the worker came back")
		}
		time.Sleep(100 * time.Millisecond)
		back = decode[liveCase](t, s.call("GET", "/v1/cases/"+c.ID, s.ops, nil).expect(t, 200))
	}
	if back.Status == workflows.CertificationInReview {
		back.Case = decode[cases.Case](t, s.callWithin(11*time.Second, "POST", "/v1/cases/"+c.ID+"/actions/approve", s.ops, nil).expect(t, 200))
	}
	if back.Status != workflows.CertificationCertified {
		t.Errorf("after the worker came back the case is %s", back.Status)
	}
	partnerID, admin := s.newPartner("Back Again", "solution_provider", "")
	started := decode[liveCase](t, s.callWithin(3*time.Second, "POST", "/v1/partners/"+partnerID+"/certifications", admin, businessInfo(acmeNumber)).expect(t, 202))
	// the 202 is the case as recorded; read again, it is live
	s.waitForCase(admin, started.ID, func(c cases.Case) bool { return c.Live })
	if r := decode[readiness](t, s.call("GET", "/readyz", "", nil).expect(t, 200)); r.Checks.Workers.Pollers == 0 {
		t.Errorf("readyz sees no worker after it came back: %+v", r)
	}
}
