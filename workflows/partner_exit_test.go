package workflows

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// exitHarness runs the partner exit workflow in the SDK's test environment
// (with time skipping): open is what the obligations check finds now, and
// ended what the workflow applied to the partner. afterCheck, when set,
// runs after each obligations check that is not also the exit's end: what
// may happen to the partner between two activities.
type exitHarness struct {
	*certHarness
	open       []rules.ExitObligation
	checks     int
	ended      []string
	afterCheck func()
}

var (
	openCustomer = rules.ExitObligation{Kind: rules.ObligationCustomer, ID: "cus_1", Description: "customer cus_1", ClearedBy: "dissociate"}
	openBalance  = rules.ExitObligation{Kind: rules.ObligationBalance, Description: "500 CNY", ClearedBy: "withdrawal"}
	memberActor  = cases.Actor{ID: "prn_member", Role: cases.RoleMember, Name: "Acme member"}
	supActor     = cases.Actor{ID: "prn_sup", Role: cases.RoleSupervisor, Name: "Sam Supervisor"}
)

func newExitHarness(t *testing.T, open ...rules.ExitObligation) *exitHarness {
	h := &exitHarness{certHarness: newCertHarness(t), open: open}
	// the machines running these tests are shared and loaded: a busy
	// scheduler is not a deadlock
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
	h.env.RegisterWorkflowWithOptions(PartnerExit, workflow.RegisterOptions{Name: PartnerExitWorkflow})
	h.env.RegisterActivityWithOptions(func(_ context.Context, req activities.ObligationsRequest) ([]rules.ExitObligation, error) {
		if req.PartnerID != "prt_acme" || req.CaseID != "cas_exit" {
			t.Errorf("checked %+v", req)
		}
		h.checks++
		open := append([]rules.ExitObligation{}, h.open...)
		if h.afterCheck != nil {
			h.afterCheck()
		}
		return open, nil
	}, activity.RegisterOptions{Name: "CheckExitObligations"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, o activities.ExitOutcome) ([]rules.ExitObligation, error) {
		if o.PartnerID != "prt_acme" || o.CaseID != "cas_exit" || o.Outcome != activities.ExitCompleted {
			t.Errorf("completed %+v", o)
		}
		h.checks++
		if len(h.open) == 0 {
			h.ended = append(h.ended, o.Outcome)
		}
		return append([]rules.ExitObligation{}, h.open...), nil
	}, activity.RegisterOptions{Name: "CompletePartnerExit"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, o activities.ExitOutcome) error {
		h.ended = append(h.ended, o.Outcome)
		return nil
	}, activity.RegisterOptions{Name: "EndPartnerExit"})
	return h
}

// clearAt changes what is open at an offset, and signals the case, as the
// API does after a dissociation, a withdrawal or a member removal.
func (h *exitHarness) clearAt(offset time.Duration, open []rules.ExitObligation, signal bool) {
	h.env.RegisterDelayedCallback(func() {
		h.open = open
		if signal {
			h.env.SignalWorkflow(SignalObligationsChanged, nil)
		}
	}, offset)
}

func exitInput() PartnerExitInput {
	return PartnerExitInput{
		CaseID: "cas_exit", PartnerID: "prt_acme", RequestedBy: partnerActor, Reason: "we leave the cloud business",
		CreatedAt: fridayAfternoon.UTC(), OpsSLA: "5wd",
	}
}

func (h *exitHarness) run(in PartnerExitInput) string {
	return h.execute(PartnerExitWorkflow, in)
}

func (h *exitHarness) refusals() map[string]error {
	out := map[string]error{}
	for _, o := range h.outcomes {
		if o.err != nil {
			out[o.action] = o.err
		}
	}
	return out
}

func TestPartnerExitBlockedThenClearedStepByStep(t *testing.T) {
	h := newExitHarness(t, openCustomer, openBalance)
	var blocked, cooling cases.Case
	h.queryAt(time.Minute, cases.RoleOps, &blocked)
	// the customer is dissociated after an hour (signalled), the balance
	// withdrawn after two hours, without a signal: the daily check sees it
	h.clearAt(time.Hour, []rules.ExitObligation{openBalance}, true)
	h.clearAt(2*time.Hour, nil, false)
	h.queryAt(26*time.Hour, cases.RoleAdmin, &cooling)
	// cooling-off: 7 days from the daily check; then ops confirm
	h.at(25*time.Hour+8*24*time.Hour, ActionConfirm, opsActor, struct{}{})
	if got := h.run(exitInput()); got != ExitExited {
		t.Fatalf("ended %s, want %s", got, ExitExited)
	}
	assertEvents(t, h.events(),
		"requested/checking", "blocked/blocked", "blocked/blocked", "cooling_off_started/cooling_off",
		"cooling_off_ended/awaiting_ops", "exited/exited")
	if blocked.Status != ExitBlocked || len(blocked.Actions) == 0 {
		t.Errorf("after a minute: %s with actions %v", blocked.Status, blocked.Actions)
	}
	if tr := h.transitions[2]; tr.Event.Detail[exitObligationsTrigger] != "obligation_changed" {
		t.Errorf("the second block was triggered by %v, want the signal", tr.Event.Detail)
	}
	if tr := h.transition("cooling_off_started"); tr.Event.Detail[exitObligationsTrigger] != "daily" {
		t.Errorf("the cooling-off started on %v, want the daily check", tr.Event.Detail)
	}
	if cooling.Status != ExitCoolingOff || len(cooling.Actions) != 1 || cooling.Actions[0] != ActionWithdraw {
		t.Errorf("cooling off: %s, admin actions %v", cooling.Status, cooling.Actions)
	}
	if len(h.ended) != 1 || h.ended[0] != activities.ExitCompleted {
		t.Errorf("applied %v to the partner, want exited once", h.ended)
	}
	awaiting := h.transition("cooling_off_ended")
	// cooled off on Saturday 28 + 7 days (Saturday 5 December, Shanghai
	// 15:00): 5 working days end on Friday 11 December
	if due := awaiting.Case.SLA.DueAt.In(shanghai); due.Day() != 11 || due.Month() != time.December {
		t.Errorf("ops deadline %v, want the end of Friday 11 December", due)
	}
	assertNotified(t, awaiting, cases.AudienceOps)
}

func TestPartnerExitWithdrawnDuringCoolingOff(t *testing.T) {
	h := newExitHarness(t)
	h.at(24*time.Hour, ActionWithdraw, memberActor, struct{}{}) // only the admin may
	h.at(25*time.Hour, ActionWithdraw, partnerActor, struct{}{})
	if got := h.run(exitInput()); got != ExitWithdrawn {
		t.Fatalf("ended %s, want %s", got, ExitWithdrawn)
	}
	assertEvents(t, h.events(), "requested/checking", "cooling_off_started/cooling_off", "withdrawn/withdrawn")
	if err := h.refusals()[ActionWithdraw]; err == nil {
		t.Error("a member's withdrawal was accepted")
	}
	if len(h.ended) != 1 || h.ended[0] != activities.ExitWithdrawn {
		t.Errorf("applied %v to the partner, want withdrawn", h.ended)
	}
	assertNotified(t, h.transition("withdrawn"), cases.AudienceOps)
}

func TestPartnerExitRefusedByOps(t *testing.T) {
	h := newExitHarness(t)
	h.at(time.Hour, ActionRefuse, opsActor, RejectInput{Reason: " "}) // a reason is required
	h.at(2*time.Hour, ActionRefuse, partnerActor, RejectInput{Reason: "not mine to refuse"})
	h.at(3*time.Hour, ActionRefuse, opsActor, RejectInput{Reason: "open invoices under audit"})
	if got := h.run(exitInput()); got != ExitRefused {
		t.Fatalf("ended %s, want %s", got, ExitRefused)
	}
	refused := h.transition("refused")
	if refused.Event.Detail["reason"] != "open invoices under audit" {
		t.Errorf("refused with %v", refused.Event.Detail)
	}
	if n := len(h.outcomes); n != 3 || h.outcomes[0].err == nil || h.outcomes[1].err == nil || h.outcomes[2].err != nil {
		t.Errorf("outcomes %+v: want the blank reason and the partner refused, ops' refusal taken", h.outcomes)
	}
	if len(h.ended) != 1 || h.ended[0] != activities.ExitRefused {
		t.Errorf("applied %v to the partner, want refused", h.ended)
	}
	assertNotified(t, refused, cases.AudiencePartner)
}

func TestPartnerExitOpsSLABreached(t *testing.T) {
	h := newExitHarness(t)
	in := exitInput()
	in.CoolingOff = time.Hour
	var late cases.Case
	h.queryAt(10*24*time.Hour, cases.RoleOps, &late)
	h.at(11*24*time.Hour, ActionConfirm, supActor, struct{}{})
	if got := h.run(in); got != ExitExited {
		t.Fatalf("ended %s, want %s", got, ExitExited)
	}
	assertEvents(t, h.events(), "requested/checking", "cooling_off_started/cooling_off",
		"cooling_off_ended/awaiting_ops", "sla_breached/awaiting_ops", "exited/exited")
	breached := h.transition("sla_breached")
	assertNotified(t, breached, cases.AudienceSupervisor)
	// cooled off Friday 16:00 Shanghai: 5 working days end on Friday 4 December
	if due := breached.Case.SLA.DueAt.In(shanghai); due.Day() != 4 || !breached.Case.SLA.Breached {
		t.Errorf("deadline %v breached %v, want the end of Friday 4 December, breached", due, breached.Case.SLA.Breached)
	}
	if late.Status != ExitAwaitingOps || late.SLA == nil || !late.SLA.Breached {
		t.Errorf("after the deadline: %+v, want awaiting_ops and breached", late)
	}
}

func TestPartnerExitConfirmWithSomethingOpenBlocksAgain(t *testing.T) {
	h := newExitHarness(t)
	// a deposit lands during the cooling-off; ops confirm early
	h.clearAt(time.Hour, []rules.ExitObligation{openBalance}, false)
	h.at(2*time.Hour, ActionConfirm, opsActor, struct{}{})
	h.clearAt(3*time.Hour, nil, true)
	h.at(4*time.Hour, ActionConfirm, opsActor, struct{}{})
	if got := h.run(exitInput()); got != ExitExited {
		t.Fatalf("ended %s, want %s", got, ExitExited)
	}
	assertEvents(t, h.events(), "requested/checking", "cooling_off_started/cooling_off", "blocked/blocked",
		"cooling_off_started/cooling_off", "exited/exited")
	if h.transition("exited").Event.Detail["early"] != true {
		t.Error("the early confirmation is not marked early")
	}
}

// A blocked exit whose run is full continues as new, carrying what is open
// and when it was checked; the next run clears on a signal and goes on.
func TestPartnerExitContinuesAsNewWhileBlocked(t *testing.T) {
	h := newExitHarness(t, openCustomer, openBalance)
	h.clearAt(time.Hour, []rules.ExitObligation{openBalance}, true)
	in := exitInput()
	in.StepsPerRun = 2
	h.env.ExecuteWorkflow(PartnerExitWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the first run ended with %v, want continue-as-new", err)
	}
	var next PartnerExitInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if r := next.Resume; r == nil || r.Status != ExitBlocked || r.Seq != 3 || r.Details.CheckedAt == nil ||
		len(r.Details.Obligations) != 1 || r.Details.Obligations[0] != openBalance {
		t.Fatalf("carried %+v", next.Resume)
	}

	second := newExitHarness(t, openBalance)
	second.env.SetStartTime(fridayAfternoon.Add(time.Hour))
	second.clearAt(time.Hour, nil, true)
	second.at(2*time.Hour, ActionWithdraw, partnerActor, struct{}{})
	next.StepsPerRun = 0
	if got := second.run(next); got != ExitWithdrawn {
		t.Fatalf("the second run ended %s", got)
	}
	if len(second.transitions) != 2 || second.transitions[0].Event.Seq != 4 || second.transitions[0].Case.Status != ExitCoolingOff {
		t.Errorf("the second run recorded %v", second.events())
	}
}

// The exit's last check and its end are one activity (one transaction
// under the partner's lock): nothing can bind the partner between them.
// Here a customer binds right after any check that is not the end itself;
// the partner must never end exited with it bound.
func TestPartnerExitConfirmLeavesNoGapBetweenCheckAndEnd(t *testing.T) {
	h := newExitHarness(t)
	h.at(time.Hour, ActionConfirm, opsActor, struct{}{})
	h.afterCheck = func() {
		if h.checks == 2 { // the confirmation's check
			h.open = []rules.ExitObligation{openCustomer}
		}
	}
	got := h.run(exitInput())
	if slices.Contains(h.ended, activities.ExitCompleted) && len(h.open) > 0 {
		t.Fatalf("the partner exited (case %s) with %v bound between the last check and the end", got, h.open)
	}
	if got != ExitExited || h.checks != 2 {
		t.Errorf("ended %s after %d checks, want exited after the request's check and the confirmation's", got, h.checks)
	}
}
