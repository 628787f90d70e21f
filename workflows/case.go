// Package workflows holds one Temporal workflow per process. Workflow code
// only orchestrates: it is deterministic, keeps the case's state, and leaves
// every side effect (the database, notifications) to activities.
//
// This file is the skeleton every process shares. A process declares its
// statuses, its action table (act values) and its steps; serve registers the
// query and the actions, record writes each transition, and the helpers
// below give deadlines, shared limits and continue-as-new.
package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"partnerops/cases"
	"partnerops/rules"
)

// QueryCase is the query every case workflow answers with its live state,
// as seen by the role given as its argument (which decides its actions).
const QueryCase = "case"

// Limits of free text in actions.
const (
	MaxReasonLength        = 1000
	MaxTicketMessageLength = 2000
)

// defaultStepsPerRun is how many transitions a run records before it
// continues as new, unless the server suggests it earlier.
const defaultStepsPerRun = 100

// Patches: each names one change to running workflows (see docs/versioning.md,
// "Changing a workflow"). workflow.GetVersion records which side of it a
// run took, so histories recorded before the change replay on the old side.
const (
	// patchLocalActivities: transitions are recorded, and the automatic
	// checks run, as local activities (one marker event instead of an
	// activity's three and a second workflow task).
	patchLocalActivities = "local-activities"
	// patchRejectedExpiry: a rejected certification nobody touches for the
	// configured period closes as expired.
	patchRejectedExpiry = "rejected-expiry"
	// patchPauseWorkingDays: a ticket's reply moves its deadline by the
	// working days the pause reached into (on the business calendar), not by
	// the wall-clock time paused, so it stays at the end of a working day.
	patchPauseWorkingDays = "pause-working-days"
	// patchOpportunityFixWindow: an action_required opportunity has a fix
	// window (reminded before its end), then closes invalid.
	patchOpportunityFixWindow = "opportunity-fix-window"
	// patchOutlastOutage: a local activity that fails with an error a retry
	// can heal (PostgreSQL away longer than its schedule-to-close) runs again
	// as a normal activity with unlimited retries instead of failing the
	// step, so a transient outage never takes a case to needs_attention.
	patchOutlastOutage = "outlast-outage"
	// patchSettlementOverdue: an incentive settlement whose partner misses
	// its deadline is overdue (reminded, decided by ops: extend or close),
	// never lapsed and forfeited by a timer.
	patchSettlementOverdue = "settlement-overdue"
	// patchExitAtomic: a confirmed exit's last check and its end are one
	// activity (one store transaction under the partner's lock), not a
	// check and then the end.
	patchExitAtomic = "exit-atomic"
	// patchOpeningFirst: an action that arrives before the case's opening
	// transition is recorded waits for it (then is judged again on the
	// case as the opening left it), so its transition never comes first.
	patchOpeningFirst = "opening-first"
	// patchClaimNumber: a failed action's step is the case's failure only
	// if no other action claimed since its own claim (by claim number, not
	// by status: one that claimed the same resting status overtook it).
	patchClaimNumber = "claim-number"
	// patchInvitationReminder: a vendor opportunity's invitation reminds
	// the partner before it expires (rules.InvitationReminderAt).
	patchInvitationReminder = "invitation-reminder"
)

// patched says whether this run takes the new side of a patch.
func patched(ctx workflow.Context, change string) bool {
	return workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) == 1
}

// caseState is what every case workflow keeps about itself: identity,
// status, deadline, and the sequence number of its last transition.
type caseState struct {
	id         string
	kind       cases.Kind
	partnerID  string
	customerID string
	status     string
	sla        *cases.SLA
	createdAt  time.Time
	updatedAt  time.Time
	seq        int
	// runSeq is seq when this run began; stepsPerRun bounds seq - runSeq.
	runSeq, stepsPerRun int
	// recorded is the details of the last transition the read model took:
	// what a case that needs attention shows, live and in the read model.
	recorded json.RawMessage
	// details are the process's details as they are now (serve sets it).
	details func() any
	// opened says the case's opening transition is recorded (or this run
	// continues a case whose opening was); openingFirst says actions wait
	// for it (patchOpeningFirst).
	opened, openingFirst bool
	// claims counts the actions that claimed a status in this run: an
	// action's failure is the case's only while it is the last claim.
	claims int
}

// StatusNeedsAttention is the final status of a case whose step failed for
// good (an error no retry can heal: data the database refuses, a rule an
// activity's input breaks): the case stops where the read model last saw
// it, with the reason, and the supervisors are told. Every kind has it.
const StatusNeedsAttention = "needs_attention"

// Resumed is a case's state carried into a new run by continue-as-new.
type Resumed[D any] struct {
	Status    string     `json:"status"`
	SLA       *cases.SLA `json:"sla,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
	Seq       int        `json:"seq"`
	Details   D          `json:"details"`
}

// resume takes over the state a previous run carried, if any, and returns
// its details.
func resume[D any](s *caseState, r *Resumed[D], fresh D, stepsPerRun int) D {
	s.stepsPerRun = stepsPerRun
	if s.stepsPerRun <= 0 {
		s.stepsPerRun = defaultStepsPerRun
	}
	if r == nil {
		return fresh
	}
	s.status, s.sla, s.updatedAt, s.seq, s.runSeq = r.Status, r.SLA, r.UpdatedAt, r.Seq, r.Seq
	return r.Details
}

// carry is the state continue-as-new hands to the next run.
func carry[D any](s *caseState, details D) *Resumed[D] {
	return &Resumed[D]{Status: s.status, SLA: s.sla, UpdatedAt: s.updatedAt, Seq: s.seq, Details: details}
}

// historyFull says the run should continue as new before it waits again:
// the server suggests it, or the run recorded its share of transitions.
func (s *caseState) historyFull(ctx workflow.Context) bool {
	return workflow.GetInfo(ctx).GetContinueAsNewSuggested() || s.seq-s.runSeq >= s.stepsPerRun
}

// moved is a condition for a wait: it holds once the case has taken a
// step, or changed its status, since moved was called.
func (s *caseState) moved() func() bool {
	seen, status := s.seq, s.status
	return func() bool { return s.seq != seen || s.status != status }
}

// life is what a process gives the engine to live a case: its action
// table and details (served), its first step (taken in the case's first
// run only), its wait and the input of its next run.
type life struct {
	actions []servedAction
	details func() any
	first   func(workflow.Context) error // nil: none, or a later run of the case
	wait    func(workflow.Context) error
	next    func() any
}

// live serves the case's query and actions, takes its first step (one that
// fails for good takes the case to needs_attention, as any step does) and
// runs the main loop to the case's final status.
func (s *caseState) live(ctx workflow.Context, l life) (string, error) {
	s.opened = l.first == nil
	s.openingFirst = !s.opened && patched(ctx, patchOpeningFirst)
	if err := serve(ctx, s, l.actions, l.details); err != nil {
		return "", err
	}
	if l.first != nil {
		if err := l.first(ctx); err != nil {
			if err := s.attended(ctx, err); err != nil {
				return "", err
			}
		}
	}
	return s.run(ctx, l.wait, l.next)
}

// firstRun is a process's first step when this run is the case's first
// (not one continued as new), else nil.
func firstRun[D any](resumed *Resumed[D], step func(workflow.Context) error) func(workflow.Context) error {
	if resumed != nil {
		return nil
	}
	return step
}

// run is every process's main loop. Until the case is finished it takes
// the process's next wait (for a deadline, or for an action to move the
// case), and continues as new when this run's history is full: once every
// handler answered its caller, unless the case finished meanwhile, it
// starts the next run of the same workflow with the input next builds then
// (so it carries what those handlers did). It ends with the final status.
func (s *caseState) run(ctx workflow.Context, wait func(workflow.Context) error, next func() any) (string, error) {
	for !s.closed() {
		if err := wait(ctx); err != nil {
			if err := s.attended(ctx, err); err != nil {
				return "", err
			}
			continue
		}
		if !s.historyFull(ctx) {
			continue
		}
		if err := finish(ctx); err != nil {
			return "", err
		}
		if !s.closed() {
			return "", workflow.NewContinueAsNewError(ctx, workflow.GetInfo(ctx).WorkflowType.Name, next())
		}
	}
	if err := finish(ctx); err != nil {
		return "", err
	}
	return s.status, nil
}

// attended is attend for a step the workflow itself took (not an
// action's): nil once the case took needs_attention, so the run ends as a
// closed case.
func (s *caseState) attended(ctx workflow.Context, failed error) error {
	if err := s.attend(ctx, failed); !isAttended(err) {
		return err
	}
	return nil
}

// isAttended says whether err is attend's answer to a failed step (the
// case took needs_attention), not a failure of its own.
func isAttended(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == StatusNeedsAttention
}

// finish lets a handler still answering its caller finish before the run ends.
func finish(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// view is the case as the query and the read model show it.
func (s *caseState) view(details any, actions []string) cases.Case {
	raw, _ := json.Marshal(details) // details are plain structs: marshalling cannot fail
	if s.status == StatusNeedsAttention && s.recorded != nil {
		raw = s.recorded
	}
	var sla *cases.SLA
	if s.sla != nil {
		copied := *s.sla
		sla = &copied
	}
	if actions == nil {
		actions = []string{}
	}
	c := cases.Case{
		ID: s.id, Kind: s.kind, PartnerID: s.partnerID, CustomerID: s.customerID, Status: s.status,
		SLA: sla, CreatedAt: s.createdAt, UpdatedAt: s.updatedAt, Details: raw, Actions: actions,
	}
	if s.closed() {
		closedAt := s.updatedAt
		c.ClosedAt = &closedAt
	}
	return c
}

// step is one transition of a case, before it is recorded.
type step struct {
	event         string
	actor         cases.Actor
	detail        map[string]any
	notifications []cases.Notification
}

// record writes a transition to the read model (case, event, notifications)
// and to the workflow's search attributes. The workflow has already changed
// its state; record makes that visible.
func (s *caseState) record(ctx workflow.Context, details any, st step) error {
	s.seq++
	s.updatedAt = now(ctx)
	info := workflow.GetInfo(ctx)
	t := cases.Transition{
		Case:       s.view(details, nil),
		WorkflowID: info.WorkflowExecution.ID,
		RunID:      info.WorkflowExecution.RunID,
		Event: cases.Event{
			Seq: s.seq, Type: st.event, Status: s.status, Actor: st.actor, Detail: st.detail, At: s.updatedAt,
		},
		Notifications: st.notifications,
	}
	local := patched(ctx, patchLocalActivities)
	if err := workflow.UpsertTypedSearchAttributes(ctx, s.searchAttributes()...); err != nil {
		return err
	}
	_, err := recordTransition.runAs(ctx, t, local)
	if err == nil {
		s.recorded, s.opened = t.Case.Details, true
	}
	return err
}

// attend takes a case whose step failed to needs_attention: a final status
// recorded with the details the read model last took (the failed step's
// may be what the database refused), the reason in its event, and a
// notification to the supervisors, so that the workflow and the read model
// agree and someone looks into it. Transient errors never get here (an
// activity retries them); only the error no retry heals does. It answers
// the failure as the step's error, or the recording's if that fails too.
func (s *caseState) attend(ctx workflow.Context, failed error) error {
	reason := rules.PrintableText(failureReason(failed))
	from := s.status
	s.status = StatusNeedsAttention
	st := step{
		event: StatusNeedsAttention, actor: cases.System,
		detail: map[string]any{"reason": reason, "status_before": from},
		notifications: []cases.Notification{{
			Audience: cases.AudienceSupervisor, Kind: "case_needs_attention",
			Message: fmt.Sprintf("Case %s (%s) stopped in %s and needs attention: %s", s.id, s.kind, from, reason),
		}},
	}
	var details any = s.recorded
	if s.recorded == nil { // nothing recorded yet: the details the case started with
		details = s.details()
	}
	if err := s.record(ctx, details, st); err != nil {
		return err
	}
	return temporal.NewNonRetryableApplicationError("the step failed and the case needs attention: "+reason, StatusNeedsAttention, nil)
}

// failureReason is what went wrong, without the SDK's wrapping.
func failureReason(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}

func (s *caseState) searchAttributes() []temporal.SearchAttributeUpdate {
	updates := []temporal.SearchAttributeUpdate{
		SearchAttributeKind.ValueSet(string(s.kind)),
		SearchAttributePartner.ValueSet(s.partnerID),
		SearchAttributeStatus.ValueSet(s.status),
	}
	if s.sla != nil {
		updates = append(updates,
			SearchAttributeSLADueAt.ValueSet(s.sla.DueAt),
			SearchAttributeSLABreached.ValueSet(s.sla.Breached))
	}
	return updates
}

// now is workflow time at the precision PostgreSQL keeps, so the live case
// and the read model show the same instants.
func now(ctx workflow.Context) time.Time {
	return workflow.Now(ctx).UTC().Truncate(time.Microsecond)
}

// retries are unlimited with a backoff: every activity is idempotent, and a
// case must not stop because the database was briefly away. An input the
// database refuses fails at once (a non-retryable error from the activity).
// Attempts are at most 5 s apart, so a case takes its step within seconds
// of the database's return (TestOutageAtEachStepEndsNoCase).
var retries = &temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumInterval:    5 * time.Second,
}

// activityContext gives activities a bounded attempt and unlimited retries.
// The worker heartbeats an attempt while it runs (activities.Heartbeats):
// an attempt whose worker died is retried elsewhere after
// activityHeartbeatTimeout, not after its whole 30 s.
func activityContext(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		HeartbeatTimeout:    activityHeartbeatTimeout,
		RetryPolicy:         retries,
	})
}

// activityHeartbeatTimeout is how soon Temporal notices that the worker
// running a step is gone.
const activityHeartbeatTimeout = 3 * time.Second

// localActivityContext runs short database writes in the workflow task
// itself: one marker event, no extra round trip. An attempt is bounded well
// inside the workflow task's timeout, and so are its retries (the SDK
// makes an unset schedule-to-close the start-to-close): what still fails
// then is retried as a normal activity (activityStub.runAs).
func localActivityContext(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 5 * time.Second,
		StartToCloseTimeout:    5 * time.Second,
		RetryPolicy:            retries,
	})
}

// transient says whether a failed activity may succeed if run again: it
// was not canceled and its error is not a non-retryable one.
func transient(err error) bool {
	var appErr *temporal.ApplicationError
	if isCanceled(err) || errors.As(err, &appErr) && appErr.NonRetryable() {
		return false
	}
	return true
}

// awaitDeadline waits until cond holds or the deadline passes; at the
// deadline it takes the step missed. Temporal has no absolute timer: the
// wait is the time left, measured on workflow time.
func awaitDeadline(ctx workflow.Context, deadline time.Time, cond func() bool, missed func(workflow.Context) error) error {
	if left := deadline.Sub(workflow.Now(ctx)); left > 0 {
		if ok, err := workflow.AwaitWithTimeout(ctx, left, cond); ok || err != nil {
			return err
		}
	}
	return missed(ctx)
}

// action is one human step a kind of case offers, as the static table
// knows it (without a case): who may take it when, its input, the rules
// of its input alone, and the statuses it may claim.
type action interface {
	spec() actionSpec
	// inputType is the type of the action's input, which forms are built from.
	inputType() reflect.Type
	// claims are the statuses the action may claim for an input given as
	// JSON: the one its input decides, or every one it may claim.
	claims(input []byte) ([]string, error)
	// inputProblems are the fields the action's input rules refuse in input.
	inputProblems(input []byte) rules.FieldErrors
}

// caseAction is an action of a kind whose workflow keeps its state in a P.
type caseAction[P any] interface {
	action
	register(ctx workflow.Context, p P, s *caseState, view func(role string) cases.Case) error
}

// actionSpec is who may take an action, when, and what it may claim.
type actionSpec struct {
	name  string
	roles []string // who may ever take it
	from  []string // the statuses it may be taken in
	to    []string // the statuses it may claim (the diagrams' arrows)
}

// act is an action of a kind whose workflow keeps its state in a P, with
// an input that is a T. Its step runs only after the validator accepted
// the action, and only after the case took the status it claims: the
// engine sets it before the step's first blocking call, so no validator
// can accept an action the step is about to make stale.
//
// Its rules come in two: check judges the input alone (the API's early
// check and the console's forms run it too), checkCase what depends on the
// case (only the workflow's validator runs it). Its claim is to's only
// status, or claim's answer from the input alone, or claimCase's from the
// case (one of to).
type act[P, T any] struct {
	actionSpec
	check     func(T) error                                                  // the input's rules; nil when decoding is enough
	checkCase func(P, T) error                                               // the rules that need the case; nil when none do
	claim     func(T) string                                                 // the claimed status, by the input
	claimCase func(P, T) string                                              // the claimed status, by the case
	step      func(p P, ctx workflow.Context, actor cases.Actor, in T) error // the transition
}

// table is a kind's action table, for its workflow's state P.
type table[P any] []caseAction[P]

// static is the table as the declaration holds it.
func (t table[P]) static() []action {
	out := make([]action, len(t))
	for i, a := range t {
		out[i] = a
	}
	return out
}

// bind is the table served on one case, whose state is p.
func (t table[P]) bind(p P) []servedAction {
	out := make([]servedAction, len(t))
	for i, a := range t {
		out[i] = bound[P]{a, p}
	}
	return out
}

// servedAction is an action bound to the case it is served on.
type servedAction interface {
	action
	serve(ctx workflow.Context, s *caseState, view func(role string) cases.Case) error
}

type bound[P any] struct {
	caseAction[P]
	p P
}

func (b bound[P]) serve(ctx workflow.Context, s *caseState, view func(role string) cases.Case) error {
	return b.register(ctx, b.p, s, view)
}

func (a act[P, T]) spec() actionSpec { return a.actionSpec }

func (a act[P, T]) inputType() reflect.Type { return reflect.TypeFor[T]() }

func (a act[P, T]) claims(input []byte) ([]string, error) {
	var in T
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	if a.claim != nil {
		return []string{a.claim(in)}, nil
	}
	return a.to, nil
}

// claimed is the status the action claims on the case p, for input in.
func (a act[P, T]) claimed(p P, in T) string {
	switch {
	case a.claimCase != nil:
		return a.claimCase(p, in)
	case a.claim != nil:
		return a.claim(in)
	}
	return a.to[0]
}

// inputProblems runs the action's input rules on input as the validator
// would. The input is decoded leniently: a field of the wrong type or one
// the action does not take is the schema's to name (the API checks both),
// and an input that does not decode at all has no rules run on it.
func (a act[P, T]) inputProblems(input []byte) rules.FieldErrors {
	var in T
	if a.check == nil || json.Unmarshal(input, &in) != nil {
		return nil
	}
	fields, _ := fieldsOf(a.check(in))
	return fields
}

// fieldsOf are the fields an invalid-input refusal names; false for any
// other error.
func fieldsOf(err error) (rules.FieldErrors, bool) {
	var appErr *temporal.ApplicationError
	var fields rules.FieldErrors
	if errors.As(err, &appErr) && appErr.Type() == cases.RefusalInvalid && appErr.HasDetails() && appErr.Details(&fields) == nil {
		return fields, true
	}
	return nil, false
}

// actionRequest is cases.ActionRequest as a process receives it: the SDK
// decodes the update's argument once into it, and validator and handler
// both get that value.
type actionRequest[T any] struct {
	Actor cases.Actor `json:"actor"`
	Input input[T]    `json:"input"`
}

// input is an action's input, decoded strictly (unknown fields and
// malformed JSON are kept as err, which the validator refuses as invalid
// input, rather than failing the update's decoding).
type input[T any] struct {
	value T
	err   error
}

func (i *input[T]) UnmarshalJSON(data []byte) error {
	i.err = strictUnmarshal(data, &i.value)
	return nil
}

// register makes the action a Temporal Update of the same name: validated
// synchronously (a refused action leaves no trace in the history) and
// answered with the case's state once the step is taken.
func (a act[P, T]) register(ctx workflow.Context, p P, s *caseState, view func(role string) cases.Case) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, a.name,
		func(ctx workflow.Context, req actionRequest[T]) (cases.Case, error) {
			if err := s.awaitOpening(ctx, func() error { return a.validate(p, s.status, req) }); err != nil {
				return cases.Case{}, err
			}
			claimed := a.claimed(p, req.Input.value)
			s.status = claimed
			s.claims++
			claim := s.claims
			if err := a.step(p, ctx, req.Actor, req.Input.value); err != nil {
				if s.status != claimed || isCanceled(err) || s.overtaken(ctx, claim) {
					return cases.Case{}, err // the step put the case back where it can go on, or another action moved it on
				}
				return cases.Case{}, s.attend(ctx, err)
			}
			return view(req.Actor.Role), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req actionRequest[T]) error {
			return a.validate(p, s.status, req)
		}})
}

// awaitOpening holds an action that arrived before the case's opening
// transition was recorded until it is, and judges it again then (the
// opening may have moved the case on): an action's transition never
// precedes the case's first.
func (s *caseState) awaitOpening(ctx workflow.Context, validate func() error) error {
	if s.opened || !s.openingFirst {
		return nil
	}
	if err := workflow.Await(ctx, func() bool { return s.opened || s.closed() }); err != nil {
		return err
	}
	return validate()
}

// overtaken says whether another action claimed a status after the claim
// numbered claim: a failure of its step is then not the case's (the other
// action's step moves it on), even when both claimed the same status.
func (s *caseState) overtaken(ctx workflow.Context, claim int) bool {
	return s.claims != claim && patched(ctx, patchClaimNumber)
}

// validate is the whole of an action's validator: the role may take the
// action at all, the case's status allows it now, its input is good by
// its own rules and by the case's (every bad field named at once; a
// refusal of the case's other than a bad field comes first).
func (a act[P, T]) validate(p P, status string, req actionRequest[T]) error {
	if !slices.Contains(a.roles, req.Actor.Role) {
		return refuse(cases.RefusalForbidden, "%s may not %s", rules.WithArticle(req.Actor.Role), a.name)
	}
	if !slices.Contains(a.from, status) {
		return refuse(cases.RefusalConflict, "cannot %s a case that is %s", a.name, status)
	}
	if req.Input.err != nil {
		return invalidInput(decodeProblems(req.Input.err))
	}
	var inputErr, caseErr error
	if a.check != nil {
		inputErr = a.check(req.Input.value)
	}
	if a.checkCase != nil {
		caseErr = a.checkCase(p, req.Input.value)
	}
	inputFields, inputBad := fieldsOf(inputErr)
	caseFields, caseBad := fieldsOf(caseErr)
	switch {
	case caseErr != nil && !caseBad:
		return caseErr
	case inputErr != nil && !inputBad:
		return inputErr
	case inputBad || caseBad:
		for _, f := range caseFields {
			if !slices.ContainsFunc(inputFields, func(seen rules.FieldError) bool { return seen.Field == f.Field }) {
				inputFields = append(inputFields, f)
			}
		}
		return invalidInput(inputFields)
	}
	return nil
}

// isCanceled says whether the step stopped because the workflow is
// stopping, which is no failure of the step.
func isCanceled(err error) bool {
	var canceled *temporal.CanceledError
	return errors.As(err, &canceled)
}

// serve registers a case's query and actions. view answers both: the
// case's state as role sees it, with the actions role may take now.
func serve(ctx workflow.Context, s *caseState, served []servedAction, details func() any) error {
	s.details = details
	view := func(role string) cases.Case {
		return s.view(details(), allowedActions(served, role, s.status))
	}
	if err := workflow.SetQueryHandler(ctx, QueryCase, func(role string) (cases.Case, error) {
		return view(role), nil
	}); err != nil {
		return err
	}
	for _, a := range served {
		if err := a.serve(ctx, s, view); err != nil {
			return err
		}
	}
	return nil
}

// allowedActions are the names of the actions role may take in status.
func allowedActions[A action](table []A, role, status string) []string {
	names := []string{}
	for _, a := range table {
		if spec := a.spec(); slices.Contains(spec.roles, role) && slices.Contains(spec.from, status) {
			names = append(names, spec.name)
		}
	}
	return names
}

// refuse builds the error an update validator returns; its type tells the
// API which HTTP status to answer.
func refuse(kind, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), kind, nil)
}

// invalidInput refuses an action whose input is wrong, naming the fields.
func invalidInput(fields any) error {
	return temporal.NewNonRetryableApplicationError("the action's input is invalid", cases.RefusalInvalid, nil, fields)
}

// validInput is the check of an input whose type has its own rules.
func validInput[T interface{ Validate() rules.FieldErrors }](in T) error {
	if problems := in.Validate(); len(problems) > 0 {
		return invalidInput(problems)
	}
	return nil
}

// requireText checks a required free-text field: present, at most max
// runes, and free of control characters other than line breaks and tabs
// (PostgreSQL refuses a NUL byte, which would stall the case's recording).
func requireText(field, value string, max int) error {
	value = strings.TrimSpace(value)
	switch {
	case value == "":
		return invalidInput(rules.FieldErrors{{Field: field, Message: "is required"}})
	case utf8.RuneCountInString(value) > max:
		return invalidInput(rules.FieldErrors{{Field: field, Message: fmt.Sprintf("must be at most %d characters", max)}})
	case rules.TextProblem(value, true) != "":
		return invalidInput(rules.FieldErrors{{Field: field, Message: rules.TextProblem(value, true)}})
	}
	return nil
}
