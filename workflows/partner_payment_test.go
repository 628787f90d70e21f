package workflows

import (
	"context"
	"errors"
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
}

type paymentHarness struct {
	*certHarness
	ledger *ledgerFake
}

func newPaymentHarness(t *testing.T, partnerBalance int64) *paymentHarness {
	var suite testsuite.WorkflowTestSuite
	h := &paymentHarness{
		certHarness: &certHarness{t: t, env: suite.NewTestWorkflowEnvironment()},
		ledger:      &ledgerFake{balances: map[string]int64{"partner": partnerBalance, "customer": 50_000}, postings: map[string]int{}, order: "pending_partner"},
	}
	h.env.SetStartTime(fridayAfternoon)
	h.env.RegisterWorkflowWithOptions(PartnerPayment, workflow.RegisterOptions{Name: PartnerPaymentWorkflow})
	h.env.RegisterActivityWithOptions(func(_ context.Context, tr cases.Transition) error {
		h.transitions = append(h.transitions, tr)
		return nil
	}, activity.RegisterOptions{Name: "RecordTransition"})
	l := h.ledger
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
		if l.orderGone {
			return temporal.NewNonRetryableApplicationError("the order was cancelled", activities.OrderNotPayable, nil)
		}
		l.order, l.orderPaid = "paid", m.Payer
		return nil
	}, activity.RegisterOptions{Name: "MarkOrderPaid"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, orderID string) error {
		l.order = "pending_customer"
		return nil
	}, activity.RegisterOptions{Name: "HandBackOrder"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, orderID string) error {
		l.order = "cancelled"
		return nil
	}, activity.RegisterOptions{Name: "CancelOrder"})
	return h
}

var (
	partnerDeadline = fridayAfternoon.Add(24 * time.Hour)
	orderDeadline   = fridayAfternoon.Add(48 * time.Hour)
)

func (h *paymentHarness) runPayment() string {
	h.env.ExecuteWorkflow(PartnerPaymentWorkflow, PartnerPaymentInput{
		CaseID: "cas_pay", OrderID: "ord_1", PartnerID: "prt_acme", CustomerID: "cus_blue", RequestedBy: customerActor,
		Scenario: rules.Renewal, Product: "ecs.c6.large, 1 year", Amount: rules.Money{Amount: 12_000, Currency: "CNY"},
		PlacedAt: fridayAfternoon.UTC(), PartnerDeadline: partnerDeadline.UTC(), OrderDeadline: orderDeadline.UTC(),
	})
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("the workflow did not complete")
	}
	var status string
	if err := h.env.GetWorkflowResult(&status); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	return status
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
	h.at(time.Hour, ActionApprovePayment, partnerActor, struct{}{})
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
	h.at(30*time.Hour, ActionApprovePayment, partnerActor, struct{}{}) // too late
	if status := h.runPayment(); status != PaymentCancelled {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "requested/awaiting_partner", "partner_window_expired/awaiting_customer", "cancelled/cancelled")
	expired := h.transition("partner_window_expired")
	if !expired.Event.At.Equal(partnerDeadline) || !expired.Case.SLA.Breached {
		t.Errorf("window expired at %v (SLA %+v), want at %v and breached", expired.Event.At, expired.Case.SLA, partnerDeadline)
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
	h.at(time.Hour, ActionApprovePayment, partnerActor, struct{}{})
	h.env.RegisterDelayedCallback(func() { h.ledger.balances["partner"] += 20_000 }, 2*time.Hour)
	h.at(3*time.Hour, ActionApprovePayment, partnerActor, struct{}{})
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
	h.at(time.Hour, ActionApprovePayment, partnerActor, struct{}{})
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
	h.at(time.Hour, ActionApprovePayment, partnerActor, struct{}{})
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
	h.at(time.Minute, ActionApprovePayment, customerActor, struct{}{})  // the customer cannot approve for the partner
	h.at(2*time.Minute, ActionApprovePayment, opsActor, struct{}{})     // nor can ops
	h.at(3*time.Minute, ActionPay, customerActor, struct{}{})           // not handed back yet
	h.at(4*time.Minute, ActionDeclinePayment, partnerActor, struct{}{}) // a decline needs a reason
	h.at(5*time.Minute, ActionApprovePayment, partnerActor, struct{}{})
	h.runPayment()
	for i, want := range []string{cases.RefusalForbidden, cases.RefusalForbidden, cases.RefusalConflict, cases.RefusalInvalid, ""} {
		if got := h.refusal(i); got != want {
			t.Errorf("outcome %d: %q, want %q", i, got, want)
		}
	}
}
