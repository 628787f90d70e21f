package store

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/rules"
)

// PostingCustomerDebit is a customer paying an order from its account:
// customer -> vendor revenue.
const PostingCustomerDebit PostingKind = "customer_debit"

// PayOrder takes an order's amount from the payer's account (the partner's,
// or the customer's money within the partner's books that may buy the
// order's product) for the vendor, exactly once per reference. It fails
// with *InsufficientBalanceError, writing nothing, when the account holds less.
func (s *Store) PayOrder(ctx context.Context, payer, partnerID, customerID, orderID string, amount rules.Money, reference string) error {
	memo := "order payment " + reference
	if payer == rules.PayerPartner {
		_, _, err := s.DebitPartner(ctx, partnerID, amount, reference, memo)
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var product string
		if err := tx.GetContext(ctx, &product, `SELECT product FROM orders WHERE id = $1`, orderID); err != nil {
			return notFoundIfNoRows(err)
		}
		_, _, err := customerDebit(ctx, tx, partnerID, customerID, product, amount, reference, memo)
		return err
	})
}

// customerDebit is a customer paying an order for product, under the same
// reference scheme as DebitPartner.
func customerDebit(ctx context.Context, tx *sqlx.Tx, partnerID, customerID, product string, amount rules.Money, reference, memo string) (Posting, bool, error) {
	return chargeCustomer(ctx, tx, PostingCustomerDebit, "debit:"+reference, partnerID, customerID, product, amount, memo)
}

// RefundOrderPayment reverses the payment made under reference, once.
func (s *Store) RefundOrderPayment(ctx context.Context, reference string) error {
	var postingID string
	if err := s.db.GetContext(ctx, &postingID, `SELECT id FROM money_postings WHERE reference = $1`, "debit:"+reference); err != nil {
		return notFoundIfNoRows(err)
	}
	_, _, err := s.ReversePosting(ctx, postingID, "refund of order payment "+reference)
	return err
}

// ErrOrderExpired is a payment for an order past its payment deadline; the
// order is cancelled.
var ErrOrderExpired = errors.New("the order's payment deadline has passed; it is cancelled")

// ErrNoAccount is a payment by a customer without a partner: it has no
// account here (it pays through the vendor's own billing).
var ErrNoAccount = errors.New("the customer has no account here")

// PayOwnOrder lets a customer pay an order it chose to pay itself: its
// account is debited and the order marked paid in one transaction, once
// (paying it again changes nothing). An order past its deadline is
// cancelled instead (ErrOrderExpired); one run by a partner payment case is
// paid through that case (ErrOrderNotPayable).
func (s *Store) PayOwnOrder(ctx context.Context, customerID, orderID string, now time.Time) (CloudOrder, error) {
	var o CloudOrder
	expired := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &o, `SELECT `+cloudOrderColumns+` FROM orders
			WHERE id = $1 AND customer_id = $2 AND channel = 'cloud' FOR UPDATE`, orderID, customerID); err != nil {
			return notFoundIfNoRows(err)
		}
		switch {
		case o.Status == OrderCompleted && o.PaidBy.String == rules.PayerCustomer:
			return nil
		case o.Status != OrderPendingPayment || o.CaseID.Valid:
			return ErrOrderNotPayable
		case !o.PartnerID.Valid:
			return ErrNoAccount
		case !now.Before(o.PaymentDeadline):
			expired = true
			return tx.GetContext(ctx, &o, `UPDATE orders SET status = 'cancelled', cancelled_at = $2 WHERE id = $1
				RETURNING `+cloudOrderColumns, orderID, now)
		}
		amount := rules.Money{Amount: o.Amount, Currency: o.Currency}
		if _, _, err := customerDebit(ctx, tx, o.PartnerID.String, customerID, o.Product, amount,
			orderID+"/customer-payment", "order payment "+orderID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &o, `UPDATE orders SET status = 'completed', paid_by = $2, completed_at = $3
			WHERE id = $1 RETURNING `+cloudOrderColumns, orderID, rules.PayerCustomer, now)
	})
	o.utc()
	if err == nil && expired {
		err = ErrOrderExpired
	}
	return o, err
}
