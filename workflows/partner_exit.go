package workflows

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// PartnerExitWorkflow is the registered name of the partner exit process.
const PartnerExitWorkflow = "PartnerExit"

// Statuses of a partner exit case.
const (
	ExitChecking    = "checking"     // the obligations check runs: no one can act meanwhile
	ExitBlocked     = "blocked"      // obligations are open (listed on the case); rechecked as they clear, and daily
	ExitCoolingOff  = "cooling_off"  // nothing is open: the admin may withdraw until the period ends; ops may confirm early or refuse
	ExitAwaitingOps = "awaiting_ops" // cooling-off over, no longer withdrawable: ops confirm or refuse within the SLA
	ExitExiting     = "exiting"      // ops confirmed: the last check and the partner's exit run
	ExitWithdrawn   = "withdrawn"    // done: the admin withdrew the request; the partner is back to normal
	ExitRefused     = "refused"      // done: ops refused the exit (with a reason); the partner is back to normal
	ExitExited      = "exited"       // done: the partner left the program
)

// Actions on a partner exit case (and ActionResolve's siblings below).
const (
	ActionRecheck  = "recheck"  // check the obligations again now
	ActionWithdraw = "withdraw" // the admin takes the request back
	ActionConfirm  = "confirm"  // ops let the partner go (early, during cooling-off)
	ActionRefuse   = "refuse"   // ops refuse the exit, with a reason
)

// SignalObligationsChanged tells an exit case that its partner may have
// cleared an obligation (a customer dissociated, a withdrawal, a member
// removed, another of its cases closed): a blocked case checks again at once.
const SignalObligationsChanged = cases.SignalObligationsChanged

// Defaults of the exit's periods when its input names none.
const (
	DefaultExitCoolingOff = 7 * 24 * time.Hour // PARTNEROPS_EXIT_COOLING_OFF
	DefaultExitRecheck    = 24 * time.Hour     // a blocked exit is checked again at least this often
	DefaultExitOpsSLA     = "5wd"              // PARTNEROPS_EXIT_SLA
)

// exitObligationsTrigger is the event detail naming what made a check run.
const exitObligationsTrigger = "trigger"

// PartnerExitInput starts a partner's exit from the program.
type PartnerExitInput struct {
	CaseID      string      `json:"case_id"`
	PartnerID   string      `json:"partner_id"`
	RequestedBy cases.Actor `json:"requested_by"`
	Reason      string      `json:"reason"`
	CreatedAt   time.Time   `json:"created_at"`
	// CoolingOff is how long a partner with nothing open may still
	// withdraw (zero: DefaultExitCoolingOff); OpsSLA the policy ops
	// handle the exit under once it is over ("5wd"). Both are fixed at start.
	CoolingOff time.Duration `json:"cooling_off,omitempty"`
	OpsSLA     string        `json:"ops_sla,omitempty"`
	// RecheckEvery is how often a blocked exit checks again by itself
	// (zero: DefaultExitRecheck).
	RecheckEvery time.Duration `json:"recheck_every,omitempty"`
	// StepsPerRun bounds the transitions one run records before it
	// continues as new; zero is the default.
	StepsPerRun int `json:"steps_per_run,omitempty"`
	// Resume is the state a previous run carried over (continue-as-new).
	Resume *Resumed[PartnerExitDetails] `json:"resume,omitempty"`
}

// Details are the case's details when it starts.
func (in PartnerExitInput) Details() PartnerExitDetails {
	return PartnerExitDetails{Reason: in.Reason, RequestedBy: in.RequestedBy, Obligations: []rules.ExitObligation{}}
}

// PartnerExitDetails is the partner exit's own part of the case.
type PartnerExitDetails struct {
	Reason      string                 `json:"reason" doc:"Why the partner leaves"`
	RequestedBy cases.Actor            `json:"requested_by"`
	Obligations []rules.ExitObligation `json:"obligations" doc:"What is still open, as last checked, each with what clears it; empty once nothing is"`
	CheckedAt   *time.Time             `json:"checked_at,omitempty" doc:"When the obligations were last checked"`
	// CoolingOffEndsAt is when the partner can no longer withdraw.
	CoolingOffEndsAt *time.Time `json:"cooling_off_ends_at,omitempty" doc:"Once nothing is open: until when the admin may withdraw the request"`
	RefusalReason    string     `json:"refusal_reason,omitempty" doc:"Why ops refused the exit"`
	ExitedAt         *time.Time `json:"exited_at,omitempty" doc:"When the partner left the program"`
}

// partnerExitProcess declares the partner's exit.
var partnerExitProcess = Process{
	Kind: cases.KindPartnerExit, Workflow: PartnerExitWorkflow, Run: PartnerExit,
	Statuses: []Status{
		{Name: ExitChecking, Start: true, WaitsOn: System, Next: []string{ExitBlocked, ExitCoolingOff}},
		{Name: ExitBlocked, WaitsOn: Partner, Next: []string{ExitChecking}},
		{Name: ExitCoolingOff, WaitsOn: System, Next: []string{ExitAwaitingOps}},
		{Name: ExitAwaitingOps, WaitsOn: Ops},
		{Name: ExitExiting, WaitsOn: System, Next: []string{ExitExited, ExitBlocked}},
		{Name: ExitWithdrawn, Final: true},
		{Name: ExitRefused, Final: true},
		{Name: ExitExited, Final: true},
	},
	Actions: partnerExitActions.static(),
	Schema:  "PartnerExitCase", Details: reflect.TypeFor[PartnerExitDetails](),
	Subject: subjectOf(func(d PartnerExitDetails) string { return d.Reason }),
	Description: "A partner exit case: the partner's admin asked to leave the program; from then on no new process of the partner " +
		"may start (409 partner-exiting). It starts in checking while the obligations check runs. With anything open (another open " +
		"case, a customer still associated, money on one of the partner's accounts, a personal account still associated) it is " +
		"blocked, details.obligations listing each with what clears it; it checks again when the partner clears one (dissociation, " +
		"withdrawal, member removal, another of its cases closing), on recheck, and daily. With nothing open it is cooling_off until details.cooling_off_ends_at: " +
		"the admin may withdraw (withdrawn, final: the partner is back to normal), ops may confirm early or refuse with a reason " +
		"(refused, final). Then it is awaiting_ops, no longer withdrawable: ops confirm or refuse by sla.due_at (the exit SLA on the " +
		"business calendar); a missed deadline marks sla.breached and notifies a supervisor. confirm runs a last check (exiting) and " +
		"ends in exited (final): the partner's level and program rights end and every token of its accounts but the admin's stops " +
		"working; something open sends the case back to blocked.",
}

// partnerExitActions is who may do what, when, and with which step.
var partnerExitActions = table[*partnerExit]{
	act[*partnerExit, noInput]{actionSpec: actionSpec{ActionRecheck, append(slices.Clone(cases.PartnerRoles), cases.StaffRoles...), []string{ExitBlocked}, []string{ExitChecking}},
		step: (*partnerExit).recheck},
	act[*partnerExit, noInput]{actionSpec: actionSpec{ActionWithdraw, []string{cases.RoleAdmin}, []string{ExitBlocked, ExitCoolingOff}, []string{ExitWithdrawn}},
		step: (*partnerExit).withdraw},
	act[*partnerExit, noInput]{actionSpec: actionSpec{ActionConfirm, cases.StaffRoles, []string{ExitCoolingOff, ExitAwaitingOps}, []string{ExitExiting}},
		step: (*partnerExit).confirm},
	act[*partnerExit, RejectInput]{actionSpec: actionSpec{ActionRefuse, cases.StaffRoles, []string{ExitBlocked, ExitCoolingOff, ExitAwaitingOps}, []string{ExitRefused}},
		check: checkRejectInput, step: (*partnerExit).refuse},
}

type partnerExit struct {
	caseState
	details      PartnerExitDetails
	coolingOff   time.Duration
	opsSLA       string
	recheckEvery time.Duration
	// recheckAsked: a signal said an obligation may have cleared.
	recheckAsked bool
}

// PartnerExit runs a partner's request to leave the program. It checks
// what is still open (other cases, customers, money, personal accounts)
// and stays blocked, listing them, until nothing is: it checks again when
// told something cleared, when asked, and daily. Then a cooling-off
// period runs, during which the admin may withdraw and ops may confirm
// early or refuse. After it ops confirm (the partner exits: level and
// rights end, tokens but the admin's stop working) or refuse, within the
// ops SLA on the business calendar; a missed deadline is flagged and a
// supervisor notified, and the case waits for ops all the same.
func PartnerExit(ctx workflow.Context, in PartnerExitInput) (string, error) {
	e := &partnerExit{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindPartnerExit, partnerID: in.PartnerID,
			status: ExitChecking, createdAt: in.CreatedAt, updatedAt: in.CreatedAt,
		},
		coolingOff: in.CoolingOff, opsSLA: in.OpsSLA, recheckEvery: in.RecheckEvery,
	}
	if e.coolingOff <= 0 {
		e.coolingOff = DefaultExitCoolingOff
	}
	if e.opsSLA == "" {
		e.opsSLA = DefaultExitOpsSLA
	}
	if e.recheckEvery <= 0 {
		e.recheckEvery = DefaultExitRecheck
	}
	e.details = resume(&e.caseState, in.Resume, in.Details(), in.StepsPerRun)
	signals := workflow.GetSignalChannel(ctx, SignalObligationsChanged)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			signals.Receive(ctx, nil)
			e.recheckAsked = true
		}
	})

	return e.live(ctx, life{
		actions: partnerExitActions.bind(e), details: func() any { return e.details },
		first: firstRun(in.Resume, func(ctx workflow.Context) error {
			if err := e.record(ctx, e.details, step{
				event: "requested", actor: in.RequestedBy, detail: map[string]any{"reason": in.Reason},
				notifications: []cases.Notification{{
					Audience: cases.AudienceOps, Kind: "exit_requested",
					Message: fmt.Sprintf("Partner %s asks to exit the partner program (case %s): %s", e.partnerID, e.id, in.Reason),
				}},
			}); err != nil {
				return err
			}
			return e.check(ctx, "requested", ExitChecking)
		}),
		wait: e.wait,
		next: func() any {
			next := in
			next.Resume = carry(&e.caseState, e.details)
			return next
		},
	})
}

// wait waits for the case to move: a blocked case checks again when told
// an obligation may have cleared, or when its daily check is due; the
// cooling-off and the ops deadline end by themselves; any action moves it.
func (e *partnerExit) wait(ctx workflow.Context) error {
	changed := e.moved()
	switch {
	case e.status == ExitBlocked:
		woke := false
		next := e.details.CheckedAt.Add(e.recheckEvery)
		if left := next.Sub(workflow.Now(ctx)); left > 0 {
			var err error
			if woke, err = workflow.AwaitWithTimeout(ctx, left, func() bool { return changed() || e.recheckAsked }); err != nil {
				return err
			}
		}
		if e.status != ExitBlocked || (woke && !e.recheckAsked) {
			return nil // an action moved it
		}
		trigger := "daily"
		if e.recheckAsked {
			trigger = "obligation_changed"
		}
		e.status = ExitChecking
		return e.check(ctx, trigger, ExitBlocked)
	case e.status == ExitCoolingOff:
		return awaitDeadline(ctx, *e.details.CoolingOffEndsAt, changed, e.coolingOffEnded)
	case e.status == ExitAwaitingOps && e.sla != nil && !e.sla.Breached:
		return awaitDeadline(ctx, e.sla.DueAt, changed, e.breach)
	default:
		return workflow.Await(ctx, changed)
	}
}

// obligations runs the check; the caller has claimed an in-between status.
func (e *partnerExit) obligations(ctx workflow.Context) ([]rules.ExitObligation, error) {
	e.recheckAsked = false
	open, err := checkExitObligations.run(ctx, activities.ObligationsRequest{PartnerID: e.partnerID, CaseID: e.id})
	if err != nil {
		return nil, err
	}
	at := now(ctx)
	e.details.CheckedAt = &at
	return open, nil
}

// complete is the last check and the partner's exit in one activity: it
// returns what is open, and with nothing open the partner has exited.
func (e *partnerExit) complete(ctx workflow.Context) ([]rules.ExitObligation, error) {
	e.recheckAsked = false
	at := now(ctx)
	open, err := completePartnerExit.run(ctx, activities.ExitOutcome{PartnerID: e.partnerID, CaseID: e.id, Outcome: activities.ExitCompleted, At: at})
	if err != nil {
		return nil, err
	}
	e.details.CheckedAt = &at
	return open, nil
}

// check checks the obligations (the case is checking, coming from status
// from) and blocks the case on what is open, or starts the cooling-off
// when nothing is.
func (e *partnerExit) check(ctx workflow.Context, trigger, from string) error {
	was := e.details.Obligations
	open, err := e.obligations(ctx)
	if err != nil {
		return err
	}
	if len(open) > 0 {
		return e.block(ctx, trigger, from, was, open)
	}
	ends := now(ctx).Add(e.coolingOff)
	e.status = ExitCoolingOff
	e.details.Obligations = []rules.ExitObligation{}
	e.details.CoolingOffEndsAt = &ends
	return e.record(ctx, e.details, step{
		event: "cooling_off_started", actor: cases.System,
		detail: map[string]any{exitObligationsTrigger: trigger, "cooling_off_ends_at": ends},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "exit_cooling_off",
			Message: fmt.Sprintf("Nothing holds your exit %s any more. You may withdraw it until %s; then ops complete it.",
				e.id, ends.Format(time.RFC3339)),
		}},
	})
}

// block shows what is open. A check of a blocked case (from) that finds
// the same list as before (was) records nothing.
func (e *partnerExit) block(ctx workflow.Context, trigger, from string, was, open []rules.ExitObligation) error {
	e.status = ExitBlocked
	e.details.Obligations = open
	if from == ExitBlocked && slices.Equal(was, open) {
		return nil
	}
	e.details.CoolingOffEndsAt = nil
	what := make([]string, len(open))
	for i, o := range open {
		what[i] = o.Description
	}
	return e.record(ctx, e.details, step{
		event: "blocked", actor: cases.System,
		detail: map[string]any{exitObligationsTrigger: trigger, "open": len(open)},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "exit_blocked",
			Message: fmt.Sprintf("Your exit %s waits until these are cleared: %s.", e.id, strings.Join(what, "; ")),
		}},
	})
}

func (e *partnerExit) recheck(ctx workflow.Context, _ cases.Actor, _ noInput) error {
	return e.check(ctx, "asked", ExitBlocked)
}

// coolingOffEnded: the partner can no longer withdraw. The last check runs
// (the case is checking meanwhile); with nothing open the exit waits for
// ops under the SLA.
func (e *partnerExit) coolingOffEnded(ctx workflow.Context) error {
	e.status = ExitChecking
	was := e.details.Obligations
	open, err := e.obligations(ctx)
	if err != nil {
		return err
	}
	if len(open) > 0 {
		return e.block(ctx, "cooling_off_ended", ExitCoolingOff, was, open)
	}
	due, err := dueAt.run(ctx, activities.DueAtRequest{From: now(ctx), Policy: e.opsSLA})
	if err != nil {
		return err
	}
	e.status = ExitAwaitingOps
	e.sla = &cases.SLA{DueAt: due}
	return e.record(ctx, e.details, step{
		event: "cooling_off_ended", actor: cases.System, detail: map[string]any{"due_at": due},
		notifications: []cases.Notification{
			{Audience: cases.AudienceOps, Kind: "exit_to_confirm",
				Message: fmt.Sprintf("The exit %s of partner %s cooled off with nothing open: confirm or refuse it by %s.",
					e.id, e.partnerID, due.Format(time.RFC3339))},
			{Audience: cases.AudiencePartner, Kind: "exit_cooled_off",
				Message: fmt.Sprintf("The cooling-off of your exit %s is over; it can no longer be withdrawn, and ops complete it by %s.",
					e.id, due.Format(time.RFC3339))},
		},
	})
}

// confirm lets the partner go: the last check and the partner's exit run
// as one store transaction under the partner's lock (the case is exiting
// meanwhile), so nothing binds the partner in between; something open
// sends the case back to blocked instead.
func (e *partnerExit) confirm(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	was := e.details.Obligations
	early := e.sla == nil // confirmed during the cooling-off
	atomic := patched(ctx, patchExitAtomic)
	check := e.obligations
	if atomic {
		check = e.complete
	}
	open, err := check(ctx)
	if err != nil {
		return err
	}
	if len(open) > 0 {
		return e.block(ctx, "confirm", ExitExiting, was, open)
	}
	at := *e.details.CheckedAt
	if !atomic {
		at = now(ctx)
		if err := e.end(ctx, activities.ExitCompleted, at); err != nil {
			return err
		}
	}
	e.status = ExitExited
	e.details.ExitedAt = &at
	return e.record(ctx, e.details, step{
		event: "exited", actor: actor, detail: map[string]any{"early": early},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "partner_exited",
			Message: fmt.Sprintf("You have left the partner program (exit %s): your level and program rights have ended and "+
				"only your admin account's token still works, to deregister the account.", e.id),
		}},
	})
}

func (e *partnerExit) withdraw(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	if err := e.end(ctx, activities.ExitWithdrawn, now(ctx)); err != nil {
		return err
	}
	return e.record(ctx, e.details, step{
		event: "withdrawn", actor: actor,
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "exit_withdrawn",
			Message: fmt.Sprintf("Partner %s withdrew its exit %s; it stays in the program.", e.partnerID, e.id),
		}},
	})
}

func (e *partnerExit) refuse(ctx workflow.Context, actor cases.Actor, in RejectInput) error {
	if err := e.end(ctx, activities.ExitRefused, now(ctx)); err != nil {
		return err
	}
	e.details.RefusalReason = strings.TrimSpace(in.Reason)
	return e.record(ctx, e.details, step{
		event: "refused", actor: actor, detail: map[string]any{"reason": e.details.RefusalReason},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "exit_refused",
			Message: fmt.Sprintf("Ops refused your exit %s: %s. You stay in the program.", e.id, e.details.RefusalReason),
		}},
	})
}

// end applies the exit's outcome to the partner.
func (e *partnerExit) end(ctx workflow.Context, outcome string, at time.Time) error {
	_, err := endPartnerExit.run(ctx, activities.ExitOutcome{PartnerID: e.partnerID, CaseID: e.id, Outcome: outcome, At: at})
	return err
}

// breach flags an exit ops did not handle by its deadline and notifies a
// supervisor; the case keeps waiting for ops.
func (e *partnerExit) breach(ctx workflow.Context) error {
	e.sla.Breached = true
	return e.record(ctx, e.details, step{
		event: "sla_breached", actor: cases.System, detail: map[string]any{"due_at": e.sla.DueAt},
		notifications: []cases.Notification{{
			Audience: cases.AudienceSupervisor, Kind: "sla_breached",
			Message: fmt.Sprintf("The exit %s of partner %s missed its deadline %s and still waits for ops.",
				e.id, e.partnerID, e.sla.DueAt.Format(time.RFC3339)),
		}},
	})
}
