package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/workflows"
)

// outageLength is how long PostgreSQL stays away at each step.
const outageLength = 30 * time.Second

// outageInjector stops PostgreSQL when a worker is about to run the step
// armed (an activity, and for RecordTransition the event it records), and
// starts it again outageLength later: the step runs into the outage.
type outageInjector struct {
	interceptor.WorkerInterceptorBase
	pg *privateCluster

	mu       sync.Mutex
	activity string // "" when disarmed
	event    string
	stepCase string        // the case whose step met the outage
	back     chan struct{} // closed once PostgreSQL is back
	backAt   time.Time
}

// arm makes the next run of activity (recording event, if given) meet an
// outage; the returned channel closes once PostgreSQL is back.
func (o *outageInjector) arm(activity, event string) <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.activity, o.event, o.stepCase, o.back = activity, event, "", make(chan struct{})
	return o.back
}

func (o *outageInjector) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &outageActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, o: o}
}

type outageActivity struct {
	interceptor.ActivityInboundInterceptorBase
	o *outageInjector
}

func (a *outageActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	o := a.o
	o.mu.Lock()
	if o.activity != "" && o.activity == activity.GetInfo(ctx).ActivityType.Name {
		tr, isTransition := in.Args[0].(cases.Transition)
		if o.event == "" || isTransition && tr.Event.Type == o.event {
			o.activity = ""
			o.stepCase = activity.GetInfo(ctx).WorkflowExecution.ID
			o.pg.stop()
			back := o.back
			time.AfterFunc(outageLength, func() {
				o.pg.start()
				o.mu.Lock()
				o.backAt = time.Now()
				o.mu.Unlock()
				close(back)
			})
		}
	}
	o.mu.Unlock()
	return a.Next.ExecuteActivity(ctx, in)
}

// caseID is the case whose step met the last outage.
func (o *outageInjector) caseID() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stepCase
}

// agrees waits for PostgreSQL's return, then for case id to take want,
// live and in the read model, within 10 s.
func (o *outageInjector) agrees(t *testing.T, s *system, step string, back <-chan struct{}, id, want string) {
	t.Helper()
	<-back
	o.mu.Lock()
	backAt := o.backAt
	o.mu.Unlock()
	for {
		live := decode[cases.Case](t, s.call("GET", "/v1/cases/"+id, s.ops, nil).expect(t, 200))
		row, err := s.store.Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if live.Status == want && row.Status == want && row.UpdatedAt.Equal(live.UpdatedAt) {
			t.Logf("%s: %s %s %s after PostgreSQL's return", step, id, want, time.Since(backAt).Round(time.Millisecond))
			return
		}
		if time.Since(backAt) > 10*time.Second {
			t.Fatalf("%s: 10 s after PostgreSQL's return case %s is live %s, read model %s (want %s)", step, id, live.Status, row.Status, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestOutageAtEachStepEndsNoCase stops PostgreSQL for 30 s at each kind of
// step of a certification and at an opportunity's first check: when the
// case starts, at its first automatic check, in an action's step and in a
// timer's step. Every case takes its step once PostgreSQL is back — none
// ends in needs_attention — and the read model agrees with the live case
// within 10 s of PostgreSQL's return.
func TestOutageAtEachStepEndsNoCase(t *testing.T) {
	inj := &outageInjector{}
	s, pg := startOutageSystem(t, api.Deps{CertificationExpiry: 5 * time.Second}, inj)
	inj.pg = pg

	agrees := func(step string, back <-chan struct{}, id, want string) {
		t.Helper()
		inj.agrees(t, s, step, back, id, want)
	}

	// The start: the case's first transition meets the outage (the API may
	// answer the start itself 503 if its own write meets it too).
	back := inj.arm("RecordTransition", "submitted")
	if r := s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)); r.status != 202 && r.status != 503 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	<-back
	first := inj.caseID()
	agrees("start", back, first, workflows.CertificationInReview)

	// An action's step: the approval's transition meets the outage. The
	// caller is answered 503 at the action deadline, or 200 once it went through.
	back = inj.arm("RecordTransition", "approved")
	approved := make(chan int, 1)
	go func() { approved <- s.call("POST", "/v1/cases/"+first+"/actions/approve", s.ops, nil).status }()
	agrees("action", back, first, workflows.CertificationCertified)
	if status := <-approved; status != 200 && status != 503 {
		t.Errorf("the approval during the outage answered %d", status)
	}
	// its history holds the outlast-outage patch: the replay test replays it
	s.recordHistory(first, "certification_outage_fallback")

	// The first automatic check meets the outage.
	back = inj.arm("CheckBusinessInfo", "")
	other := businessInfo("91330100MA2B7C8D9Q")
	other["company_name"] = "Nimbus Reseller Ltd"
	second := decode[cases.Case](t, s.submit(s.adminB, s.partnerB, other).expect(t, 202))
	agrees("first check", back, second.ID, workflows.CertificationInReview)

	// A timer's step: the rejected case expires during the outage.
	s.call("POST", "/v1/cases/"+second.ID+"/actions/reject", s.ops, map[string]any{"reason": "the address is unreadable"}).expect(t, 200)
	back = inj.arm("RecordTransition", "expired")
	agrees("timer", back, second.ID, workflows.CertificationExpired)

	// An opportunity's first check (a local activity of its own) meets the outage.
	back = inj.arm("CheckOpportunity", "")
	opp := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, fixedPO("Lakeside Retail Co., Ltd.")).expect(t, 202))
	agrees("opportunity check", back, opp.ID, workflows.OpportunityInReview)
}
