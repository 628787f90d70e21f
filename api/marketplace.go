package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

type marketplaceOrdersOutput struct {
	Body struct {
		Orders []MarketplaceOrder `json:"orders" doc:"Newest first"`
		NextPage
	}
}

// MarketplaceOrderInput is a marketplace order as sent: the rules' type
// under its own schema name. Its fields are checked in the handler, with
// reseller_id, which depends on the customer's association, so that every
// bad field is named at once.
type MarketplaceOrderInput rules.MarketplaceOrder

type placeMarketplaceOrderInput struct {
	CustomerPath
	Idempotent
	Body MarketplaceOrderInput
}

type marketplaceOrderCreatedOutput struct {
	Location string `header:"Location" doc:"/v1/customers/{customer_id}/marketplace-orders/{order_id}"`
	Body     MarketplaceOrder
}

type marketplaceOrderInput struct {
	CustomerPath
	OrderID string `path:"order_id" maxLength:"64" doc:"The order's ID"`
}

func (s *Server) marketplaceRoutes() {
	register(s, huma.Operation{
		OperationID: "listMarketplaceOrders", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/marketplace-orders",
		Tags: []string{"marketplace"}, Summary: "The customer's marketplace orders",
		Description: "Newest first. The customer itself, the members of its partner and staff; anyone else 404.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, readCustomer, s.listMarketplaceOrders)
	register(s, huma.Operation{
		OperationID: "placeMarketplaceOrder", Method: http.MethodPost, Path: "/v1/customers/{customer_id}/marketplace-orders",
		Tags: []string{"marketplace"}, Summary: "Record a marketplace (严选商城) order",
		Description: "The customer itself records a completed marketplace purchase (its partner and staff: 403; anyone else 404). " +
			"`reseller_id` must be the ID of the solution provider the customer is associated with: the sale is then the partner's and so is " +
			"the margin (`sales_channel` `partner`, `margin_to` `partner`). Empty or absent, the order is vendor direct sales and the vendor " +
			"keeps the margin (`vendor_direct`, `vendor`). Any other ID (another partner, the customer's partner when it is not a solution " +
			"provider, e.g. a cloud reseller, anything else) is refused with 422 naming `reseller_id`, together with every other bad field " +
			"(`product` 1-200 characters; `amount.amount` integer minor units from 1 to 10^15; `amount.currency` 3 upper-case letters). " +
			"Recorded orders are completed purchases: revenue in the partners' annual performance.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, customerItself, s.placeMarketplaceOrder)
	register(s, huma.Operation{
		OperationID: "getMarketplaceOrder", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/marketplace-orders/{order_id}",
		Tags: []string{"marketplace"}, Summary: "A marketplace order",
		Description: "One of the customer's marketplace orders; as the list, for the same callers.",
	}, readCustomer, s.getMarketplaceOrder)
}

// MarketplaceOrder is a marketplace order as the API shows it.
type MarketplaceOrder struct {
	ID           string       `json:"id"`
	CustomerID   string       `json:"customer_id"`
	Product      string       `json:"product"`
	Amount       rules.Money  `json:"amount"`
	ResellerID   string       `json:"reseller_id" doc:"The solution provider that sold it; empty for vendor direct sales"`
	SalesChannel string       `json:"sales_channel" enum:"partner,vendor_direct"`
	MarginTo     string       `json:"margin_to" enum:"partner,vendor" doc:"Who keeps the margin"`
	Status       string       `json:"status" enum:"completed" doc:"Marketplace orders are recorded completed"`
	PlacedBy     *cases.Actor `json:"placed_by,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
}

func marketplaceOrderOf(o store.Order) MarketplaceOrder {
	v := MarketplaceOrder{
		ID: o.ID, CustomerID: o.CustomerID.String, Product: o.Product,
		Amount:     rules.Money{Amount: o.Amount, Currency: o.Currency},
		ResellerID: o.ResellerID.String, SalesChannel: o.SalesChannel, MarginTo: o.MarginTo, Status: o.Status,
		CreatedAt: o.CreatedAt.UTC(),
	}
	if o.PlacedBy.Valid {
		v.PlacedBy = actorOf(o.PlacedBy.String, o.PlacedByRole.String, o.PlacedByName.String)
	}
	return v
}

// placeMarketplaceOrder serves POST /v1/customers/{id}/marketplace-orders:
// the customer records a completed marketplace purchase, sold through its
// solution provider (reseller_id) or directly by the vendor (empty).
func (s *Server) placeMarketplaceOrder(ctx context.Context, in *placeMarketplaceOrderInput) (*marketplaceOrderCreatedOutput, error) {
	cust, err := s.customerFor(ctx, customerItself, in.CustomerID)
	if err != nil {
		return nil, err
	}
	order := rules.MarketplaceOrder(in.Body)
	problems := order.Validate()
	var partner rules.AssociatedPartner
	if cust.PartnerID.Valid {
		partner = rules.AssociatedPartner{
			ID: cust.PartnerID.String, Name: cust.PartnerName.String, Type: rules.PartnerType(cust.PartnerType.String),
		}
	}
	sale, saleProblems := rules.AttributeMarketplaceSale(order.ResellerID, partner)
	problems = append(problems, saleProblems...)
	if len(problems) > 0 {
		return nil, invalid(problems)
	}
	order = order.Normalized()
	p := principalOf(ctx)
	o, _, err := s.store.RecordMarketplaceOrder(ctx, store.NewMarketplaceOrder{
		CustomerID: cust.ID, CustomerPartnerID: cust.PartnerID.String,
		Product: order.Product, Amount: order.Amount.Amount, Currency: order.Amount.Currency,
		ResellerID: sale.ResellerID, SalesChannel: string(sale.SalesChannel), MarginTo: string(sale.MarginTo),
		PlacedBy: &p,
	}, in.Idempotent.claim(ctx))
	if err != nil {
		return nil, err
	}
	return &marketplaceOrderCreatedOutput{
		Location: "/v1/customers/" + cust.ID + "/marketplace-orders/" + o.ID, Body: marketplaceOrderOf(o),
	}, nil
}

// listMarketplaceOrders serves GET /v1/customers/{id}/marketplace-orders, newest first.
func (s *Server) listMarketplaceOrders(ctx context.Context, in *customerPageInput) (*marketplaceOrdersOutput, error) {
	out := &marketplaceOrdersOutput{}
	var err error
	out.Body.Orders, out.Body.NextCursor, err = customerPage(ctx, s, in, s.store.CustomerMarketplaceOrders, marketplaceOrderOf)
	return out, err
}

// getMarketplaceOrder serves GET /v1/customers/{id}/marketplace-orders/{order_id}.
func (s *Server) getMarketplaceOrder(ctx context.Context, in *marketplaceOrderInput) (*bodyOf[MarketplaceOrder], error) {
	return customerRecord(ctx, s, in.CustomerID, "marketplace order", in.OrderID, s.store.CustomerMarketplaceOrder, marketplaceOrderOf)
}
