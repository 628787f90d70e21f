package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/rules"
)

// Cloud orders: a customer's one-time payments (new purchase, spec change,
// renewal, on-demand to yearly/monthly), paid by the customer or, on its
// request, by its partner, before a payment deadline.
const (
	OrderChannelCloud          = "cloud"
	OrderPendingPartnerPayment = "pending_partner_payment" // the partner approves or declines
	OrderPendingPayment        = "pending_payment"         // the customer pays itself
	OrderCancelled             = "cancelled"               // not paid by its deadline
)

// ErrOrderNotPayable is a payment for an order that no longer waits for one
// (cancelled, or paid otherwise).
var ErrOrderNotPayable = errors.New("the order does not wait for a payment")

// CloudOrder is a customer's order of a one-time payment scenario.
type CloudOrder struct {
	ID              string         `db:"id"`
	CustomerID      string         `db:"customer_id"`
	PartnerID       sql.NullString `db:"reseller_id"` // the customer's partner when it was placed
	Scenario        string         `db:"type"`
	Status          string         `db:"status"`
	PayerRequested  string         `db:"payer_requested"`
	PaidBy          sql.NullString `db:"paid_by"`
	Product         string         `db:"product"`
	Amount          int64          `db:"amount"`
	Currency        string         `db:"currency"`
	PaymentDeadline time.Time      `db:"payment_deadline"`
	CaseID          sql.NullString `db:"case_id"`
	PlacedByName    sql.NullString `db:"placed_by_name"`
	CreatedAt       time.Time      `db:"created_at"`
	CompletedAt     sql.NullTime   `db:"completed_at"`
	CancelledAt     sql.NullTime   `db:"cancelled_at"`
}

const cloudOrderColumns = `id, customer_id, reseller_id, type, status, payer_requested, paid_by, product, amount,
	currency, payment_deadline, case_id, placed_by_name, created_at, completed_at, cancelled_at`

func (o *CloudOrder) utc() {
	o.CreatedAt, o.PaymentDeadline = o.CreatedAt.UTC(), o.PaymentDeadline.UTC()
	o.CompletedAt.Time, o.CancelledAt.Time = o.CompletedAt.Time.UTC(), o.CancelledAt.Time.UTC()
}

// NewCloudOrder is an order to place.
type NewCloudOrder struct {
	ID              string
	CustomerID      string
	PartnerID       string // the customer's partner, as the eligibility was judged ("" for none)
	Scenario        rules.PaymentScenario
	Product         string
	Amount          rules.Money
	Payer           string // rules.PayerCustomer or rules.PayerPartner
	PaymentDeadline time.Time
	PlacedBy        Principal
	PlacedAt        time.Time
}

// PlaceCloudOrder records an order. With the partner as payer it opens the
// order's partner payment case, with its workflow's start request, in the
// same transaction (paymentCase, whose ID the idempotency key then stands
// for); otherwise the key stands for the order. A repeated request returns
// what the first created.
func (s *Store) PlaceCloudOrder(ctx context.Context, o NewCloudOrder, paymentCase *NewCase, idem *Idempotency) (CloudOrder, error) {
	resource := o.ID
	if paymentCase != nil {
		resource = paymentCase.ID
	}
	read := func(ctx context.Context, q sqlx.QueryerContext, id string) (CloudOrder, error) {
		var order CloudOrder
		err := sqlx.GetContext(ctx, q, &order, `SELECT `+cloudOrderColumns+` FROM orders WHERE id = $1 OR case_id = $1`, id)
		return order, err
	}
	order, _, err := createIdempotently(ctx, s, idem, resource, read, func(tx *sqlx.Tx) (CloudOrder, error) {
		var order CloudOrder
		c, err := customer(ctx, tx, o.CustomerID, true)
		if err != nil {
			return order, err
		}
		if c.PartnerID.String != o.PartnerID {
			return order, ErrAssociationChanged
		}
		status, caseID := OrderPendingPayment, ""
		if paymentCase != nil {
			status, caseID = OrderPendingPartnerPayment, paymentCase.ID
			if _, err := insertCase(ctx, tx, *paymentCase); err != nil {
				return order, err
			}
		}
		salesChannel, marginTo := "vendor_direct", "vendor"
		if o.PartnerID != "" {
			salesChannel, marginTo = "partner", "partner"
		}
		if err := tx.GetContext(ctx, &order, `
			INSERT INTO orders (id, channel, type, status, customer_id, product, amount, currency, reseller_id,
			                    sales_channel, margin_to, placed_by, placed_by_role, placed_by_name, created_at,
			                    payer_requested, payment_deadline, case_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), $10, $11, $12, $13, $14, $15, $16, $17, NULLIF($18, ''))
			RETURNING `+cloudOrderColumns,
			o.ID, OrderChannelCloud, o.Scenario, status, o.CustomerID, o.Product, o.Amount.Amount, o.Amount.Currency,
			o.PartnerID, salesChannel, marginTo, o.PlacedBy.ID, o.PlacedBy.Role, o.PlacedBy.Name, o.PlacedAt,
			o.Payer, o.PaymentDeadline, caseID); err != nil {
			return order, err
		}
		return order, recordAudit(ctx, tx, AuditEntry{
			PrincipalID: o.PlacedBy.ID, PartnerID: o.PartnerID, Action: "order.placed", TargetKind: "order", TargetID: o.ID,
			Detail: map[string]any{"scenario": o.Scenario, "amount": o.Amount, "payer": o.Payer, "case_id": caseID},
		})
	})
	order.utc()
	return order, err
}

// CloudOrderStatuses are the states a cloud order can be in.
func CloudOrderStatuses() []string {
	return []string{OrderPendingPartnerPayment, OrderPendingPayment, OrderCompleted, OrderCancelled}
}

// CloudOrderFilter narrows a customer's cloud orders; zero values do not filter.
type CloudOrderFilter struct {
	Status string
}

// CustomerCloudOrders returns page p of the customer's cloud orders f lets
// through, newest first, and the cursor of the next page ("" on the last).
func (s *Store) CustomerCloudOrders(ctx context.Context, customerID string, f CloudOrderFilter, p Page) ([]CloudOrder, string, error) {
	q := listQuery{from: `SELECT ` + cloudOrderColumns + ` FROM orders`, order: newestFirst("created_at", "id")}
	q.and("customer_id = %s AND channel = %s", customerID, OrderChannelCloud)
	if f.Status != "" {
		q.and("status = %s", f.Status)
	}
	list, next, err := selectPage(ctx, s, q, p, func(o CloudOrder) []any { return []any{o.CreatedAt, o.ID} })
	for i := range list {
		list[i].utc()
	}
	return list, next, err
}

// CustomerCloudOrder reads one of the customer's cloud orders.
func (s *Store) CustomerCloudOrder(ctx context.Context, customerID, id string) (CloudOrder, error) {
	var o CloudOrder
	err := s.db.GetContext(ctx, &o, `SELECT `+cloudOrderColumns+` FROM orders
		WHERE id = $1 AND customer_id = $2 AND channel = 'cloud'`, id, customerID)
	o.utc()
	return o, notFoundIfNoRows(err)
}

// PaymentRequests returns page p of the orders waiting for the partner to
// pay, soonest deadline first, and the cursor of the next page ("" on the
// last).
func (s *Store) PaymentRequests(ctx context.Context, partnerID string, p Page) ([]CloudOrder, string, error) {
	q := listQuery{
		from:  `SELECT ` + cloudOrderColumns + ` FROM orders`,
		order: keyset{columns: []keyColumn{{"payment_deadline", keyTime}, {"id", keyText}}},
	}
	q.and("reseller_id = %s AND channel = %s AND status = %s", partnerID, OrderChannelCloud, OrderPendingPartnerPayment)
	list, next, err := selectPage(ctx, s, q, p, func(o CloudOrder) []any { return []any{o.PaymentDeadline, o.ID} })
	for i := range list {
		list[i].utc()
	}
	return list, next, err
}

// MarkOrderPaid records that payer paid the order. Only the payer the order
// waits for may pay it: a partner's payment of an order handed back to its
// customer (or the customer's of one still waiting for its partner) is
// ErrOrderNotPayable, so no order is paid twice. Marking it paid by the same
// payer again changes nothing.
func (s *Store) MarkOrderPaid(ctx context.Context, orderID, payer string) error {
	waiting := OrderPendingPayment
	if payer == rules.PayerPartner {
		waiting = OrderPendingPartnerPayment
	}
	return s.moveOrder(ctx, orderID, `status = 'completed', paid_by = $2, completed_at = now()`,
		[]string{waiting}, func(o CloudOrder) bool {
			return o.Status == OrderCompleted && o.PaidBy.String == payer
		}, payer)
}

// HandBackOrder makes an order waiting for its partner wait for the customer.
func (s *Store) HandBackOrder(ctx context.Context, orderID string) error {
	return s.moveOrder(ctx, orderID, `status = 'pending_payment'`,
		[]string{OrderPendingPartnerPayment}, func(o CloudOrder) bool { return o.Status == OrderPendingPayment })
}

// CancelOrder cancels an order nobody paid.
func (s *Store) CancelOrder(ctx context.Context, orderID string) error {
	return s.moveOrder(ctx, orderID, `status = 'cancelled', cancelled_at = now()`,
		[]string{OrderPendingPartnerPayment, OrderPendingPayment}, func(o CloudOrder) bool { return o.Status == OrderCancelled })
}

// moveOrder changes an order from one of the from states with set; when it
// is in none of them, done says whether it already is where the change
// would take it (a repeat: nothing to do) or the change is not possible.
func (s *Store) moveOrder(ctx context.Context, orderID, set string, from []string, done func(CloudOrder) bool, args ...any) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var o CloudOrder
		if err := tx.GetContext(ctx, &o, `SELECT `+cloudOrderColumns+` FROM orders WHERE id = $1 FOR UPDATE`, orderID); err != nil {
			return notFoundIfNoRows(err)
		}
		for _, state := range from {
			if o.Status == state {
				_, err := tx.ExecContext(ctx, `UPDATE orders SET `+set+` WHERE id = $1`, append([]any{orderID}, args...)...)
				return err
			}
		}
		if done(o) {
			return nil
		}
		return ErrOrderNotPayable
	})
}
