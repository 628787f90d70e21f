package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// Order channels, types and states. Today only completed marketplace
// purchases are recorded; cloud orders are to join the same table.
const (
	OrderChannelMarketplace = "marketplace"
	OrderTypeNew            = "new"
	OrderCompleted          = "completed"
)

// Order is a purchase by a customer or by a partner's own account.
type Order struct {
	ID             string         `db:"id"`
	Channel        string         `db:"channel"`
	Type           string         `db:"type"`
	Status         string         `db:"status"`
	CustomerID     sql.NullString `db:"customer_id"`
	BuyerPartnerID sql.NullString `db:"buyer_partner_id"`
	PaidBy         string         `db:"paid_by"`
	Product        string         `db:"product"`
	Amount         int64          `db:"amount"`
	Currency       string         `db:"currency"`
	ResellerID     sql.NullString `db:"reseller_id"`
	SalesChannel   string         `db:"sales_channel"`
	MarginTo       string         `db:"margin_to"`
	PlacedBy       sql.NullString `db:"placed_by"`
	PlacedByRole   sql.NullString `db:"placed_by_role"`
	PlacedByName   sql.NullString `db:"placed_by_name"`
	CreatedAt      time.Time      `db:"created_at"`
	CompletedAt    sql.NullTime   `db:"completed_at"`
}

const orderColumns = `id, channel, type, status, customer_id, buyer_partner_id, paid_by, product, amount, currency,
	reseller_id, sales_channel, margin_to, placed_by, placed_by_role, placed_by_name, created_at, completed_at`

func (o *Order) utc() {
	o.CreatedAt = o.CreatedAt.UTC()
	if o.CompletedAt.Valid {
		o.CompletedAt.Time = o.CompletedAt.Time.UTC()
	}
}

// NewMarketplaceOrder is a completed marketplace purchase to record, whose
// sale attribution was already decided (rules.AttributeMarketplaceSale).
type NewMarketplaceOrder struct {
	// The buyer: a customer, or a partner's own account (BuyerPartnerID).
	CustomerID     string
	BuyerPartnerID string
	// CustomerPartnerID is the partner the customer was associated with
	// when the attribution was decided ("" for none); if that changed
	// meanwhile, nothing is written and ErrAssociationChanged returned.
	CustomerPartnerID string

	Product      string
	Amount       int64
	Currency     string
	ResellerID   string // "" for vendor direct sales
	SalesChannel string // partner or vendor_direct
	MarginTo     string // partner or vendor
	PlacedBy     *Principal
	At           time.Time // when it was placed and completed; zero means now
}

// RecordMarketplaceOrder records a completed marketplace order, with its
// audit entry when a principal placed it. With idem, a repeated request
// returns the order the first created (created false), and another request
// with the same key ErrIdempotencyConflict.
func (s *Store) RecordMarketplaceOrder(ctx context.Context, o NewMarketplaceOrder, idem *Idempotency) (Order, bool, error) {
	if (o.CustomerID == "") == (o.BuyerPartnerID == "") {
		return Order{}, false, errors.New("an order has one buyer: a customer or a partner")
	}
	id := NewID("ord")
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}
	paidBy := "customer"
	if o.BuyerPartnerID != "" {
		paidBy = "partner"
	}
	var by Principal
	if o.PlacedBy != nil {
		by = *o.PlacedBy
	}
	read := func(ctx context.Context, q sqlx.QueryerContext, id string) (Order, error) {
		var order Order
		err := sqlx.GetContext(ctx, q, &order, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id)
		return order, err
	}
	order, replayed, err := createIdempotently(ctx, s, idem, id, read, func(tx *sqlx.Tx) (Order, error) {
		var order Order
		auditPartner := o.BuyerPartnerID
		if o.CustomerID != "" {
			c, err := customer(ctx, tx, o.CustomerID, true)
			if err != nil {
				return Order{}, err
			}
			if c.PartnerID.String != o.CustomerPartnerID {
				return Order{}, ErrAssociationChanged
			}
			auditPartner = c.PartnerID.String
		}
		if err := tx.GetContext(ctx, &order, `
			INSERT INTO orders (id, channel, type, status, customer_id, buyer_partner_id, paid_by, product, amount,
			                    currency, reseller_id, sales_channel, margin_to, placed_by, placed_by_role,
			                    placed_by_name, created_at, completed_at)
			VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7, $8, $9, $10, NULLIF($11, ''), $12, $13,
			        NULLIF($14, ''), NULLIF($15, ''), NULLIF($16, ''), $17, $17)
			RETURNING `+orderColumns,
			id, OrderChannelMarketplace, OrderTypeNew, OrderCompleted, o.CustomerID, o.BuyerPartnerID, paidBy,
			o.Product, o.Amount, o.Currency, o.ResellerID, o.SalesChannel, o.MarginTo,
			by.ID, by.Role, by.Name, at); err != nil {
			return Order{}, err
		}
		if by.ID == "" {
			return order, nil
		}
		return order, recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: auditPartner, Action: "marketplace_order.placed", TargetKind: "order", TargetID: id,
			Detail: map[string]any{
				"customer_id": o.CustomerID, "product": o.Product, "amount": o.Amount, "currency": o.Currency,
				"reseller_id": o.ResellerID, "sales_channel": o.SalesChannel, "margin_to": o.MarginTo,
			},
		})
	})
	order.utc()
	return order, !replayed, err
}

// CustomerMarketplaceOrders returns page p of the customer's marketplace
// orders, newest first, and the cursor of the next page ("" on the last).
func (s *Store) CustomerMarketplaceOrders(ctx context.Context, customerID string, p Page) ([]Order, string, error) {
	q := listQuery{from: `SELECT ` + orderColumns + ` FROM orders`, order: newestFirst("created_at", "id")}
	q.and("customer_id = %s AND channel = %s", customerID, OrderChannelMarketplace)
	list, next, err := selectPage(ctx, s, q, p, func(o Order) []any { return []any{o.CreatedAt, o.ID} })
	for i := range list {
		list[i].utc()
	}
	return list, next, err
}

// CustomerMarketplaceOrder reads one of the customer's marketplace orders:
// ErrNotFound when the customer has no such order.
func (s *Store) CustomerMarketplaceOrder(ctx context.Context, customerID, id string) (Order, error) {
	var o Order
	err := s.db.GetContext(ctx, &o, `SELECT `+orderColumns+` FROM orders WHERE id = $1 AND customer_id = $2 AND channel = $3`,
		id, customerID, OrderChannelMarketplace)
	o.utc()
	return o, notFoundIfNoRows(err)
}

// Revenue is the revenue of one currency: the sum of completed orders.
type Revenue struct {
	Currency string `db:"currency"`
	Amount   int64  `db:"amount"`
	Count    int    `db:"charges"`
}

// Performance is a partner's revenue of one calendar year, by its parts.
type Performance struct {
	// From and Until bound the year: its first instant and the next
	// year's, in the business time zone.
	From, Until time.Time
	// Orders are the completed orders of the partner's own account and of
	// the customers it held when they were sold (sold through it, not
	// vendor-direct); Renewals the renewal charges of the customers it held
	// when they were charged. Each is one sum per currency, in currency order.
	Orders, Renewals []Revenue
	// Customers is how many of its (then) customers these charges count.
	Customers int
}

// PartnerPerformance is the partner's annual performance: the revenue of
// one calendar year in timeZone (an IANA name, e.g. Asia/Shanghai), each
// charge credited to the partner that held the customer when it was made,
// so a dissociated customer's past revenue stays where it was earned.
// Vendor-direct sales count for no partner.
func (s *Store) PartnerPerformance(ctx context.Context, partnerID string, year int, timeZone string) (Performance, error) {
	var rows []struct {
		Part      string    `db:"part"`
		Currency  string    `db:"currency"`
		Amount    int64     `db:"amount"`
		Charges   int       `db:"charges"`
		Customers int       `db:"customers"`
		From      time.Time `db:"from_at"`
		Until     time.Time `db:"until_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		WITH bounds AS (
			SELECT make_timestamptz($2::int, 1, 1, 0, 0, 0, $3) AS from_at,
			       make_timestamptz($2::int + 1, 1, 1, 0, 0, 0, $3) AS until_at
		), charges AS (
			SELECT 'orders' AS part, o.currency, o.amount, o.customer_id FROM orders o, bounds b
			WHERE o.status = 'completed' AND o.completed_at >= b.from_at AND o.completed_at < b.until_at
			  AND (o.buyer_partner_id = $1 OR (o.sales_channel = 'partner' AND o.reseller_id = $1 AND o.customer_id IS NOT NULL))
			UNION ALL
			SELECT 'renewals', r.currency, r.amount, r.customer_id FROM resource_renewals r, bounds b
			WHERE r.partner_id = $1 AND r.renewed_at >= b.from_at AND r.renewed_at < b.until_at
		), sums AS (
			SELECT part, currency, sum(amount)::bigint AS amount, count(*) AS charges FROM charges GROUP BY part, currency
		)
		SELECT COALESCE(s.part, '') AS part, COALESCE(s.currency, '') AS currency, COALESCE(s.amount, 0) AS amount,
		       COALESCE(s.charges, 0) AS charges, (SELECT count(DISTINCT customer_id) FROM charges) AS customers, b.from_at, b.until_at
		FROM bounds b LEFT JOIN sums s ON true ORDER BY s.part, s.currency`, partnerID, year, timeZone)
	perf := Performance{Orders: []Revenue{}, Renewals: []Revenue{}}
	if err != nil || len(rows) == 0 {
		return perf, err
	}
	perf.From, perf.Until, perf.Customers = rows[0].From, rows[0].Until, rows[0].Customers
	for _, r := range rows {
		rev := Revenue{Currency: r.Currency, Amount: r.Amount, Count: r.Charges}
		switch r.Part {
		case "orders":
			perf.Orders = append(perf.Orders, rev)
		case "renewals":
			perf.Renewals = append(perf.Renewals, rev)
		}
	}
	return perf, nil
}
