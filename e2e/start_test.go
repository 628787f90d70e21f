package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// refusingStarts is a Temporal client whose workflow starts fail, as when
// Temporal is away between the case's commit and its workflow's start.
type refusingStarts struct {
	client.Client
}

func (refusingStarts) ExecuteWorkflow(context.Context, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	return nil, serviceerror.NewUnavailable("refused by the test")
}

// startProblem is the 503 of a case opened whose workflow could not start.
type startProblem struct {
	problem
	CaseID string `json:"case_id"`
}

// TestStartFailedAfterTheCommitRunsAnyway fails the workflow start after the
// case is committed: the API answers 503 naming the case, a retry with the
// Idempotency-Key answers that same case, and the reconciler starts it. The
// other way round cannot happen: a workflow is started only from a
// committed case row (the outbox), never before it.
func TestStartFailedAfterTheCommitRunsAnyway(t *testing.T) {
	s := startSystem(t, "3wd")
	broken := *s
	broken.baseURL = s.serveAPI(refusingStarts{s.temporal})

	// A certification, then a partner payment order, both refused at the start.
	r := broken.submit(s.adminA, s.partnerA, businessInfo(acmeNumber), "Idempotency-Key", "start-1").expect(t, 503)
	cert := decode[startProblem](t, r)
	if cert.CaseID == "" || r.header.Get("Location") != "/v1/cases/"+cert.CaseID || r.header.Get("Retry-After") == "" {
		t.Fatalf("503 %s, Location %q, Retry-After %q", r.body, r.header.Get("Location"), r.header.Get("Retry-After"))
	}
	again := decode[startProblem](t, broken.submit(s.adminA, s.partnerA, businessInfo(acmeNumber), "Idempotency-Key", "start-1").expect(t, 503))
	if again.CaseID != cert.CaseID {
		t.Errorf("the retried request names case %s, the first %s", again.CaseID, cert.CaseID)
	}
	// Without its key the retry meets the one-open-certification rule.
	if p := decode[startProblem](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 409)); p.CaseID != cert.CaseID {
		t.Errorf("a second submission names %q, want the open case %s", p.CaseID, cert.CaseID)
	}
	customer := ppCustomer{id: s.customerA(), token: s.customA, partnerID: s.partnerA, partnerToken: s.adminA}
	pay := decode[startProblem](t, broken.call("POST", "/v1/customers/"+customer.id+"/orders", customer.token,
		orderBody(rules.PayerPartner, 10_000), "Idempotency-Key", "order-1").expect(t, 503))

	// The cases exist; with no workflow yet they answer from the read model.
	if c := decode[liveCase](t, s.call("GET", "/v1/cases/"+cert.CaseID, s.ops, nil).expect(t, 200)); c.Live || c.Status != workflows.CertificationChecking {
		t.Errorf("opened case reads %+v", c)
	}

	// The payment's retry with its key, on a sound API, starts that very case.
	retried := decode[cases.Case](t, s.call("POST", "/v1/customers/"+customer.id+"/orders", customer.token,
		orderBody(rules.PayerPartner, 10_000), "Idempotency-Key", "order-1").expect(t, 202))
	if retried.ID != pay.CaseID {
		t.Errorf("the retried order opened %s, the first %s", retried.ID, pay.CaseID)
	}
	s.waitForCase(s.ops, pay.CaseID, hasStatus(workflows.PaymentAwaitingPartner))

	// Nobody retries the certification: the reconciler starts it once its
	// start request is over a minute old (made so here, not waited for).
	db, err := sql.Open("postgres", s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE case_starts SET created_at = created_at - interval '2 minutes' WHERE case_id = $1`, cert.CaseID); err != nil {
		t.Fatal(err)
	}
	// Ops see it waiting; parked (as after PARTNEROPS_OUTBOX_PARK_AFTER
	// failures), they see it parked and retry it.
	type startsList struct {
		Counts struct{ Retrying, Parked int }
		Starts []struct {
			CaseID string `json:"case_id"`
			State  string
		}
	}
	starts := decode[startsList](t, s.call("GET", "/v1/ops/case-starts", s.ops, nil).expect(t, 200))
	if len(starts.Starts) != 1 || starts.Starts[0].CaseID != cert.CaseID || starts.Starts[0].State != "pending" {
		t.Errorf("ops see the starts %+v", starts)
	}
	s.call("GET", "/v1/ops/case-starts", s.adminA, nil).expect(t, 403)
	s.call("POST", "/v1/ops/case-starts/"+cert.CaseID+"/retry", s.ops, nil).expect(t, 404) // not parked
	if _, err := db.Exec(`UPDATE case_starts SET attempts = 10, parked_at = now(), last_error = 'refused' WHERE case_id = $1`, cert.CaseID); err != nil {
		t.Fatal(err)
	}
	starts = decode[startsList](t, s.call("GET", "/v1/ops/case-starts", s.ops, nil).expect(t, 200))
	if starts.Counts.Parked != 1 || len(starts.Starts) != 1 || starts.Starts[0].State != "parked" {
		t.Errorf("ops see the parked start as %+v", starts)
	}
	s.call("POST", "/v1/ops/case-starts/"+cert.CaseID+"/retry", s.ops, nil).expect(t, 204)
	if err := s.temporal.ScheduleClient().GetHandle(context.Background(), "partnerops-start-pending-cases").
		Trigger(context.Background(), client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	s.waitForCase(s.ops, cert.CaseID, hasStatus(workflows.CertificationInReview))
	list := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases", s.ops, nil).expect(t, 200))
	if n := openCases(list.Cases); n != 2 {
		t.Errorf("%d open cases after two starts, each tried twice", n)
	}
	if starts := decode[startsList](t, s.call("GET", "/v1/ops/case-starts", s.ops, nil).expect(t, 200)); len(starts.Starts) != 0 {
		t.Errorf("started, still listed: %+v", starts)
	}
}

// TestOneOpenCertificationAndRecertification: a second submission while
// one is open is a 409 naming it; once certified, a new submission starts a
// re-certification that says which certification it renews.
func TestOneOpenCertificationAndRecertification(t *testing.T) {
	s := startSystem(t, "3wd")
	first := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	p := decode[startProblem](t, s.submit(s.memberA, s.partnerA, businessInfo(acmeNumber)).expect(t, 409))
	if p.CaseID != first.ID || !strings.Contains(p.Detail, first.ID) {
		t.Errorf("409 %+v does not name the open case %s", p, first.ID)
	}
	s.waitForCase(s.ops, first.ID, hasStatus(workflows.CertificationInReview))
	certified := decode[cases.Case](t, s.call("POST", "/v1/cases/"+first.ID+"/actions/approve", s.ops, nil).expect(t, 200))
	if certified.ClosedAt == nil {
		t.Errorf("the certified case is not closed: %+v", certified)
	}
	closed := s.waitForCase(s.ops, first.ID, func(c cases.Case) bool { return c.ClosedAt != nil })
	if got := decode[liveCase](t, s.call("GET", "/v1/cases/"+first.ID, s.adminA, nil).expect(t, 200)); got.Live || got.AsOf == nil {
		t.Errorf("a closed case is read live: %+v", got)
	}
	s.call("POST", "/v1/cases/"+first.ID+"/actions/approve", s.ops, nil).expect(t, 409)

	renewal := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	if d := certificationDetails(t, renewal); d.RecertificationOf != first.ID {
		t.Errorf("the new submission renews %q, want %s", d.RecertificationOf, first.ID)
	}
	if closed.Status != workflows.CertificationCertified {
		t.Errorf("the first certification is %s while the renewal runs", closed.Status)
	}
}
