package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"partnerops/rules"
	"partnerops/store"
)

// Refusals the payment activities answer with, as Temporal error types.
const (
	InsufficientBalance = "InsufficientBalance" // the payer's account holds less than the order
	OrderNotPayable     = "OrderNotPayable"     // the order no longer waits for a payment
)

// Payments moves the money of an order's payment and the order with it.
type Payments struct {
	Store *store.Store
}

// Movement is one payment of an order: who pays what, under which
// reference (the same reference never moves money twice).
type Movement struct {
	Reference  string      `json:"reference"`
	Payer      string      `json:"payer"` // partner or customer
	PartnerID  string      `json:"partner_id"`
	CustomerID string      `json:"customer_id"`
	OrderID    string      `json:"order_id"`
	Amount     rules.Money `json:"amount"`
}

// Debit takes the order's amount from the payer's account, once per
// reference: a retry after a crash that followed the commit moves nothing.
func (a *Payments) Debit(ctx context.Context, m Movement) error {
	err := a.Store.PayOrder(ctx, m.Payer, m.PartnerID, m.CustomerID, m.OrderID, m.Amount, m.Reference)
	var short *store.InsufficientBalanceError
	if errors.As(err, &short) {
		return temporal.NewNonRetryableApplicationError(short.Error(), InsufficientBalance, nil)
	}
	return err
}

// Refund gives a debit back, once.
func (a *Payments) Refund(ctx context.Context, m Movement) error {
	return a.Store.RefundOrderPayment(ctx, m.Reference)
}

// MarkOrderPaid records that the payer paid the order.
func (a *Payments) MarkOrderPaid(ctx context.Context, m Movement) error {
	return orderError(a.Store.MarkOrderPaid(ctx, m.OrderID, m.Payer))
}

// HandBackOrder gives the order to the customer to pay itself.
func (a *Payments) HandBackOrder(ctx context.Context, orderID string) error {
	return orderError(a.Store.HandBackOrder(ctx, orderID))
}

// CancelOrder cancels an order nobody paid by its deadline.
func (a *Payments) CancelOrder(ctx context.Context, orderID string) error {
	return orderError(a.Store.CancelOrder(ctx, orderID))
}

// orderError makes an order that cannot move a non-retryable refusal: no
// retry would change it.
func orderError(err error) error {
	if errors.Is(err, store.ErrOrderNotPayable) {
		return temporal.NewNonRetryableApplicationError(err.Error(), OrderNotPayable, nil)
	}
	return err
}
