package workflows

import (
	"partnerops/cases"
)

// declared is the one list of every process, each declared in its own
// file: the worker, the replay test, the API's schemas and action lookups,
// the console's queues and the diagrams all read it. Adding a process is
// its own files and one line here. (It is filled in init: the workflows
// read it, and they are part of it.)
var declared Catalog

func init() {
	declared = Catalog{
		certificationProcess,
		customerAssociationProcess,
		incentiveSettlementProcess,
		opportunityProcess,
		partnerExitProcess,
		partnerPaymentProcess,
		renewalRunProcess,
	}
}

// sweeps are the workflows that Temporal Schedules run (worker/schedules.go),
// by their registered names.
var sweeps = map[string]any{
	StartPendingCasesWorkflow:    StartPendingCases,
	CancelOverdueOrdersWorkflow:  CancelOverdueOrders,
	PruneIdempotencyKeysWorkflow: PruneIdempotencyKeys,
}

func actionTable(kind cases.Kind) []action {
	p, _ := declared.Find(kind)
	return p.Actions
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
