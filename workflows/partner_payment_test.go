package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

var customerActor = cases.Actor{ID: "prn_customer", Role: cases.RoleCustomer, Name: "Blue Sky Retail"}

// ledgerFake is the money the fake activities move: balances by payer, and
// the references posted, so a second posting of one reference shows.
type ledgerFake struct {
	balances  map[string]int64
	postings  map[string]int
	orderPaid string // who the order is marked paid by
	order     string // the order's state: pending_partner, pending_customer, paid, cancelled
	// failAfterCommit makes the first debit fail after its money moved, as a
	// worker dying between the commit and the report would.
	failAfterCommit bool
	orderGone       bool // the order cannot take a payment
	// gates hold an activity (by name) after its change committed, until
	// the test releases it, so actions can arrive while the step runs.
	gates map[string]chan struct{}
	// cancelRefused makes CancelOrder refuse, as the store does for an
	// order that was paid meanwhile.
	cancelRefused bool
}

// hold makes the named activity wait, after its change, until release.
func (l *ledgerFake) hold(activity string) {
	l.gates[activity] = make(chan struct{})
}

func (l *ledgerFake) release(activity string) { close(l.gates[activity]) }

func (l *ledgerFake) wait(activity string) {
	if gate := l.gates[activity]; gate != nil {
		<-gate
	}
}

type paymentHarness struct {
	*certHarness
	ledger *ledgerFake
}

func newPaymentHarness(t *testing.T, partnerBalance int64) *paymentHarness {
	var suite testsuite.WorkflowTestSuite
	h := &paymentHarness{
		certHarness: &certHarness{t: t, env: suite.NewTestWorkflowEnvironment()},
		ledger:      &ledgerFake{balances: map[string]int64{"partner": partnerBalance, "customer": 50_000}, postings: map[string]int{}, order: "pending_partner", gates: map[string]chan struct{}{}},
	}
	h.env.SetStartTime(fridayAfternoon)
	h.env.RegisterWorkflowWithOptions(PartnerPayment, workflow.RegisterOptions{Name: PartnerPaymentWorkflow})
	l := h.ledger
	h.env.RegisterActivityWithOptions(func(_ context.Context, tr cases.Transition) error {
		l.wait("RecordTransition:" + tr.Event.Type)
		h.transitions = append(h.transitions, tr)
		return nil
	}, activity.RegisterOptions{Name: "RecordTransition"})
	h.env.RegisterActivityWithOptions(func(ctx context.Context, m activities.Movement) error {
		if l.postings[m.Reference] == 0 {
			if l.balances[m.Payer] < m.Amount.Amount {
				return temporal.NewNonRetryableApplicationError("insufficient balance", RefusalInsufficientBalance, nil)
			}
			l.balances[m.Payer] -= m.Amount.Amount
		}
		l.postings[m.Reference]++
		if l.failAfterCommit {
			l.failAfterCommit = false
			return errors.New("worker lost after the debit committed")
		}
		return nil
	}, activity.RegisterOptions{Name: "Debit"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, m activities.Movement) error {
		if l.postings[m.Reference] == 0 {
			l.balances[m.Payer] += m.Amount.Amount
		}
		l.postings[m.Reference]++
		return nil
	}, activity.RegisterOptions{Name: "Refund"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, m activities.Movement) error {
		// As the store: only the payer the order waits for may pay it.
		if l.orderGone || l.order != "pending_"+m.Payer {
			if l.order == "paid" && l.orderPaid == m.Payer {
				return nil
			}
			return temporal.NewNonRetryableApplicationError("the order does not wait for a payment by the "+m.Payer, activities.OrderNotPayable, nil)
		}
		l.order, l.orderPaid = "paid", m.Payer
		return nil
	}, activity.RegisterOptions{Name: "MarkOrderPaid"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, orderID string) error {
		if l.order != "pending_partner" && l.order != "pending_customer" {
			return temporal.NewNonRetryableApplicationError("the order is "+l.order, activities.OrderNotPayable, nil)
		}
		l.order = "pending_customer"
		l.wait("HandBackOrder")
		return nil
	}, activity.RegisterOptions{Name: "HandBackOrder"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, orderID string) error {
		if l.cancelRefused || (l.order != "pending_customer" && l.order != "cancelled") {
			return temporal.NewNonRetryableApplicationError("the order is "+l.order, activities.OrderNotPayable, nil)
		}
		l.order = "cancelled"
		l.wait("CancelOrder")
		return nil
	}, activity.RegisterOptions{Name: "CancelOrder"})
	return h
}

var (
	partnerDeadline = fridayAfternoon.Add(24 * time.Hour)
	orderDeadline   = fridayAfternoon.Add(48 * time.Hour)
)

func paymentInput() PartnerPaymentInput {
	return PartnerPaymentInput{
		CaseID: "cas_pay", OrderID: "ord_1", PartnerID: "prt_acme", CustomerID: "cus_blue", RequestedBy: customerActor,
		Scenario: rules.Renewal, Product: "ecs.c6.large, 1 year", Amount: rules.Money{Amount: 12_000, Currency: "CNY"},
		PlacedAt: fridayAfternoon.UTC(), PartnerDeadline: partnerDeadline.UTC(), OrderDeadline: orderDeadline.UTC(),
	}
}

func (h *paymentHarness) runPayment() string {
	return h.runPaymentInput(paymentInput())
}

func (h *paymentHarness) runPaymentInput(in PartnerPaymentInput) string {
	return h.execute(PartnerPaymentWorkflow, in)
}

// refusalOf is the refusal of the nth (from 0) outcome of the named action,
// "" if it was taken.
func (h *certHarness) refusalOf(name string, nth int) string {
	for _, o := range h.outcomes {
		if o.action != name {
			continue
		}
		if nth--; nth >= 0 {
			continue
		}
		var appErr *temporal.ApplicationError
		if errors.As(o.err, &appErr) {
			return appErr.Type()
		}
		if o.err != nil {
			return o.err.Error()
		}
		return ""
	}
	h.t.Fatalf("no outcome %d of %s among %+v", nth, name, h.outcomes)
	return ""
}

// releaseAfter releases a held activity after wall-clock d: while an
// activity runs, the test environment's clock moves with the wall clock.
func (h *paymentHarness) releaseAfter(at time.Duration, activity string) {
	h.env.RegisterDelayedCallback(func() { h.ledger.release(activity) }, at)
}

func (h *paymentHarness) refusal(i int) string {
	var appErr *temporal.ApplicationError
	if i < len(h.outcomes) && errors.As(h.outcomes[i].err, &appErr) {
		return appErr.Type()
	}
	return ""
}

func TestPartnerPaymentApproved(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.at(time.Hour, ActionApprove, partnerActor, struct{}{})
	if status := h.runPayment(); status != PaymentPaidByPartner {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "requested/awaiting_partner", "paid_by_partner/paid_by_partner")
	if h.ledger.balances["partner"] != 88_000 || h.ledger.postings["cas_pay/partner-payment"] != 1 {
		t.Errorf("partner balance %d, postings %v", h.ledger.balances["partner"], h.ledger.postings)
	}
	if h.ledger.order != "paid" || h.ledger.orderPaid != "partner" {
		t.Errorf("order %s, paid by %s", h.ledger.order, h.ledger.orderPaid)
	}
	assertNotified(t, h.transition("requested"), cases.AudiencePartner)
	assertNotified(t, h.transition("paid_by_partner"), cases.AudienceCustomer)
}

func TestPartnerPaymentDeclinedThenCustomerPays(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.at(time.Hour, ActionDeclinePayment, partnerActor, DeclineInput{Reason: "Not in this quarter's budget"})
	h.at(2*time.Hour, ActionPay, customerActor, struct{}{})
	if status := h.runPayment(); status != PaymentPaidByCustomer {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "requested/awaiting_partner", "declined/awaiting_customer", "paid_by_customer/paid_by_customer")
	declined := h.transition("declined")
	assertNotified(t, declined, cases.AudienceCustomer)
	if declined.Case.SLA.Breached || !declined.Case.SLA.DueAt.Equal(orderDeadline) {
		t.Errorf("after a decline the case is due %+v; want the order's deadline, not breached", declined.Case.SLA)
	}
	if h.ledger.balances["partner"] != 100_000 || h.ledger.balances["customer"] != 38_000 || h.ledger.orderPaid != "customer" {
		t.Errorf("balances %v, paid by %s", h.ledger.balances, h.ledger.orderPaid)
	}
}

func TestPartnerPaymentWindowTimesOutThenOrderIsCancelled(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.at(30*time.Hour, ActionApprove, partnerActor, struct{}{}) // too late
	if status := h.runPayment(); status != PaymentCancelled {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "requested/awaiting_partner", "partner_window_expired/awaiting_customer", "cancelled/cancelled")
	expired := h.transition("partner_window_expired")
	if !expired.Event.At.Equal(partnerDeadline) {
		t.Errorf("window expired at %v, want at %v", expired.Event.At, partnerDeadline)
	}
	// the breach is the partner stage's; the case is now due by the
	// customer's stage deadline, not (yet) breached
	var details PartnerPaymentDetails
	if err := json.Unmarshal(expired.Case.Details, &details); err != nil || !details.PartnerDeadlineMissed {
		t.Errorf("details after the window lapsed %s (%v), want partner_deadline_missed", expired.Case.Details, err)
	}
	if expired.Case.SLA.Breached || !expired.Case.SLA.DueAt.Equal(orderDeadline) {
		t.Errorf("SLA after the window lapsed %+v, want the order's deadline %v, not breached", expired.Case.SLA, orderDeadline)
	}
	if got := h.refusal(0); got != cases.RefusalConflict {
		t.Errorf("a late approval was refused with %q", got)
	}
	if cancelled := h.transition("cancelled"); !cancelled.Event.At.Equal(orderDeadline) {
		t.Errorf("cancelled at %v, want at the order's deadline %v", cancelled.Event.At, orderDeadline)
	}
	if h.ledger.order != "cancelled" || len(h.ledger.postings) != 0 {
		t.Errorf("order %s, postings %v", h.ledger.order, h.ledger.postings)
	}
}

func TestPartnerPaymentInsufficientBalanceThenTopUp(t *testing.T) {
	h := newPaymentHarness(t, 5_000)
	h.at(time.Hour, ActionApprove, partnerActor, struct{}{})
	h.env.RegisterDelayedCallback(func() { h.ledger.balances["partner"] += 20_000 }, 2*time.Hour)
	h.at(3*time.Hour, ActionApprove, partnerActor, struct{}{})
	if status := h.runPayment(); status != PaymentPaidByPartner {
		t.Fatalf("status %s", status)
	}
	if got := h.refusal(0); got != RefusalInsufficientBalance {
		t.Errorf("the first approval: %q, want %s", got, RefusalInsufficientBalance)
	}
	if h.ledger.balances["partner"] != 13_000 || h.ledger.postings["cas_pay/partner-payment"] != 1 {
		t.Errorf("partner balance %d, postings %v", h.ledger.balances["partner"], h.ledger.postings)
	}
	assertEvents(t, h.events(), "requested/awaiting_partner", "paid_by_partner/paid_by_partner")
}

func TestPartnerPaymentDebitRetriedMovesMoneyOnce(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.ledger.failAfterCommit = true
	h.at(time.Hour, ActionApprove, partnerActor, struct{}{})
	if status := h.runPayment(); status != PaymentPaidByPartner {
		t.Fatalf("status %s", status)
	}
	if h.ledger.postings["cas_pay/partner-payment"] != 2 {
		t.Errorf("the debit ran %d times; the test wants a retry", h.ledger.postings["cas_pay/partner-payment"])
	}
	if h.ledger.balances["partner"] != 88_000 {
		t.Errorf("partner balance %d after a retried debit, want 88000 (one debit)", h.ledger.balances["partner"])
	}
}

func TestPartnerPaymentRefundedWhenTheOrderCannotBePaid(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.ledger.orderGone = true
	h.at(time.Hour, ActionApprove, partnerActor, struct{}{})
	if status := h.runPayment(); status != PaymentFailed {
		t.Fatalf("status %s", status)
	}
	if h.ledger.balances["partner"] != 100_000 || h.ledger.postings["cas_pay/partner-refund"] != 1 {
		t.Errorf("partner balance %d, postings %v: the debit must be refunded", h.ledger.balances["partner"], h.ledger.postings)
	}
	assertNotified(t, h.transition("payment_refunded"), cases.AudiencePartner)
}

func TestPartnerPaymentRefusesOthers(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.at(time.Minute, ActionApprove, customerActor, struct{}{})         // the customer cannot approve for the partner
	h.at(2*time.Minute, ActionApprove, opsActor, struct{}{})            // nor can ops
	h.at(3*time.Minute, ActionPay, customerActor, struct{}{})           // not handed back yet
	h.at(4*time.Minute, ActionDeclinePayment, partnerActor, struct{}{}) // a decline needs a reason
	h.at(5*time.Minute, ActionApprove, partnerActor, struct{}{})
	h.runPayment()
	for i, want := range []string{cases.RefusalForbidden, cases.RefusalForbidden, cases.RefusalConflict, cases.RefusalInvalid, ""} {
		if got := h.refusal(i); got != want {
			t.Errorf("outcome %d: %q, want %q", i, got, want)
		}
	}
}

// An approval and a payment arriving while the hand-back runs are refused:
// the decline claimed the case before the order moved, so neither payer can
// pay the order twice.
func TestPartnerPaymentActionsDuringHandBackAreRefused(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.ledger.hold("HandBackOrder")
	h.at(time.Hour, ActionDeclinePayment, partnerActor, DeclineInput{Reason: "Not this quarter"})
	h.at(time.Hour+time.Second, ActionApprove, partnerActor, struct{}{})
	h.at(time.Hour+1500*time.Millisecond, ActionPay, customerActor, struct{}{})
	h.releaseAfter(time.Hour+2*time.Second, "HandBackOrder")
	h.at(2*time.Hour, ActionPay, customerActor, struct{}{})
	if status := h.runPayment(); status != PaymentPaidByCustomer {
		t.Errorf("status %s, want %s", status, PaymentPaidByCustomer)
	}
	if got := h.refusalOf(ActionApprove, 0); got != cases.RefusalConflict {
		t.Errorf("an approval during the hand-back: %q, want %s", got, cases.RefusalConflict)
	}
	if got := h.refusalOf(ActionPay, 0); got != cases.RefusalConflict {
		t.Errorf("a payment before the hand-back finished: %q, want %s", got, cases.RefusalConflict)
	}
	h.assertPaidOnceBy("customer")
}

// The same when the partner's window runs out: the hand-back is the timer's.
func TestPartnerPaymentApprovalDuringExpiredWindowHandBackIsRefused(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.ledger.hold("HandBackOrder")
	h.at(24*time.Hour+time.Second, ActionApprove, partnerActor, struct{}{})
	h.releaseAfter(24*time.Hour+2*time.Second, "HandBackOrder")
	h.at(25*time.Hour, ActionPay, customerActor, struct{}{})
	if status := h.runPayment(); status != PaymentPaidByCustomer {
		t.Errorf("status %s, want %s", status, PaymentPaidByCustomer)
	}
	if got := h.refusalOf(ActionApprove, 0); got != cases.RefusalConflict {
		t.Errorf("an approval during the hand-back: %q, want %s", got, cases.RefusalConflict)
	}
	h.assertPaidOnceBy("customer")
}

// A payment arriving while the cancellation runs is refused, and the
// customer is not debited for a cancelled order.
func TestPartnerPaymentPaymentDuringCancellationIsRefused(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.ledger.hold("CancelOrder")
	h.at(time.Hour, ActionDeclinePayment, partnerActor, DeclineInput{Reason: "Not this quarter"})
	h.at(48*time.Hour+time.Second, ActionPay, customerActor, struct{}{})
	h.releaseAfter(48*time.Hour+2*time.Second, "CancelOrder")
	if status := h.runPayment(); status != PaymentCancelled {
		t.Errorf("status %s, want %s", status, PaymentCancelled)
	}
	if got := h.refusalOf(ActionPay, 0); got != cases.RefusalConflict {
		t.Errorf("a payment during the cancellation: %q, want %s", got, cases.RefusalConflict)
	}
	if len(h.ledger.postings) != 0 || h.ledger.order != "cancelled" {
		t.Errorf("order %s, postings %v: nothing may move for a cancelled order", h.ledger.order, h.ledger.postings)
	}
}

// A refusal inside a step does not fail the workflow: the case waits for
// ops in a named state.
func TestPartnerPaymentRefusedCancellationNeedsAttention(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.ledger.cancelRefused = true
	h.at(time.Hour, ActionDeclinePayment, partnerActor, DeclineInput{Reason: "Not this quarter"})
	if status := h.runPayment(); status != PaymentNeedsAttention {
		t.Fatalf("status %s, want %s", status, PaymentNeedsAttention)
	}
	assertEvents(t, h.events(), "requested/awaiting_partner", "declined/awaiting_customer", "cancel_refused/needs_attention")
	assertNotified(t, h.transition("cancel_refused"), cases.AudienceOps)
}

// assertPaidOnceBy checks that exactly payer paid the order, once.
func (h *paymentHarness) assertPaidOnceBy(payer string) {
	h.t.Helper()
	l := h.ledger
	other := map[string]string{"partner": "customer", "customer": "partner"}[payer]
	if l.postings["cas_pay/"+payer+"-payment"] != 1 || l.postings["cas_pay/"+other+"-payment"] != 0 {
		h.t.Errorf("postings %v: want one payment by the %s and none by the %s", l.postings, payer, other)
	}
	if l.order != "paid" || l.orderPaid != payer {
		h.t.Errorf("order %s paid by %q, want paid by the %s", l.order, l.orderPaid, payer)
	}
}

// A payment whose run is full continues as new after the decline's handler
// answered, carrying the handed-back case; the next run lets the customer pay.
func TestPartnerPaymentContinuesAsNew(t *testing.T) {
	h := newPaymentHarness(t, 100_000)
	h.at(time.Hour, ActionDeclinePayment, partnerActor, DeclineInput{Reason: "Not this quarter"})
	in := paymentInput()
	in.StepsPerRun = 1
	h.env.ExecuteWorkflow(PartnerPaymentWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the first run ended with %v, want continue-as-new", err)
	}
	if got := h.refusalOf(ActionDeclinePayment, 0); got != "" {
		t.Errorf("the decline answered %q", got)
	}
	var next PartnerPaymentInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if r := next.Resume; r == nil || r.Status != PaymentAwaitingCustomer || r.Seq != 2 || r.SLA == nil ||
		!r.SLA.DueAt.Equal(orderDeadline) || r.Details.DeclineReason != "Not this quarter" {
		t.Fatalf("carried %+v", next.Resume)
	}

	second := newPaymentHarness(t, 100_000)
	second.ledger.order = "pending_customer"
	second.env.SetStartTime(fridayAfternoon.Add(time.Hour))
	second.at(time.Hour, ActionPay, customerActor, struct{}{})
	next.StepsPerRun = 0
	if status := second.runPaymentInput(next); status != PaymentPaidByCustomer {
		t.Fatalf("status %s", status)
	}
	if len(second.transitions) != 1 || second.transitions[0].Event.Seq != 3 {
		t.Errorf("the second run recorded %+v, want one transition, seq 3", second.transitions)
	}
	second.assertPaidOnceBy("customer")
}
