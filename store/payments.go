package store

import (
	"context"
	"errors"

	"partnerops/rules"
)

// PostingCustomerDebit is a customer paying an order from its account:
// customer -> vendor revenue.
const PostingCustomerDebit PostingKind = "customer_debit"

// PayOrder takes an order's amount from the payer's account (the partner's,
// or the customer's within the partner's books) for the vendor, exactly once
// per reference. It fails with *InsufficientBalanceError, writing nothing,
// when the account holds less.
func (s *Store) PayOrder(ctx context.Context, payer, partnerID, customerID string, amount rules.Money, reference string) error {
	if reference == "" {
		return errors.New("PayOrder: the reference is required")
	}
	from, kind := PartnerAccount(partnerID), PostingPartnerDebit
	if payer == PayerCustomer {
		from, kind = CustomerAccount(partnerID, customerID), PostingCustomerDebit
	}
	_, _, err := s.Post(ctx, PostingRequest{
		Kind: kind, Reference: "payment:" + reference, From: from, To: VendorRevenueAccount(partnerID),
		Amount: amount, Memo: "order payment " + reference,
	})
	return err
}

// RefundOrderPayment reverses the payment made under reference, once.
func (s *Store) RefundOrderPayment(ctx context.Context, reference string) error {
	var postingID string
	if err := s.db.GetContext(ctx, &postingID, `SELECT id FROM money_postings WHERE reference = $1`, "payment:"+reference); err != nil {
		return notFoundIfNoRows(err)
	}
	_, _, err := s.ReversePosting(ctx, postingID, "refund of order payment "+reference)
	return err
}
