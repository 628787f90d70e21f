// Package workflows holds one Temporal workflow per process. Workflow code
// only orchestrates: it is deterministic, keeps the case's state, and leaves
// every side effect (the database, notifications) to activities.
package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// QueryCase is the query every case workflow answers with its live state,
// as seen by the role given as its argument (which decides its actions).
const QueryCase = "case"

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
}

// view is the case as the query and the read model show it.
func (s *caseState) view(details any, actions []string) cases.Case {
	raw, _ := json.Marshal(details) // details are plain structs: marshalling cannot fail
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
	if closes(s.kind, s.status) {
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
	if err := workflow.UpsertTypedSearchAttributes(ctx, s.searchAttributes()...); err != nil {
		return err
	}
	var cs *activities.Cases
	return workflow.ExecuteActivity(activityContext(ctx), cs.RecordTransition, t).Get(ctx, nil)
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

// activityContext gives activities a bounded attempt and unlimited retries:
// every activity is idempotent, and a case must not stop because the
// database was briefly away.
func activityContext(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// action is one human step a kind of case offers.
type action struct {
	name  string
	roles []string // who may ever take it
	from  []string // the statuses it may be taken in
	// check decodes and checks the action's input; nil accepts any input.
	check func(input json.RawMessage) error
}

func (a action) allows(role, status string) bool {
	return slices.Contains(a.roles, role) && slices.Contains(a.from, status)
}

// allowedActions are the names of the actions role may take in status.
func allowedActions(table []action, role, status string) []string {
	names := []string{}
	for _, a := range table {
		if a.allows(role, status) {
			names = append(names, a.name)
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

// checkAction is the shared part of every action validator: the role may
// take the action at all, the case's status allows it now, its input is good.
func checkAction(a action, status string, req cases.ActionRequest) error {
	if !slices.Contains(a.roles, req.Actor.Role) {
		return refuse(cases.RefusalForbidden, "a %s may not %s", req.Actor.Role, a.name)
	}
	if !slices.Contains(a.from, status) {
		return refuse(cases.RefusalConflict, "cannot %s a case that is %s", a.name, status)
	}
	if a.check != nil {
		return a.check(req.Input)
	}
	return nil
}

// registerActions makes each action of table a Temporal Update of the same
// name: validated synchronously (a refused action leaves no trace in the
// history) and answered with the case's state once the step is taken.
func registerActions(ctx workflow.Context, table []action, status func() string,
	handle func(ctx workflow.Context, name string, req cases.ActionRequest) (cases.Case, error)) error {
	for _, a := range table {
		err := workflow.SetUpdateHandlerWithOptions(ctx, a.name,
			func(ctx workflow.Context, req cases.ActionRequest) (cases.Case, error) {
				return handle(ctx, a.name, req)
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req cases.ActionRequest) error {
				return checkAction(a, status(), req)
			}})
		if err != nil {
			return err
		}
	}
	return nil
}

// decodeInput decodes an action's JSON input strictly: unknown fields and
// malformed JSON are refused as invalid input.
func decodeInput(input json.RawMessage, into any) error {
	if len(input) == 0 {
		input = json.RawMessage(`{}`)
	}
	if err := strictUnmarshal(input, into); err != nil {
		return invalidInput(rules.FieldErrors{{Field: "body", Message: err.Error()}})
	}
	return nil
}
