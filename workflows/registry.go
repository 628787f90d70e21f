package workflows

import (
	"reflect"

	"go.temporal.io/sdk/workflow"

	"partnerops/cases"
)

// process is one kind of case as the engine knows it: its workflow under
// its registered name, and its action table.
type process struct {
	kind    cases.Kind
	name    string
	run     any
	actions []action
}

// processes is the one list of every process: the worker, the replay test
// and the API's action lookups all read it. The tables are built without an
// instance (their steps are never called from here).
var processes = []process{
	{kind: cases.KindCertification, name: CertificationWorkflow, run: Certification, actions: certificationActions(nil)},
	{kind: cases.KindPartnerPayment, name: PartnerPaymentWorkflow, run: PartnerPayment, actions: partnerPaymentActions(nil)},
}

// sweeps are the workflows that Temporal Schedules run (worker/schedules.go),
// by their registered names.
var sweeps = map[string]any{
	StartPendingCasesWorkflow:   StartPendingCases,
	CancelOverdueOrdersWorkflow: CancelOverdueOrders,
}

// Registry is what workflows can be registered on: a worker, a replayer,
// a test environment.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Register puts every process's workflow, and every sweep, on r under its
// registered name.
func Register(r Registry) {
	for _, p := range processes {
		r.RegisterWorkflowWithOptions(p.run, workflow.RegisterOptions{Name: p.name})
	}
	for name, sweep := range sweeps {
		r.RegisterWorkflowWithOptions(sweep, workflow.RegisterOptions{Name: name})
	}
}

func actionTable(kind cases.Kind) []action {
	for _, p := range processes {
		if p.kind == kind {
			return p.actions
		}
	}
	return nil
}

// AllowedActions are the actions role may take on a case of kind in status.
// They follow from the kind's table alone, so the API can show them on read
// model rows without asking the workflow.
func AllowedActions(kind cases.Kind, role, status string) []string {
	return allowedActions(actionTable(kind), role, status)
}

// ActionNames are every action a kind of case offers.
func ActionNames(kind cases.Kind) []string {
	names := []string{}
	for _, a := range actionTable(kind) {
		names = append(names, a.spec().name)
	}
	return names
}

// ActionInputType is the Go type of the input of a kind's action (nil
// when the kind has no such action): the API checks a request's input
// against it before it sends the action to the workflow.
func ActionInputType(kind cases.Kind, name string) reflect.Type {
	for _, a := range actionTable(kind) {
		if a.spec().name == name {
			return a.inputType()
		}
	}
	return nil
}
