package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

func (s *Server) marketplaceRoutes(v1 fiber.Router) {
	v1.Get("/customers/:customer_id/marketplace-orders", s.listMarketplaceOrders)
	v1.Post("/customers/:customer_id/marketplace-orders", s.placeMarketplaceOrder)
	v1.Get("/customers/:customer_id/marketplace-orders/:order_id", s.getMarketplaceOrder)
}

// marketplaceOrderView is a marketplace order as the API shows it.
type marketplaceOrderView struct {
	ID           string       `json:"id"`
	CustomerID   string       `json:"customer_id"`
	Product      string       `json:"product"`
	Amount       rules.Money  `json:"amount"`
	ResellerID   string       `json:"reseller_id"`
	SalesChannel string       `json:"sales_channel"`
	MarginTo     string       `json:"margin_to"`
	Status       string       `json:"status"`
	PlacedBy     *cases.Actor `json:"placed_by,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
}

func marketplaceOrderOf(o store.Order) marketplaceOrderView {
	v := marketplaceOrderView{
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
func (s *Server) placeMarketplaceOrder(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if p.Role != cases.RoleCustomer {
		return forbidden("only the customer itself places its marketplace orders")
	}
	var in rules.MarketplaceOrder
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	problems := in.Validate()
	var partner rules.AssociatedPartner
	if cust.PartnerID.Valid {
		partner = rules.AssociatedPartner{
			ID: cust.PartnerID.String, Name: cust.PartnerName.String, Type: rules.PartnerType(cust.PartnerType.String),
		}
	}
	sale, saleProblems := rules.AttributeMarketplaceSale(in.ResellerID, partner)
	problems = append(problems, saleProblems...)
	if len(problems) > 0 {
		return invalid(problems)
	}
	in = in.Normalized()
	idem, err := idempotency(c)
	if err != nil {
		return err
	}
	o, _, err := s.store.RecordMarketplaceOrder(c.UserContext(), store.NewMarketplaceOrder{
		CustomerID: cust.ID, CustomerPartnerID: cust.PartnerID.String,
		Product: in.Product, Amount: in.Amount.Amount, Currency: in.Amount.Currency,
		ResellerID: sale.ResellerID, SalesChannel: string(sale.SalesChannel), MarginTo: string(sale.MarginTo),
		PlacedBy: &p,
	}, idem)
	if err != nil {
		return err
	}
	c.Location("/v1/customers/" + cust.ID + "/marketplace-orders/" + o.ID)
	return c.Status(fiber.StatusCreated).JSON(marketplaceOrderOf(o))
}

// listMarketplaceOrders serves GET /v1/customers/{id}/marketplace-orders, newest first.
func (s *Server) listMarketplaceOrders(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	list, next, err := pageOfOne(c, cust.ID, s.store.CustomerMarketplaceOrders)
	return answerList(c, "orders", list, next, err, marketplaceOrderOf)
}

// getMarketplaceOrder serves GET /v1/customers/{id}/marketplace-orders/{order_id}.
func (s *Server) getMarketplaceOrder(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	o, err := s.store.CustomerMarketplaceOrder(c.UserContext(), cust.ID, c.Params("order_id"))
	return answerOne(c, "marketplace order "+c.Params("order_id"), o, err, marketplaceOrderOf)
}
