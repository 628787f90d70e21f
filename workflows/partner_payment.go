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

// PartnerPaymentWorkflow is the registered name of the partner payment process.
const PartnerPaymentWorkflow = "PartnerPayment"

// Statuses of a partner payment case.
const (
	PaymentAwaitingPartner  = "awaiting_partner"   // the partner approves or declines, by its deadline
	PaymentPartnerPaying    = "partner_paying"     // the partner approved; its account is being debited
	PaymentPaidByPartner    = "paid_by_partner"    // done: the partner paid the order
	PaymentAwaitingCustomer = "awaiting_customer"  // handed back: the customer pays itself, by the order's deadline
	PaymentCustomerPaying   = "customer_paying"    // the customer's account is being debited
	PaymentPaidByCustomer   = "paid_by_customer"   // done: the customer paid the order itself
	PaymentCancelled        = "cancelled"          // done: nobody paid by the order's deadline
	PaymentFailed           = "failed"             // done: the order could not take the payment, which was refunded
	PaymentNeedsAttention   = StatusNeedsAttention // stopped: the order refused a hand-back or a cancellation; ops look into it
	// In-between: the step that moves the order runs, and no action may be taken.
	PaymentHandingBack = "handing_back" // the order is being handed back to the customer
	PaymentCancelling  = "cancelling"   // the unpaid order is being cancelled
)

// Actions on a partner payment case (and ActionApprove: the partner pays).
const (
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
	// StepsPerRun bounds the transitions one run records before it
	// continues as new; zero is the default.
	StepsPerRun int `json:"steps_per_run,omitempty"`
	// Resume is the state a previous run carried over (continue-as-new).
	Resume *Resumed[PartnerPaymentDetails] `json:"resume,omitempty"`
}

// Details are the case's details when it starts: what the read model's
// first row and the workflow both show.
func (in PartnerPaymentInput) Details() PartnerPaymentDetails {
	return PartnerPaymentDetails{
		OrderID: in.OrderID, Scenario: in.Scenario, Product: in.Product, Amount: in.Amount,
		PartnerDeadline: in.PartnerDeadline, OrderDeadline: in.OrderDeadline,
	}
}

// PartnerPaymentDetails is the partner payment's own part of the case.
type PartnerPaymentDetails struct {
	OrderID         string                `json:"order_id"`
	Scenario        rules.PaymentScenario `json:"scenario"`
	Product         string                `json:"product"`
	Amount          rules.Money           `json:"amount"`
	PartnerDeadline time.Time             `json:"partner_deadline" doc:"By when the partner approves or declines"`
	OrderDeadline   time.Time             `json:"order_deadline" doc:"The order's payment deadline; unpaid then, it is cancelled"`
	DeclineReason   string                `json:"decline_reason,omitempty"`
	PaidBy          string                `json:"paid_by,omitempty" doc:"Who paid, once paid: partner or customer"` // partner or customer
	PaidAt          *time.Time            `json:"paid_at,omitempty"`
	FailureReason   string                `json:"failure_reason,omitempty" doc:"Why the order could not take a payment, which was refunded"`
	// PartnerDeadlineMissed is the partner stage's SLA breach: the partner
	// let partner_deadline pass. The case's sla is then the customer
	// stage's (the order's deadline), breached only if that one passes too.
	PartnerDeadlineMissed bool `json:"partner_deadline_missed,omitempty" doc:"The partner let partner_deadline pass (its stage's breach); sla is then the customer's stage"`
}

// DeclineInput is the input of decline.
type DeclineInput struct {
	Reason string `json:"reason"`
}

// partnerPaymentProcess declares the partner payment.
var partnerPaymentProcess = Process{
	Kind: cases.KindPartnerPayment, Workflow: PartnerPaymentWorkflow, Run: PartnerPayment,
	Statuses: []Status{
		{Name: PaymentAwaitingPartner, Start: true, WaitsOn: Partner, Next: []string{PaymentHandingBack}},
		{Name: PaymentPartnerPaying, WaitsOn: System, Next: []string{PaymentPaidByPartner, PaymentFailed, PaymentAwaitingPartner}},
		{Name: PaymentPaidByPartner, Final: true},
		{Name: PaymentAwaitingCustomer, WaitsOn: Customer, Next: []string{PaymentCancelling}},
		{Name: PaymentCustomerPaying, WaitsOn: System, Next: []string{PaymentPaidByCustomer, PaymentFailed, PaymentAwaitingCustomer}},
		{Name: PaymentPaidByCustomer, Final: true},
		{Name: PaymentCancelled, Final: true},
		{Name: PaymentFailed, Final: true},
		{Name: PaymentHandingBack, WaitsOn: System, Next: []string{PaymentAwaitingCustomer}},
		{Name: PaymentCancelling, WaitsOn: System, Next: []string{PaymentCancelled}},
	},
	Actions: partnerPaymentActions.static(),
	Schema:  "PartnerPaymentCase", Details: reflect.TypeFor[PartnerPaymentDetails](),
	Subject: subjectOf(func(d PartnerPaymentDetails) string { return joined(d.Product, d.Amount.String(), d.OrderID) }),
	Description: "A partner payment case (伙伴支付): a customer asked its partner to pay an order. In awaiting_partner the partner's " +
		"admin or members approve (the partner's account is debited exactly once and the order paid: paid_by_partner; a short balance " +
		"answers 409 and the case stays) or decline with a reason, by details.partner_deadline (sla.due_at). A decline, or the deadline " +
		"passing (sla.breached), hands the order back to the customer (awaiting_customer), who may pay from its account by the order's " +
		"deadline (paid_by_customer), after which the order is cancelled. A payment the order can no longer take is refunded (failed). " +
		"partner_paying and customer_paying are the moments a debit runs; handing_back and cancelling the moments the order is handed " +
		"back or cancelled (no action meanwhile); needs_attention: the order refused that step (it changed elsewhere), the case stopped " +
		"for ops to look into.",
}

// partnerPaymentActions is who may do what, when, and with which step.
var partnerPaymentActions = table[*partnerPayment]{
	act[*partnerPayment, noInput]{actionSpec: actionSpec{ActionApprove, cases.PartnerRoles, []string{PaymentAwaitingPartner}, []string{PaymentPartnerPaying}},
		step: (*partnerPayment).approve},
	act[*partnerPayment, DeclineInput]{actionSpec: actionSpec{ActionDeclinePayment, cases.PartnerRoles, []string{PaymentAwaitingPartner}, []string{PaymentHandingBack}},
		check: checkDeclineInput, step: (*partnerPayment).decline},
	act[*partnerPayment, noInput]{actionSpec: actionSpec{ActionPay, []string{cases.RoleCustomer}, []string{PaymentAwaitingCustomer}, []string{PaymentCustomerPaying}},
		step: (*partnerPayment).customerPays},
}

type partnerPayment struct {
	caseState
	details PartnerPaymentDetails
}

// PartnerPayment runs a customer's request that its partner pay an order.
// The partner approves (its account is debited exactly once and the order
// is paid) or declines by its deadline; a decline or silence hands the
// order back to the customer, who pays it itself by the order's deadline or
// sees it cancelled. A payment the order cannot take is refunded; an order
// that refuses a hand-back or a cancellation leaves the case to ops.
func PartnerPayment(ctx workflow.Context, in PartnerPaymentInput) (string, error) {
	p := &partnerPayment{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindPartnerPayment, partnerID: in.PartnerID, customerID: in.CustomerID,
			status: PaymentAwaitingPartner, createdAt: in.PlacedAt, updatedAt: in.PlacedAt,
			sla: &cases.SLA{DueAt: in.PartnerDeadline},
		},
	}
	p.details = resume(&p.caseState, in.Resume, in.Details(), in.StepsPerRun)
	return p.live(ctx, life{
		actions: partnerPaymentActions.bind(p), details: func() any { return p.details },
		first: firstRun(in.Resume, func(ctx workflow.Context) error {
			return p.record(ctx, p.details, step{
				event: "requested", actor: in.RequestedBy,
				notifications: []cases.Notification{{
					Audience: cases.AudiencePartner, Kind: "payment_requested",
					Message: fmt.Sprintf("Your customer %s asks you to pay order %s (%s, %s) by %s.",
						p.customerID, p.details.OrderID, p.details.Product, p.details.Amount, in.PartnerDeadline.Format(time.RFC3339)),
				}},
			})
		}),
		wait: p.wait,
		next: func() any {
			next := in
			next.Resume = carry(&p.caseState, p.details)
			return next
		},
	})
}

// wait waits for the case to move: the partner's or the order's deadline,
// or an action (a step under way moves it on from its handler).
func (p *partnerPayment) wait(ctx workflow.Context) error {
	seen := p.status
	left := func() bool { return p.status != seen }
	switch p.status {
	case PaymentAwaitingPartner:
		return awaitDeadline(ctx, p.details.PartnerDeadline, left, p.windowExpired)
	case PaymentAwaitingCustomer:
		return awaitDeadline(ctx, p.details.OrderDeadline, left, p.cancel)
	default:
		return workflow.Await(ctx, left)
	}
}

func (p *partnerPayment) approve(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	return p.pay(ctx, actor, "partner", PaymentAwaitingPartner, PaymentPaidByPartner)
}

func (p *partnerPayment) customerPays(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	return p.pay(ctx, actor, "customer", PaymentAwaitingCustomer, PaymentPaidByCustomer)
}

func (p *partnerPayment) decline(ctx workflow.Context, actor cases.Actor, in DeclineInput) error {
	p.details.DeclineReason = strings.TrimSpace(in.Reason)
	return p.handBack(ctx, step{event: "declined", actor: actor, detail: map[string]any{"reason": p.details.DeclineReason}}, false)
}

// pay debits the payer's account once and marks the order paid; the case
// is in its paying status (claimed by the action) meanwhile. A short
// balance refuses the step and leaves the case where it was. If the order
// cannot take the payment, the debit is refunded and the case fails.
func (p *partnerPayment) pay(ctx workflow.Context, actor cases.Actor, payer, waiting, paid string) error {
	movement := activities.Movement{
		Reference: p.id + "/" + payer + "-payment", Payer: payer, PartnerID: p.partnerID, CustomerID: p.customerID,
		OrderID: p.details.OrderID, Amount: p.details.Amount,
	}
	_, err := debit.run(ctx, movement)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == RefusalInsufficientBalance {
		p.status = waiting
		return refuse(RefusalInsufficientBalance, "%s", appErr.Message())
	}
	if err != nil {
		return err
	}
	at := now(ctx)
	_, err = markOrderPaid.run(ctx, movement)
	if errors.As(err, &appErr) && appErr.Type() == activities.OrderNotPayable {
		back := movement
		back.Reference = p.id + "/" + payer + "-refund"
		if _, err := refund.run(ctx, back); err != nil {
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
// order's own deadline; the case is handing_back meanwhile. missed says the
// partner let its deadline pass.
func (p *partnerPayment) handBack(ctx workflow.Context, st step, missed bool) error {
	_, err := handBackOrder.run(ctx, p.details.OrderID)
	if refused, ok := orderRefusal(err); ok {
		return p.needsAttention(ctx, "hand_back_refused", refused)
	}
	if err != nil {
		return err
	}
	p.status = PaymentAwaitingCustomer
	// the customer's stage begins: its own deadline, not breached; a missed
	// partner deadline is the partner stage's breach, kept in the details
	p.sla = &cases.SLA{DueAt: p.details.OrderDeadline}
	p.details.PartnerDeadlineMissed = missed
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

// windowExpired hands the order back when the partner let its deadline pass.
func (p *partnerPayment) windowExpired(ctx workflow.Context) error {
	p.status = PaymentHandingBack
	return p.handBack(ctx, step{event: "partner_window_expired", actor: cases.System}, true)
}

// cancel cancels the order nobody paid by its deadline; the case is
// cancelling meanwhile.
func (p *partnerPayment) cancel(ctx workflow.Context) error {
	p.status = PaymentCancelling
	_, err := cancelOrder.run(ctx, p.details.OrderID)
	if refused, ok := orderRefusal(err); ok {
		return p.needsAttention(ctx, "cancel_refused", refused)
	}
	if err != nil {
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

// orderRefusal is the order's refusal of a move (it changed elsewhere:
// paid, cancelled), which no retry changes.
func orderRefusal(err error) (*temporal.ApplicationError, bool) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.OrderNotPayable {
		return appErr, true
	}
	return nil, false
}

// needsAttention stops the case where a step's move of the order was
// refused, and asks ops to look: the workflow does not fail over it.
func (p *partnerPayment) needsAttention(ctx workflow.Context, event string, refused *temporal.ApplicationError) error {
	p.status = PaymentNeedsAttention
	p.details.FailureReason = refused.Message()
	return p.record(ctx, p.details, step{
		event: event, actor: cases.System, detail: map[string]any{"reason": refused.Message()},
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "payment_needs_attention",
			Message: fmt.Sprintf("Partner payment %s of order %s stopped: the order refused the step (%s).",
				p.id, p.details.OrderID, refused.Message()),
		}},
	})
}

func checkDeclineInput(in DeclineInput) error {
	return requireText("reason", in.Reason, MaxReasonLength)
}
