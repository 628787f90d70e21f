package workflows

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// associationHarness runs a customer association request with the
// decisions the store took recorded, and the store's refusal of an
// acceptance when blocked is set.
type associationHarness struct {
	*certHarness
	decisions []string
	blocked   int // how many acceptances the store refuses as blocked
}

func newAssociationHarness(t *testing.T) *associationHarness {
	var suite testsuite.WorkflowTestSuite
	h := &associationHarness{certHarness: &certHarness{t: t, env: suite.NewTestWorkflowEnvironment()}}
	h.env.SetStartTime(fridayAfternoon)
	h.env.RegisterWorkflowWithOptions(CustomerAssociation, workflow.RegisterOptions{Name: CustomerAssociationWorkflow})
	h.env.RegisterActivityWithOptions(func(_ context.Context, tr cases.Transition) error {
		h.transitions = append(h.transitions, tr)
		return nil
	}, activity.RegisterOptions{Name: "RecordTransition"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, d activities.AssociationDecision) error {
		if d.Decision == AssociationAccepted && h.blocked > 0 {
			h.blocked--
			return temporal.NewNonRetryableApplicationError("auto-renewal is set on resource ecs-1", activities.DissociationBlocked, nil)
		}
		h.decisions = append(h.decisions, d.Decision+" by "+d.By.Role)
		return nil
	}, activity.RegisterOptions{Name: "DecideAssociation"})
	return h
}

func associationInput(direction string) CustomerAssociationInput {
	return CustomerAssociationInput{
		CaseID: "cas_assoc", PartnerID: "prt_acme", CustomerID: "cus_pine", RequestedBy: partnerActor, CreatedAt: fridayAfternoon.UTC(),
		Details: CustomerAssociationDetails{
			Direction: direction, PartnerName: "Acme Solutions", CustomerName: "Pine Hill Bakery", CloudAccountID: "cus_pine",
			AssociationMode: "resale", Message: "We resell your cloud", Grants: rules.AssociationGrants(rules.Resale),
			ExpiresAt: fridayAfternoon.Add(7 * 24 * time.Hour).UTC(),
		},
	}
}

// TestCustomerAssociationAccepted: the customer accepts; the partner
// cannot (it may only withdraw); the store records the acceptance once.
func TestCustomerAssociationAccepted(t *testing.T) {
	h := newAssociationHarness(t)
	var asked cases.Case
	h.queryAt(time.Minute, cases.RoleCustomer, &asked)
	h.at(time.Hour, ActionAccept, partnerActor, struct{}{})
	h.at(2*time.Hour, ActionAccept, customerActor, struct{}{})
	if status := h.execute(CustomerAssociationWorkflow, associationInput(DirectionAssociate)); status != AssociationAccepted {
		t.Fatalf("status %s", status)
	}
	if got := h.refusalOf(ActionAccept, 0); got != cases.RefusalForbidden {
		t.Errorf("the partner accepting: %q, want forbidden", got)
	}
	if len(asked.Actions) != 2 || asked.Actions[0] != ActionAccept || asked.Actions[1] != ActionDeclineInvitation {
		t.Errorf("the customer may %v, want accept and decline", asked.Actions)
	}
	if len(h.decisions) != 1 || h.decisions[0] != "accepted by customer" {
		t.Errorf("decisions %v", h.decisions)
	}
	assertEvents(t, h.events(), "requested/awaiting_customer", "accepted/accepted")
	assertNotified(t, h.transition("requested"), cases.AudienceCustomer)
	if n := h.transition("accepted").Notifications; len(n) != 1 || n[0].Kind != "association_accepted" {
		t.Errorf("accepted notifies %+v", n)
	}
}

// TestCustomerAssociationExpires: unanswered by the expiry, the request
// closes as expired with the reason, and no answer is taken afterwards.
func TestCustomerAssociationExpires(t *testing.T) {
	h := newAssociationHarness(t)
	h.at(8*24*time.Hour, ActionAccept, customerActor, struct{}{})
	in := associationInput(DirectionAssociate)
	if status := h.execute(CustomerAssociationWorkflow, in); status != AssociationExpired {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "requested/awaiting_customer", "expired/expired")
	tr := h.transition("expired")
	if !tr.Event.At.Equal(in.Details.ExpiresAt) {
		t.Errorf("expired at %s, want %s", tr.Event.At, in.Details.ExpiresAt)
	}
	if len(h.decisions) != 1 || h.decisions[0] != "expired by system" {
		t.Errorf("decisions %v", h.decisions)
	}
	if n := tr.Notifications; len(n) != 1 || n[0].Kind != "association_expired" {
		t.Errorf("expired notifies %+v", n)
	}
}

// TestDissociationAcceptanceBlocked: a blocked acceptance is refused and
// the request waits for the customer again; declined, it closes with the
// customer's reason.
func TestDissociationAcceptanceBlocked(t *testing.T) {
	h := newAssociationHarness(t)
	h.blocked = 1
	h.at(time.Hour, ActionAccept, customerActor, struct{}{})
	h.at(2*time.Hour, ActionDeclineInvitation, customerActor, ClosingInput{Reason: "we stay"})
	if status := h.execute(CustomerAssociationWorkflow, associationInput(DirectionDissociate)); status != AssociationDeclined {
		t.Fatalf("status %s", status)
	}
	if got := h.refusalOf(ActionAccept, 0); got != RefusalDissociationBlocked {
		t.Errorf("a blocked acceptance: %q, want %s", got, RefusalDissociationBlocked)
	}
	assertEvents(t, h.events(), "requested/awaiting_customer", "declined/declined")
	if tr := h.transition("declined"); tr.Event.Detail["reason"] != "declined by the customer: we stay" {
		t.Errorf("declined with %v", tr.Event.Detail)
	}
	if h.transition("requested").Notifications[0].Kind != "dissociation_requested" {
		t.Errorf("requested notifies %+v", h.transition("requested").Notifications)
	}
}
