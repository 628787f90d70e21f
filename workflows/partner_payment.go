package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// PartnerPaymentWorkflow is the registered name of the partner payment process.
const PartnerPaymentWorkflow = "PartnerPayment"

// Statuses of a partner payment case.
const (
	PaymentAwaitingPartner  = "awaiting_partner"  // the partner approves or declines, by its deadline
	PaymentPartnerPaying    = "partner_paying"    // the partner approved; its account is being debited
	PaymentPaidByPartner    = "paid_by_partner"   // done: the partner paid the order
	PaymentAwaitingCustomer = "awaiting_customer" // handed back: the customer pays itself, by the order's deadline
	PaymentCustomerPaying   = "customer_paying"   // the customer's account is being debited
	PaymentPaidByCustomer   = "paid_by_customer"  // done: the customer paid the order itself
	PaymentCancelled        = "cancelled"         // done: nobody paid by the order's deadline
	PaymentFailed           = "failed"            // done: the order could not take the payment, which was refunded
	PaymentNeedsAttention   = "needs_attention"   // stopped: a step was refused (the order changed elsewhere); ops must look
)

// Actions on a partner payment case.
const (
	ActionApprovePayment = "approve"
	ActionDeclinePayment = "decline"
	ActionPay            = "pay"
)

// RefusalInsufficientBalance refuses an approval or a payment whose payer's
// balance is short; the case stays where it was.
const RefusalInsufficientBalance = activities.InsufficientBalance

// PartnerPaymentInput starts a partner payment: a customer asked its
// partner to pay an order.
type PartnerPaymentInput struct {
	CaseID          string                `json:"case_id"`
	OrderID         string                `json:"order_id"`
	PartnerID       string                `json:"partner_id"`
	CustomerID      string                `json:"customer_id"`
	RequestedBy     cases.Actor           `json:"requested_by"`
	Scenario        rules.PaymentScenario `json:"scenario"`
	Product         string                `json:"product"`
	Amount          rules.Money           `json:"amount"`
	PlacedAt        time.Time             `json:"placed_at"`
	PartnerDeadline time.Time             `json:"partner_deadline"`
	OrderDeadline   time.Time             `json:"order_deadline"`
}

// PartnerPaymentDetails is the partner payment's own part of the case.
type PartnerPaymentDetails struct {
	OrderID         string                `json:"order_id"`
	Scenario        rules.PaymentScenario `json:"scenario"`
	Product         string                `json:"product"`
	Amount          rules.Money           `json:"amount"`
	PartnerDeadline time.Time             `json:"partner_deadline"`
	OrderDeadline   time.Time             `json:"order_deadline"`
	DeclineReason   string                `json:"decline_reason,omitempty"`
	PaidBy          string                `json:"paid_by,omitempty"` // partner or customer
	PaidAt          *time.Time            `json:"paid_at,omitempty"`
	FailureReason   string                `json:"failure_reason,omitempty"`
}

// DeclineInput is the input of decline.
type DeclineInput struct {
	Reason string `json:"reason"`
}

var customerRoles = []string{cases.RoleCustomer}

// partnerPaymentActions is who may do what, and when.
var partnerPaymentActions = []action{
	{name: ActionApprovePayment, roles: partnerRoles, from: []string{PaymentAwaitingPartner}},
	{name: ActionDeclinePayment, roles: partnerRoles, from: []string{PaymentAwaitingPartner}, check: checkDeclineInput},
	{name: ActionPay, roles: customerRoles, from: []string{PaymentAwaitingCustomer}},
}

type partnerPayment struct {
	caseState
	details PartnerPaymentDetails
}

// PartnerPayment runs a customer's request that its partner pay an order.
// The partner approves (its account is debited exactly once and the order
// is paid) or declines by its deadline; a decline or silence hands the
// order back to the customer, who pays it itself by the order's deadline or
// sees it cancelled. A payment the order cannot take is refunded.
func PartnerPayment(ctx workflow.Context, in PartnerPaymentInput) (string, error) {
	p := &partnerPayment{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindPartnerPayment, partnerID: in.PartnerID, customerID: in.CustomerID,
			status: PaymentAwaitingPartner, createdAt: in.PlacedAt, updatedAt: in.PlacedAt,
			sla: &cases.SLA{DueAt: in.PartnerDeadline},
		},
		details: PartnerPaymentDetails{
			OrderID: in.OrderID, Scenario: in.Scenario, Product: in.Product, Amount: in.Amount,
			PartnerDeadline: in.PartnerDeadline, OrderDeadline: in.OrderDeadline,
		},
	}
	if err := workflow.SetQueryHandler(ctx, QueryCase, func(role string) (cases.Case, error) {
		return p.view(p.details, allowedActions(partnerPaymentActions, role, p.status)), nil
	}); err != nil {
		return "", err
	}
	if err := registerActions(ctx, partnerPaymentActions, func() string { return p.status }, p.act); err != nil {
		return "", err
	}
	if err := p.record(ctx, p.details, step{
		event: "requested", actor: in.RequestedBy,
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "payment_requested",
			Message: fmt.Sprintf("Your customer %s asks you to pay order %s (%s, %s) by %s.",
				p.customerID, p.details.OrderID, p.details.Product, p.details.Amount, in.PartnerDeadline.Format(time.RFC3339)),
		}},
	}); err != nil {
		return "", err
	}

	for !p.finished() {
		seen := p.status
		left := func() bool { return p.status != seen }
		var err error
		switch p.status {
		case PaymentAwaitingPartner:
			var timedOut bool
			if timedOut, err = awaitDeadline(ctx, p.details.PartnerDeadline, left); err == nil && timedOut {
				err = p.handBack(ctx, step{event: "partner_window_expired", actor: cases.System}, true)
			}
		case PaymentAwaitingCustomer:
			var timedOut bool
			if timedOut, err = awaitDeadline(ctx, p.details.OrderDeadline, left); err == nil && timedOut {
				err = p.cancel(ctx)
			}
		default: // a payment under way: its handler moves the case on
			err = workflow.Await(ctx, left)
		}
		if err != nil {
			return "", err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return "", err
	}
	return p.status, nil
}

func (p *partnerPayment) finished() bool {
	switch p.status {
	case PaymentPaidByPartner, PaymentPaidByCustomer, PaymentCancelled, PaymentFailed:
		return true
	}
	return false
}

// act takes an action that its validator accepted.
func (p *partnerPayment) act(ctx workflow.Context, name string, req cases.ActionRequest) (cases.Case, error) {
	var err error
	switch name {
	case ActionApprovePayment:
		err = p.pay(ctx, req.Actor, "partner", PaymentAwaitingPartner, PaymentPartnerPaying, PaymentPaidByPartner)
	case ActionDeclinePayment:
		var in DeclineInput
		_ = json.Unmarshal(req.Input, &in) // the validator decoded it already
		p.details.DeclineReason = strings.TrimSpace(in.Reason)
		err = p.handBack(ctx, step{event: "declined", actor: req.Actor, detail: map[string]any{"reason": p.details.DeclineReason}}, false)
	case ActionPay:
		err = p.pay(ctx, req.Actor, "customer", PaymentAwaitingCustomer, PaymentCustomerPaying, PaymentPaidByCustomer)
	}
	if err != nil {
		return cases.Case{}, err
	}
	return p.view(p.details, allowedActions(partnerPaymentActions, req.Actor.Role, p.status)), nil
}

// pay debits the payer's account once and marks the order paid. A short
// balance refuses the step and leaves the case where it was. If the order
// cannot take the payment, the debit is refunded and the case fails.
func (p *partnerPayment) pay(ctx workflow.Context, actor cases.Actor, payer, waiting, paying, paid string) error {
	p.status = paying
	var pay *activities.Payments
	movement := activities.Movement{
		Reference: p.id + "/" + payer + "-payment", Payer: payer, PartnerID: p.partnerID, CustomerID: p.customerID,
		OrderID: p.details.OrderID, Amount: p.details.Amount,
	}
	err := workflow.ExecuteActivity(activityContext(ctx), pay.Debit, movement).Get(ctx, nil)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == RefusalInsufficientBalance {
		p.status = waiting
		return refuse(RefusalInsufficientBalance, "%s", appErr.Message())
	}
	if err != nil {
		return err
	}
	at := now(ctx)
	err = workflow.ExecuteActivity(activityContext(ctx), pay.MarkOrderPaid, movement).Get(ctx, nil)
	if errors.As(err, &appErr) && appErr.Type() == activities.OrderNotPayable {
		refund := movement
		refund.Reference = p.id + "/" + payer + "-refund"
		if err := workflow.ExecuteActivity(activityContext(ctx), pay.Refund, refund).Get(ctx, nil); err != nil {
			return err
		}
		p.status = PaymentFailed
		p.details.FailureReason = appErr.Message()
		return p.record(ctx, p.details, step{
			event: "payment_refunded", actor: cases.System, detail: map[string]any{"reason": appErr.Message(), "payer": payer},
			notifications: []cases.Notification{
				{Audience: payerAudience(payer), Kind: "payment_refunded",
					Message: fmt.Sprintf("Order %s could not take your payment (%s); %s was refunded.", p.details.OrderID, appErr.Message(), p.details.Amount)},
			},
		})
	}
	if err != nil {
		return err
	}
	p.status = paid
	p.details.PaidBy = payer
	p.details.PaidAt = &at
	return p.record(ctx, p.details, step{
		event: "paid_by_" + payer, actor: actor, detail: map[string]any{"amount": p.details.Amount},
		notifications: []cases.Notification{
			{Audience: cases.AudienceCustomer, Kind: "order_paid",
				Message: fmt.Sprintf("Order %s is paid (%s) by your %s.", p.details.OrderID, p.details.Amount, payer)},
			{Audience: cases.AudiencePartner, Kind: "order_paid",
				Message: fmt.Sprintf("Order %s of customer %s is paid (%s) by the %s.", p.details.OrderID, p.customerID, p.details.Amount, payer)},
		},
	})
}

func payerAudience(payer string) string {
	if payer == "partner" {
		return cases.AudiencePartner
	}
	return cases.AudienceCustomer
}

// handBack gives the order back to the customer to pay itself, by the
// order's own deadline. missed says the partner let its deadline pass.
func (p *partnerPayment) handBack(ctx workflow.Context, st step, missed bool) error {
	var pay *activities.Payments
	if err := workflow.ExecuteActivity(activityContext(ctx), pay.HandBackOrder, p.details.OrderID).Get(ctx, nil); err != nil {
		return err
	}
	p.status = PaymentAwaitingCustomer
	p.sla = &cases.SLA{DueAt: p.details.OrderDeadline, Breached: missed}
	why := "declined to pay it"
	if missed {
		why = "did not answer in time"
	}
	st.notifications = append(st.notifications,
		cases.Notification{Audience: cases.AudienceCustomer, Kind: "order_handed_back",
			Message: fmt.Sprintf("Your partner %s order %s; pay it yourself by %s or it is cancelled.",
				why, p.details.OrderID, p.details.OrderDeadline.Format(time.RFC3339))})
	return p.record(ctx, p.details, st)
}

// cancel cancels the order nobody paid by its deadline.
func (p *partnerPayment) cancel(ctx workflow.Context) error {
	var pay *activities.Payments
	if err := workflow.ExecuteActivity(activityContext(ctx), pay.CancelOrder, p.details.OrderID).Get(ctx, nil); err != nil {
		return err
	}
	p.status = PaymentCancelled
	p.sla.Breached = true
	return p.record(ctx, p.details, step{
		event: "cancelled", actor: cases.System, detail: map[string]any{"order_deadline": p.details.OrderDeadline},
		notifications: []cases.Notification{
			{Audience: cases.AudienceCustomer, Kind: "order_cancelled",
				Message: fmt.Sprintf("Order %s was not paid by %s and is cancelled.", p.details.OrderID, p.details.OrderDeadline.Format(time.RFC3339))},
			{Audience: cases.AudiencePartner, Kind: "order_cancelled",
				Message: fmt.Sprintf("Order %s of customer %s was not paid and is cancelled.", p.details.OrderID, p.customerID)},
		},
	})
}

func checkDeclineInput(input json.RawMessage) error {
	var in DeclineInput
	if err := decodeInput(input, &in); err != nil {
		return err
	}
	return requireText("reason", in.Reason, MaxReasonLength)
}
