package workflows

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// CustomerAssociationWorkflow is the registered name of the customer association process.
const CustomerAssociationWorkflow = "CustomerAssociation"

// Statuses of a customer association case.
const (
	AssociationAwaitingCustomer = "awaiting_customer" // the customer accepts or declines, by the expiry
	AssociationApplying         = "applying"          // the customer accepted; the association changes (nobody can act)
	AssociationAccepted         = "accepted"          // done: the customer accepted, the association changed
	AssociationDeclined         = "declined"          // done: the customer declined; nothing changed
	AssociationExpired          = "expired"           // done: nobody answered in time; nothing changed
	AssociationWithdrawn        = "withdrawn"         // done: the partner withdrew its request; nothing changed
)

// Directions of a customer association request.
const (
	DirectionAssociate  = "associate"  // the partner asks to associate an existing account
	DirectionDissociate = "dissociate" // the partner asks to end its customer's association
)

// Refusals of the customer's acceptance (the request stays open): what
// still binds the customer, or an account whose association changed.
const (
	RefusalDissociationBlocked = activities.DissociationBlocked
	RefusalAssociationRefused  = activities.AssociationRefused
)

// CustomerAssociationInput starts a request: the partner asks the customer
// to accept an association, or a dissociation.
type CustomerAssociationInput struct {
	CaseID      string                     `json:"case_id"`
	PartnerID   string                     `json:"partner_id"`
	CustomerID  string                     `json:"customer_id"`
	RequestedBy cases.Actor                `json:"requested_by"`
	CreatedAt   time.Time                  `json:"created_at"`
	Details     CustomerAssociationDetails `json:"details"`
	// StepsPerRun bounds the transitions one run records before it
	// continues as new; zero is the default.
	StepsPerRun int `json:"steps_per_run,omitempty"`
	// Resume is the state a previous run carried over (continue-as-new).
	Resume *Resumed[CustomerAssociationDetails] `json:"resume,omitempty"`
}

// CustomerAssociationDetails is the request's own part of the case: what
// the partner asks and what accepting grants or ends.
type CustomerAssociationDetails struct {
	Direction       string `json:"direction" enum:"associate,dissociate" doc:"associate: the partner asks to associate an existing account; dissociate: to end the association"`
	PartnerName     string `json:"partner_name"`
	CustomerName    string `json:"customer_name"`
	CloudAccountID  string `json:"cloud_account_id,omitempty" doc:"The account the partner named (associate)"`
	AssociationMode string `json:"association_mode,omitempty" enum:"consultative,resale" doc:"The mode asked for (associate), or the mode that ends (dissociate)"`
	Message         string `json:"message,omitempty" doc:"The partner's message to the customer"`
	// Grants are what the partner may do once the customer accepts.
	Grants []string `json:"grants,omitempty" doc:"What the partner may do once the customer accepts (associate); nothing until then"`
	// Blockers are what blocked the dissociation when it was asked for:
	// acceptance is refused (409 dissociation-blocked) until each is cleared.
	Blockers  []rules.DissociationBlocker `json:"blockers,omitempty" doc:"What blocked the dissociation when asked, with what clears each; the customer's acceptance is refused until none is left"`
	ExpiresAt time.Time                   `json:"expires_at" doc:"Unanswered by then, the request expires and nothing changes"`
	DecidedAt *time.Time                  `json:"decided_at,omitempty"`
	// ClosingReason says why the request closed without a change.
	ClosingReason string `json:"closing_reason,omitempty" doc:"Why the request closed without a change (declined, expired, withdrawn)"`
}

// customerAssociationProcess declares the customer association request.
var customerAssociationProcess = Process{
	Kind: cases.KindCustomerAssociation, Workflow: CustomerAssociationWorkflow, Run: CustomerAssociation,
	Statuses: []Status{
		{Name: AssociationAwaitingCustomer, Start: true, WaitsOn: Customer, Next: []string{AssociationExpired}},
		{Name: AssociationApplying, WaitsOn: System, Next: []string{AssociationAccepted, AssociationAwaitingCustomer}},
		{Name: AssociationAccepted, Final: true},
		{Name: AssociationDeclined, Final: true},
		{Name: AssociationExpired, Final: true},
		{Name: AssociationWithdrawn, Final: true},
	},
	Actions: customerAssociationActions.static(),
	Schema:  "CustomerAssociationCase", Details: reflect.TypeFor[CustomerAssociationDetails](),
	Subject: subjectOf(func(d CustomerAssociationDetails) string {
		return joined(d.Direction, d.CustomerName, d.AssociationMode)
	}),
	Description: "A customer association request (客户关联申请): a partner asks the owner of an existing cloud account to associate it " +
		"(details.direction associate: the partner named the account, the mode and a message; details.grants say what the partner may then do) " +
		"or asks its customer to accept the end of their association (dissociate; details.blockers list what blocked it when asked, with what clears each). " +
		"In awaiting_customer the customer itself accepts (applying, then accepted: the association changes in one transaction; a dissociation " +
		"still blocked, or an account associated meanwhile, answers 409 and the request stays) or declines, the partner may withdraw, and by " +
		"details.expires_at (PARTNEROPS_ASSOCIATION_EXPIRY) an unanswered request expires. Declined, expired and withdrawn change nothing; " +
		"details.closing_reason says why. Only the customer, the requesting partner and staff see it.",
}

// customerAssociationActions is who may do what, when, and with which step.
var customerAssociationActions = table[*customerAssociation]{
	act[*customerAssociation, noInput]{actionSpec: actionSpec{ActionAccept, []string{cases.RoleCustomer}, []string{AssociationAwaitingCustomer}, []string{AssociationApplying}},
		step: (*customerAssociation).accept},
	act[*customerAssociation, ClosingInput]{actionSpec: actionSpec{ActionDeclineInvitation, []string{cases.RoleCustomer}, []string{AssociationAwaitingCustomer}, []string{AssociationDeclined}},
		check: checkWithdraw, step: (*customerAssociation).decline},
	act[*customerAssociation, ClosingInput]{actionSpec: actionSpec{ActionWithdraw, cases.PartnerRoles, []string{AssociationAwaitingCustomer}, []string{AssociationWithdrawn}},
		check: checkWithdraw, step: (*customerAssociation).withdraw},
}

type customerAssociation struct {
	caseState
	details CustomerAssociationDetails
}

// CustomerAssociation runs a partner's request that a customer accept an
// association of its account, or a dissociation: the customer accepts
// (the association changes at once, in one transaction) or declines, the
// partner may withdraw it, and unanswered it expires; only acceptance
// changes anything.
func CustomerAssociation(ctx workflow.Context, in CustomerAssociationInput) (string, error) {
	a := &customerAssociation{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindCustomerAssociation, partnerID: in.PartnerID, customerID: in.CustomerID,
			status: AssociationAwaitingCustomer, createdAt: in.CreatedAt, updatedAt: in.CreatedAt,
			sla: &cases.SLA{DueAt: in.Details.ExpiresAt},
		},
	}
	a.details = resume(&a.caseState, in.Resume, in.Details, in.StepsPerRun)
	return a.live(ctx, life{
		actions: customerAssociationActions.bind(a), details: func() any { return a.details },
		first: firstRun(in.Resume, func(ctx workflow.Context) error {
			return a.record(ctx, a.details, step{
				event: "requested", actor: in.RequestedBy,
				detail: map[string]any{"direction": a.details.Direction, "expires_at": a.details.ExpiresAt},
				notifications: []cases.Notification{
					{Audience: cases.AudiencePartner, Kind: a.noun() + "_requested", Message: a.partnerRequested()},
					{Audience: cases.AudienceCustomer, Kind: "association_request", Message: a.customerAsked()},
				},
			})
		}),
		wait: a.wait,
		next: func() any {
			next := in
			next.Resume = carry(&a.caseState, a.details)
			return next
		},
	})
}

// noun is "association" or "dissociation", as the notices name the request.
func (a *customerAssociation) noun() string {
	if a.details.Direction == DirectionDissociate {
		return "dissociation"
	}
	return "association"
}

func (a *customerAssociation) partnerRequested() string {
	return fmt.Sprintf("Your %s request %s for %s is sent; the customer accepts or declines it by %s.",
		a.noun(), a.id, a.details.CustomerName, a.details.ExpiresAt.Format(time.RFC3339))
}

func (a *customerAssociation) customerAsked() string {
	if a.details.Direction == DirectionDissociate {
		return fmt.Sprintf("Partner %s asks to end its %s association with your account; accept or decline by %s (request %s).",
			a.details.PartnerName, a.details.AssociationMode, a.details.ExpiresAt.Format(time.RFC3339), a.id)
	}
	return fmt.Sprintf("Partner %s asks to associate your account (%s): once you accept, it may %s. Accept or decline by %s (request %s).",
		a.details.PartnerName, a.details.AssociationMode, strings.Join(a.details.Grants, "; "), a.details.ExpiresAt.Format(time.RFC3339), a.id)
}

// wait waits for the customer's answer, the partner's withdrawal or the expiry.
func (a *customerAssociation) wait(ctx workflow.Context) error {
	if a.status == AssociationAwaitingCustomer {
		return awaitDeadline(ctx, a.details.ExpiresAt, a.moved(), a.expire)
	}
	return workflow.Await(ctx, a.moved())
}

// decide records the decision on the request in the store (with the
// association's change when accepted).
func (a *customerAssociation) decide(ctx workflow.Context, decision string, actor cases.Actor) error {
	_, err := decideAssociation.run(ctx, activities.AssociationDecision{CaseID: a.id, Decision: decision, By: actor, At: now(ctx)})
	return err
}

// accept changes the association; a refusal (still blocked, the account
// associated meanwhile) leaves the request waiting for the customer.
func (a *customerAssociation) accept(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	err := a.decide(ctx, AssociationAccepted, actor)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && (appErr.Type() == RefusalDissociationBlocked || appErr.Type() == RefusalAssociationRefused) {
		a.status = AssociationAwaitingCustomer
		return refuse(appErr.Type(), "%s", appErr.Message())
	}
	if err != nil {
		return err
	}
	at := now(ctx)
	a.status = AssociationAccepted
	a.details.DecidedAt = &at
	message := fmt.Sprintf("%s accepted your association request %s: it is your %s customer from now on.", a.details.CustomerName, a.id, a.details.AssociationMode)
	if a.details.Direction == DirectionDissociate {
		message = fmt.Sprintf("%s accepted your dissociation request %s: it is no longer your customer; what it held from you is back in your account.", a.details.CustomerName, a.id)
	}
	return a.record(ctx, a.details, step{
		event: "accepted", actor: actor,
		notifications: []cases.Notification{{Audience: cases.AudiencePartner, Kind: a.noun() + "_accepted", Message: message}},
	})
}

func (a *customerAssociation) decline(ctx workflow.Context, actor cases.Actor, in ClosingInput) error {
	reason := "declined by the customer"
	if r := strings.TrimSpace(in.Reason); r != "" {
		reason += ": " + r
	}
	return a.close(ctx, actor, "declined", reason, cases.AudiencePartner,
		fmt.Sprintf("%s declined your %s request %s", a.details.CustomerName, a.noun(), a.id))
}

func (a *customerAssociation) withdraw(ctx workflow.Context, actor cases.Actor, in ClosingInput) error {
	reason := "withdrawn by the partner"
	if r := strings.TrimSpace(in.Reason); r != "" {
		reason += ": " + r
	}
	return a.close(ctx, actor, "withdrawn", reason, cases.AudienceCustomer,
		fmt.Sprintf("Partner %s withdrew its %s request %s", a.details.PartnerName, a.noun(), a.id))
}

// expire closes a request nobody answered in time.
func (a *customerAssociation) expire(ctx workflow.Context) error {
	a.status = AssociationExpired
	a.sla.Breached = true
	return a.close(ctx, cases.System, "expired", "expired: the customer did not answer by "+a.details.ExpiresAt.Format(time.RFC3339),
		cases.AudiencePartner, fmt.Sprintf("Your %s request %s for %s expired unanswered", a.noun(), a.id, a.details.CustomerName))
}

// close records a request closed without a change (its status claimed),
// with the reason, telling audience.
func (a *customerAssociation) close(ctx workflow.Context, actor cases.Actor, event, reason, audience, message string) error {
	if err := a.decide(ctx, a.status, actor); err != nil {
		return err
	}
	at := now(ctx)
	a.details.DecidedAt, a.details.ClosingReason = &at, reason
	return a.record(ctx, a.details, step{
		event: event, actor: actor, detail: map[string]any{"reason": reason},
		notifications: []cases.Notification{{Audience: audience, Kind: a.noun() + "_" + a.status, Message: message + ": nothing changed."}},
	})
}
