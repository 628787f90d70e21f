package workflows

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/workflow"

	"partnerops/cases"
)

// TestDeclarationsAreSound: every declared status is in a queue (final, or
// waiting on someone who can act in it), every kind has a case schema,
// every action names declared open statuses.
func TestDeclarationsAreSound(t *testing.T) {
	if err := Declared().Check(); err != nil {
		t.Errorf("the declarations are unsound:\n%v", err)
	}
}

// The check fails for a status in no queue, a kind without a schema and a
// status no one can act in although it waits on them.
func TestCheckNamesEveryFlaw(t *testing.T) {
	bad := toyProcess
	bad.Schema = ""
	bad.Statuses = append(slices.Clone(bad.Statuses), Status{Name: "limbo"}, Status{Name: "stuck", WaitsOn: Customer})
	err := Catalog{bad}.Check()
	if err == nil {
		t.Fatal("a flawed declaration passes the check")
	}
	for _, want := range []string{"toy: no case schema", "toy: status limbo is in no queue", "toy: status stuck waits on customer, who has no action in it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the check does not say %q:\n%v", want, err)
		}
	}
}

// The console's "waiting on the partner" queue holds every kind's partner
// turns, and the SLA pauses are every kind's, by kind.
func TestQueuesComeFromTheDeclarations(t *testing.T) {
	awaiting := Declared().Awaiting(Partner)
	for _, want := range []string{
		"certification:rejected", "certification:ticket_awaiting_partner", "partner_payment:awaiting_partner",
		"incentive_settlement:awaiting_application", "incentive_settlement:awaiting_invoice",
		"incentive_settlement:awaiting_return_request", "incentive_settlement:awaiting_reversal",
		"opportunity:action_required", "opportunity:approved", "opportunity:invited", "partner_exit:blocked",
	} {
		if !slices.Contains(awaiting, want) {
			t.Errorf("%s is not in the partner's queue %v", want, awaiting)
		}
	}
	if slices.Contains(awaiting, "partner_payment:awaiting_customer") {
		t.Error("a payment waiting on the customer is in the partner's queue")
	}
	if !Declared().PausesSLA(cases.KindIncentiveSettlement, SettlementInvoiceInReview) ||
		!Declared().PausesSLA(cases.KindCertification, CertificationTicketAwaitingPartner) {
		t.Error("an SLA pause is missing")
	}
	if Declared().PausesSLA(cases.KindOpportunity, CertificationTicketAwaitingPartner) {
		t.Error("a status pauses the SLA of a kind that has no such status")
	}
}

// toyProcess is a process declared here and nowhere else: it appears in
// the queues, the registry and the diagrams with no other edit.
var toyProcess = Process{
	Kind: "toy", Workflow: "Toy", Run: toyWorkflow,
	Statuses: []Status{
		{Name: "waiting", Start: true, WaitsOn: Partner},
		{Name: "done", Final: true},
	},
	Actions: table[*toy]{
		act[*toy, noInput]{actionSpec: actionSpec{"finish", cases.PartnerRoles, []string{"waiting"}, []string{"done"}}, step: (*toy).finish},
	}.static(),
	Schema: "ToyCase", Details: reflect.TypeFor[struct{}](), Description: "A toy.",
}

type toy struct{ caseState }

func (*toy) finish(workflow.Context, cases.Actor, noInput) error { return nil }

func toyWorkflow(workflow.Context) (string, error) { return "done", nil }

// registered records the workflows registered on it.
type registered []string

func (r *registered) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) {
	*r = append(*r, o.Name)
}

func TestAToyProcessNeedsNoOtherEdit(t *testing.T) {
	catalog := append(Declared(), toyProcess)
	if err := catalog.Check(); err != nil {
		t.Fatalf("the toy is unsound: %v", err)
	}
	if !slices.Contains(catalog.Awaiting(Partner), "toy:waiting") {
		t.Error("the toy's partner turn is not in the partner's queue")
	}
	if !catalog.Closed("toy", "done") || catalog.Closed("toy", "waiting") {
		t.Error("the toy's final status is not its only closed one")
	}
	if !slices.Contains(catalog.Kinds(), "toy") {
		t.Error("the toy is not a kind")
	}
	if d := catalog.Diagrams(); !strings.Contains(d, "### toy") || !strings.Contains(d, "waiting --> done: finish") {
		t.Errorf("the toy is not in the diagrams:\n%s", d)
	}
	var r registered
	catalog.Register(&r)
	if !slices.Contains(r, "Toy") || !slices.Contains(r, CertificationWorkflow) {
		t.Errorf("registered %v", r)
	}
}
