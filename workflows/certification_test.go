package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

var (
	shanghai = testZone("Asia/Shanghai")
	// The case starts on a Friday afternoon, Shanghai time.
	fridayAfternoon = time.Date(2026, 11, 27, 15, 0, 0, 0, shanghai)
	// Three working days after that Friday: the end of Wednesday.
	endOfWednesday = time.Date(2026, 12, 2, 23, 59, 59, 0, shanghai)

	opsActor     = cases.Actor{ID: "prn_ops", Role: cases.RoleOps, Name: "Olivia Ops"}
	partnerActor = cases.Actor{ID: "prn_admin", Role: cases.RoleAdmin, Name: "Acme admin"}
)

func validInfo(number string) rules.BusinessInfo {
	t := rules.BusinessLicence
	return rules.BusinessInfo{
		CompanyName: "Acme Solutions Ltd", CertificateNumber: number, CertificateType: &t,
		LegalRepresentative: "Zhang San", Address: "1 Cloud Road, Hangzhou",
		Contact: rules.Contact{Name: "Li Si", Phone: "+86 138 0000 0000", Email: "li.si@acme.example"},
	}
}

const (
	validNumber = "91350100M000100Y43"
	otherNumber = "9144030000000000G0"
)

// certHarness runs the certification workflow in the SDK's test
// environment, with activities that keep what the workflow records.
type certHarness struct {
	t           *testing.T
	env         *testsuite.TestWorkflowEnvironment
	transitions []cases.Transition
	holidays    []rules.CalendarDay
	takenNumber string        // a certificate number another partner holds
	dueAtGate   chan struct{} // when set, DueAt waits for it to close
	outcomes    []actionOutcome
	// poison, when set, is the error RecordTransition answers instead of
	// recording a transition it returns one for.
	poison func(cases.Transition) error
	// outage, when set, says which transitions fail to record as a local
	// activity with the error a stopped PostgreSQL gives (retryable), as
	// an outage longer than the local activity's schedule-to-close does.
	outage func(cases.Transition) bool
}

type actionOutcome struct {
	action string
	result cases.Case
	err    error
}

func newCertHarness(t *testing.T) *certHarness {
	var suite testsuite.WorkflowTestSuite
	h := &certHarness{t: t, env: suite.NewTestWorkflowEnvironment()}
	h.env.SetStartTime(fridayAfternoon)
	h.env.RegisterWorkflowWithOptions(Certification, workflow.RegisterOptions{Name: CertificationWorkflow})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, tr cases.Transition) error {
		if h.outage != nil && h.outage(tr) && activity.GetInfo(ctx).IsLocalActivity {
			return errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
		}
		if h.poison != nil {
			if err := h.poison(tr); err != nil {
				return err
			}
		}
		h.transitions = append(h.transitions, tr)
		return nil
	}, activity.RegisterOptions{Name: "RecordTransition"})
	// the calendar's activities, on the statutory days and h.holidays over them
	calendar := func(raw string) (rules.SLAPolicy, *rules.Calendar, error) {
		policy, err := rules.ParseSLAPolicy(raw)
		if err != nil {
			return policy, nil, err
		}
		cal, err := rules.NewBusinessCalendar(shanghai, h.holidays)
		return policy, cal, err
	}
	h.env.RegisterActivityWithOptions(func(_ context.Context, req activities.DueAtRequest) (time.Time, error) {
		policy, cal, err := calendar(req.Policy)
		if err != nil {
			return time.Time{}, err
		}
		if h.dueAtGate != nil {
			<-h.dueAtGate
		}
		return policy.DueAt(cal, req.From), nil
	}, activity.RegisterOptions{Name: "DueAt"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, req activities.ExtendRequest) (time.Time, error) {
		policy, cal, err := calendar(req.Policy)
		if err != nil {
			return time.Time{}, err
		}
		return policy.Extended(cal, req.Due, req.PausedAt, req.ResumedAt), nil
	}, activity.RegisterOptions{Name: "ExtendForPause"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, req activities.DueAtRequest) (activities.Window, error) {
		policy, cal, err := calendar(req.Policy)
		if err != nil {
			return activities.Window{}, err
		}
		return activities.Window{RemindAt: policy.RemindAt(cal, req.From), DueAt: policy.DueAt(cal, req.From)}, nil
	}, activity.RegisterOptions{Name: "WindowAt"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, req activities.CheckRequest) ([]rules.FieldError, error) {
		if req.Info.CertificateNumber == h.takenNumber {
			return []rules.FieldError{{Field: "certificate_number", Message: "is already used by another partner's certification"}}, nil
		}
		return req.Info.Validate(), nil
	}, activity.RegisterOptions{Name: "CheckBusinessInfo"})
	return h
}

// at schedules an action at an offset from the start.
func (h *certHarness) at(offset time.Duration, name string, actor cases.Actor, input any) {
	h.env.RegisterDelayedCallback(func() {
		raw, err := json.Marshal(input)
		if err != nil {
			h.t.Fatal(err)
		}
		req := cases.ActionRequest{Actor: actor, Input: raw}
		h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { h.outcomes = append(h.outcomes, actionOutcome{action: name, err: err}) },
			OnComplete: func(result any, err error) {
				var c cases.Case
				if err == nil {
					c = result.(cases.Case)
				}
				h.outcomes = append(h.outcomes, actionOutcome{action: name, result: c, err: err})
			},
		}, req)
	}, offset)
}

// queryAt records the case as role sees it at an offset from the start.
func (h *certHarness) queryAt(offset time.Duration, role string, into *cases.Case) {
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(QueryCase, role)
		if err != nil {
			h.t.Errorf("query: %v", err)
			return
		}
		if err := v.Get(into); err != nil {
			h.t.Errorf("query result: %v", err)
		}
	}, offset)
}

func certificationInput(info rules.BusinessInfo) CertificationInput {
	return CertificationInput{
		CaseID: "cas_test", PartnerID: "prt_acme", Submitter: partnerActor, Info: info,
		TicketSLA: "3wd", CreatedAt: fridayAfternoon.UTC(),
	}
}

func (h *certHarness) run(info rules.BusinessInfo) string {
	return h.runInput(certificationInput(info))
}

func (h *certHarness) runInput(in CertificationInput) string {
	return h.runRefusingOnly(CertificationWorkflow, in)
}

// execute runs the named workflow with in to its end and returns its
// final status.
func (h *certHarness) execute(name string, in any) string {
	h.env.ExecuteWorkflow(name, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("the workflow did not complete")
	}
	var status string
	if err := h.env.GetWorkflowResult(&status); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	return status
}

// runRefusingOnly executes the workflow and fails the test for any action
// that failed other than by a refusal.
func (h *certHarness) runRefusingOnly(name string, in any) string {
	status := h.execute(name, in)
	for _, o := range h.outcomes {
		if o.err != nil && !isRefusal(o.err) {
			h.t.Errorf("%s failed: %v", o.action, o.err)
		}
	}
	return status
}

func isRefusal(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr)
}

// events lists the recorded transitions as "event/status".
func (h *certHarness) events() []string {
	var list []string
	for i, tr := range h.transitions {
		if tr.Event.Seq != i+1 {
			h.t.Errorf("transition %d has seq %d", i, tr.Event.Seq)
		}
		list = append(list, tr.Event.Type+"/"+tr.Case.Status)
	}
	return list
}

func (h *certHarness) transition(event string) cases.Transition {
	for _, tr := range h.transitions {
		if tr.Event.Type == event {
			return tr
		}
	}
	h.t.Fatalf("no %s transition among %v", event, h.events())
	return cases.Transition{}
}

func assertEvents(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events\n got %v\nwant %v", got, want)
		}
	}
}

func assertNotified(t *testing.T, tr cases.Transition, audience string) {
	t.Helper()
	for _, n := range tr.Notifications {
		if n.Audience == audience {
			return
		}
	}
	t.Errorf("%s notifies %v, not %s", tr.Event.Type, tr.Notifications, audience)
}

func TestCertificationApproved(t *testing.T) {
	h := newCertHarness(t)
	var inReview cases.Case
	h.queryAt(30*time.Second, cases.RoleOps, &inReview)
	h.at(time.Minute, ActionApprove, opsActor, struct{}{})
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	if inReview.Status != CertificationInReview || len(inReview.Actions) != 2 {
		t.Errorf("before the decision ops see %s with actions %v", inReview.Status, inReview.Actions)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "approved/certified")
	assertNotified(t, h.transition("checks_passed"), cases.AudienceOps)
	assertNotified(t, h.transition("approved"), cases.AudiencePartner)
	if got := h.outcomes[0].result; got.Status != CertificationCertified || len(got.Actions) != 0 {
		t.Errorf("approve answered %s with actions %v", got.Status, got.Actions)
	}
}

func TestCertificationTicketResolvedInTime(t *testing.T) {
	h := newCertHarness(t)
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "The licence scan is unreadable"})
	h.at(2*time.Minute, ActionFileTicket, partnerActor, FileTicketInput{Message: "Here is a clearer scan"})
	h.at(24*time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionCertify})
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "rejected/rejected",
		"ticket_filed/ticket_open", "ticket_resolved/certified")
	rejected := h.transition("rejected")
	assertNotified(t, rejected, cases.AudiencePartner)
	var details CertificationDetails
	if err := json.Unmarshal(rejected.Case.Details, &details); err != nil || details.RejectionReason != "The licence scan is unreadable" {
		t.Errorf("the partner reads the reason %q (%v)", details.RejectionReason, err)
	}
	filed := h.transition("ticket_filed")
	if filed.Case.SLA == nil || !filed.Case.SLA.DueAt.Equal(endOfWednesday) {
		t.Errorf("a ticket filed on Friday afternoon is due %v, want the end of Wednesday %v", filed.Case.SLA, endOfWednesday)
	}
	if final := h.transitions[len(h.transitions)-1]; final.Case.SLA.Breached {
		t.Error("a ticket resolved in time is marked breached")
	}
}

func TestCertificationSLABreachedThenResolved(t *testing.T) {
	h := newCertHarness(t)
	var afterDeadline cases.Case
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Address does not match the licence"})
	h.at(2*time.Minute, ActionFileTicket, partnerActor, FileTicketInput{Message: "It does, please look again"})
	h.queryAt(6*24*time.Hour, cases.RoleSupervisor, &afterDeadline)
	h.at(6*24*time.Hour+time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionReject, Reason: "Still does not match"})
	corrected := validInfo(validNumber)
	corrected.Address = "2 Cloud Road, Hangzhou"
	h.at(7*24*time.Hour, ActionResubmit, partnerActor, corrected)
	h.at(7*24*time.Hour+time.Hour, ActionApprove, opsActor, struct{}{})
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "rejected/rejected",
		"ticket_filed/ticket_open", "sla_breached/ticket_open", "ticket_resolved/rejected",
		"resubmitted/checking", "checks_passed/in_review", "approved/certified")
	breach := h.transition("sla_breached")
	if !breach.Event.At.Equal(endOfWednesday) || !breach.Case.SLA.Breached {
		t.Errorf("breach recorded at %v (breached %v), want at the deadline %v", breach.Event.At, breach.Case.SLA.Breached, endOfWednesday)
	}
	assertNotified(t, breach, cases.AudienceSupervisor)
	if afterDeadline.Status != CertificationTicketOpen || afterDeadline.SLA == nil || !afterDeadline.SLA.Breached {
		t.Errorf("after the deadline the case is %s with SLA %+v; want an open, breached ticket", afterDeadline.Status, afterDeadline.SLA)
	}
	var details CertificationDetails
	_ = json.Unmarshal(h.transitions[len(h.transitions)-1].Case.Details, &details)
	if details.Submissions != 2 || details.BusinessInfo.Address != "2 Cloud Road, Hangzhou" {
		t.Errorf("after resubmission: %d submissions, address %q", details.Submissions, details.BusinessInfo.Address)
	}
}

func TestCertificationDeadlineSkipsHolidays(t *testing.T) {
	h := newCertHarness(t)
	h.holidays = []rules.CalendarDay{{Date: "2026-11-30", Kind: rules.Holiday, Name: "test holiday"}}
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Unreadable"})
	h.at(2*time.Minute, ActionFileTicket, partnerActor, FileTicketInput{Message: "Please re-check"})
	h.at(time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionCertify})
	h.run(validInfo(validNumber))
	want := endOfWednesday.AddDate(0, 0, 1)
	if due := h.transition("ticket_filed").Case.SLA.DueAt; !due.Equal(want) {
		t.Errorf("with Monday a holiday the ticket is due %v, want the end of Thursday %v", due, want)
	}
}

// On the statutory calendar (no day declared by ops), a ticket's three
// working days skip Spring Festival and National Day and count their
// make-up Saturdays.
func TestCertificationDeadlineOnTheStatutoryCalendar(t *testing.T) {
	tests := []struct {
		name       string
		filed, due time.Time
	}{
		// Friday 13th, make-up Saturday 14th, then 15th-23rd off: Tuesday 24th.
		{"before Spring Festival 2026", time.Date(2026, 2, 12, 15, 0, 0, 0, shanghai), time.Date(2026, 2, 24, 23, 59, 59, 0, shanghai)},
		// Wednesday 30th, then 1st-7th off: Thursday 8th, Friday 9th.
		{"before National Day 2026", time.Date(2026, 9, 29, 15, 0, 0, 0, shanghai), time.Date(2026, 10, 9, 23, 59, 59, 0, shanghai)},
		// 8th, 9th and the make-up Saturday 10th.
		{"on the eve of National Day 2026", time.Date(2026, 9, 30, 15, 0, 0, 0, shanghai), time.Date(2026, 10, 10, 23, 59, 59, 0, shanghai)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newCertHarness(t)
			h.env.SetStartTime(tt.filed.Add(-2 * time.Minute))
			h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Unreadable"})
			h.at(2*time.Minute, ActionFileTicket, partnerActor, FileTicketInput{Message: "Please re-check"})
			h.at(time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionCertify})
			h.run(validInfo(validNumber))
			if due := h.transition("ticket_filed").Case.SLA.DueAt; !due.Equal(tt.due) {
				t.Errorf("filed %v: due %v, want %v", tt.filed, due.In(shanghai), tt.due)
			}
		})
	}
}

func TestCertificationAutomaticChecksRejectDuplicate(t *testing.T) {
	h := newCertHarness(t)
	h.takenNumber = validNumber
	h.at(time.Minute, ActionResubmit, partnerActor, validInfo(otherNumber))
	h.at(2*time.Minute, ActionApprove, opsActor, struct{}{})
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_failed/rejected",
		"resubmitted/checking", "checks_passed/in_review", "approved/certified")
	failed := h.transition("checks_failed")
	assertNotified(t, failed, cases.AudiencePartner)
	var details CertificationDetails
	_ = json.Unmarshal(failed.Case.Details, &details)
	if len(details.CheckProblems) != 1 || details.CheckProblems[0].Field != "certificate_number" {
		t.Errorf("check problems %v", details.CheckProblems)
	}
}

func TestCertificationRefusesActionsOutOfTurn(t *testing.T) {
	h := newCertHarness(t)
	h.at(time.Minute, ActionApprove, partnerActor, struct{}{})                     // a partner approving itself
	h.at(2*time.Minute, ActionFileTicket, opsActor, FileTicketInput{Message: "x"}) // staff filing the partner's ticket
	h.at(3*time.Minute, ActionReject, opsActor, RejectInput{Reason: "  "})         // no reason
	h.at(4*time.Minute, ActionResubmit, partnerActor, validInfo(otherNumber))      // nothing to resubmit yet
	h.at(5*time.Minute, ActionApprove, opsActor, struct{}{})
	h.at(6*time.Minute, ActionApprove, opsActor, struct{}{}) // too late: already certified
	h.run(validInfo(validNumber))
	want := []struct{ action, refusal string }{
		{ActionApprove, cases.RefusalForbidden},
		{ActionFileTicket, cases.RefusalForbidden},
		{ActionReject, cases.RefusalInvalid},
		{ActionResubmit, cases.RefusalConflict},
		{ActionApprove, ""},
	}
	if len(h.outcomes) < len(want) {
		t.Fatalf("outcomes %+v", h.outcomes)
	}
	for i, w := range want {
		got := ""
		var appErr *temporal.ApplicationError
		if errors.As(h.outcomes[i].err, &appErr) {
			got = appErr.Type()
		}
		if got != w.refusal {
			t.Errorf("%s #%d: refusal %q, want %q (%v)", w.action, i, got, w.refusal, h.outcomes[i].err)
		}
	}
	var fields rules.FieldErrors
	var appErr *temporal.ApplicationError
	if errors.As(h.outcomes[2].err, &appErr) {
		if err := appErr.Details(&fields); err != nil || len(fields) != 1 || fields[0].Field != "reason" {
			t.Errorf("the invalid reject names %v (%v), want the field reason", fields, err)
		}
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "approved/certified")
}

func TestCertificationSLAPausesWhileWaitingOnThePartner(t *testing.T) {
	h := newCertHarness(t)
	monday10 := time.Date(2026, 11, 30, 10, 0, 0, 0, shanghai).Sub(fridayAfternoon)
	var paused cases.Case
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Unreadable"})
	h.at(2*time.Minute, ActionFileTicket, partnerActor, FileTicketInput{Message: "Please re-check"})
	h.at(monday10, ActionRequestInfo, opsActor, FileTicketInput{Message: "Which branch office is this?"})
	// Waiting on the partner past the original deadline breaches nothing.
	h.queryAt(monday10+4*24*time.Hour, cases.RoleOps, &paused)
	h.at(monday10+4*24*time.Hour+time.Hour, ActionReply, partnerActor, FileTicketInput{Message: "The Hangzhou one"})
	h.at(monday10+9*24*time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionCertify})
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	if paused.Status != CertificationTicketAwaitingPartner || paused.SLA.Breached {
		t.Errorf("while waiting on the partner: %s, SLA %+v", paused.Status, paused.SLA)
	}
	replied := h.transition("partner_replied")
	// Paused Monday 10:00 to Friday 11:00: the pause reached into Tuesday to
	// Friday, four working days, so Wednesday's deadline moves to the end of
	// the next Tuesday.
	if want := time.Date(2026, 12, 8, 23, 59, 59, 0, shanghai); !replied.Case.SLA.DueAt.Equal(want) {
		t.Errorf("after the reply the ticket is due %v, want %v (four working days paused added)", replied.Case.SLA.DueAt, want)
	}
	assertNotified(t, h.transition("info_requested"), cases.AudiencePartner)
	assertNotified(t, replied, cases.AudienceOps)
	breach := h.transition("sla_breached")
	if !breach.Event.At.Equal(replied.Case.SLA.DueAt) {
		t.Errorf("breached at %v, want at the moved deadline %v", breach.Event.At, replied.Case.SLA.DueAt)
	}
}

// While a ticket's deadline is computed, the ticket is not open yet: ops
// cannot ask the partner for information (whose reply moves the deadline)
// nor resolve it.
func TestCertificationActionsWhileFilingTicketAreRefused(t *testing.T) {
	h := newCertHarness(t)
	h.dueAtGate = make(chan struct{})
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Unreadable"})
	h.at(2*time.Minute, ActionFileTicket, partnerActor, FileTicketInput{Message: "Please re-check"})
	h.at(2*time.Minute+time.Second, ActionRequestInfo, opsActor, FileTicketInput{Message: "Which office?"})
	h.at(2*time.Minute+1500*time.Millisecond, ActionReply, partnerActor, FileTicketInput{Message: "Hangzhou"})
	h.env.RegisterDelayedCallback(func() { close(h.dueAtGate) }, 2*time.Minute+2*time.Second)
	h.at(time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionCertify})
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	for _, name := range []string{ActionRequestInfo, ActionReply} {
		if got := h.refusalOf(name, 0); got != cases.RefusalConflict {
			t.Errorf("%s while the ticket is filed: %q, want %s", name, got, cases.RefusalConflict)
		}
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "rejected/rejected",
		"ticket_filed/ticket_open", "ticket_resolved/certified")
}

// A rejected case nobody touches expires after the configured period (the
// new side of patchRejectedExpiry; recorded histories of the old side keep
// replaying in TestReplayRecordedHistories).
func TestCertificationRejectedCaseExpires(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expiry time.Duration
		want   time.Duration
	}{
		{"default", 0, 30 * 24 * time.Hour},
		{"configured", 7 * 24 * time.Hour, 7 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newCertHarness(t)
			h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Unreadable"})
			var before cases.Case
			h.queryAt(time.Minute+tc.want-time.Hour, cases.RoleAdmin, &before)
			in := certificationInput(validInfo(validNumber))
			in.RejectedExpiry = tc.expiry
			if status := h.runInput(in); status != CertificationExpired {
				t.Fatalf("status %s, want %s", status, CertificationExpired)
			}
			assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "rejected/rejected", "expired/expired")
			rejectedAt := fridayAfternoon.Add(time.Minute)
			var details CertificationDetails
			_ = json.Unmarshal(h.transition("rejected").Case.Details, &details)
			if details.ExpiresAt == nil || !details.ExpiresAt.Equal(rejectedAt.Add(tc.want)) {
				t.Errorf("the rejection says it expires at %v, want %v", details.ExpiresAt, rejectedAt.Add(tc.want))
			}
			if expired := h.transition("expired"); !expired.Event.At.Equal(rejectedAt.Add(tc.want)) {
				t.Errorf("expired at %v, want %v", expired.Event.At, rejectedAt.Add(tc.want))
			}
			assertNotified(t, h.transition("expired"), cases.AudiencePartner)
			if before.Status != CertificationRejected || len(before.Actions) != 2 {
				t.Errorf("an hour before expiry the partner sees %s with %v", before.Status, before.Actions)
			}
		})
	}
}

// A resubmission or a ticket stops the expiry clock.
func TestCertificationTicketStopsExpiry(t *testing.T) {
	h := newCertHarness(t)
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Unreadable"})
	h.at(29*24*time.Hour, ActionFileTicket, partnerActor, FileTicketInput{Message: "Please re-check"})
	h.at(40*24*time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionCertify})
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	if got := h.events()[len(h.events())-1]; got != "ticket_resolved/certified" {
		t.Errorf("last event %s", got)
	}
}

// A run that recorded its share of transitions continues as new once its
// handlers finished, carrying the case; the next run goes on from there.
func TestCertificationContinuesAsNew(t *testing.T) {
	h := newCertHarness(t)
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "Unreadable"})
	in := certificationInput(validInfo(validNumber))
	in.StepsPerRun = 3
	h.env.ExecuteWorkflow(CertificationWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the first run ended with %v, want continue-as-new", err)
	}
	var next CertificationInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Resume == nil || next.Resume.Status != CertificationRejected || next.Resume.Seq != 3 ||
		next.Resume.Details.RejectionReason != "Unreadable" || next.Resume.Details.ExpiresAt == nil {
		t.Fatalf("carried %+v", next.Resume)
	}
	if got := h.refusalOf(ActionReject, 0); got != "" {
		t.Errorf("the reject that filled the run answered %q", got)
	}

	second := newCertHarness(t)
	second.env.SetStartTime(fridayAfternoon.Add(2 * time.Minute))
	second.at(time.Minute, ActionFileTicket, partnerActor, FileTicketInput{Message: "Please re-check"})
	second.at(time.Hour, ActionResolve, opsActor, ResolveInput{Decision: DecisionCertify})
	if status := second.runInput(next); status != CertificationCertified {
		t.Fatalf("status %s", status)
	}
	var seqs []int
	for _, tr := range second.transitions {
		seqs = append(seqs, tr.Event.Seq)
	}
	if len(seqs) != 2 || seqs[0] != 4 || seqs[1] != 5 {
		t.Errorf("the second run recorded seqs %v, want [4 5]", seqs)
	}
}
