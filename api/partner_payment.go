package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

func (s *Server) orderRoutes(v1 fiber.Router) {
	v1.Post("/customers/:customer_id/orders", s.placeOrder)
	v1.Get("/customers/:customer_id/orders", s.listOrders)
	v1.Get("/customers/:customer_id/orders/:order_id", s.getOrder)
	v1.Post("/customers/:customer_id/orders/:order_id/pay", s.payOwnOrder)
	v1.Get("/partners/:partner_id/payment-requests", s.listPaymentRequests)
}

// cloudOrderView is a cloud order as the API shows it.
type cloudOrderView struct {
	ID              string      `json:"id"`
	CustomerID      string      `json:"customer_id"`
	PartnerID       string      `json:"partner_id,omitempty"`
	Scenario        string      `json:"scenario"`
	Product         string      `json:"product"`
	Amount          rules.Money `json:"amount"`
	Status          string      `json:"status"`
	Payer           string      `json:"payer"` // whom the customer chose
	PaidBy          string      `json:"paid_by,omitempty"`
	PaymentDeadline time.Time   `json:"payment_deadline"`
	CaseID          string      `json:"case_id,omitempty"`
	CreatedAt       time.Time   `json:"created_at"`
	PaidAt          *time.Time  `json:"paid_at,omitempty"`
	CancelledAt     *time.Time  `json:"cancelled_at,omitempty"`
}

func cloudOrderOf(o store.CloudOrder) cloudOrderView {
	v := cloudOrderView{
		ID: o.ID, CustomerID: o.CustomerID, PartnerID: o.PartnerID.String, Scenario: o.Scenario, Product: o.Product,
		Amount: rules.Money{Amount: o.Amount, Currency: o.Currency}, Status: o.Status, Payer: o.PayerRequested,
		PaidBy: o.PaidBy.String, PaymentDeadline: o.PaymentDeadline, CaseID: o.CaseID.String, CreatedAt: o.CreatedAt,
	}
	if o.CompletedAt.Valid {
		v.PaidAt = &o.CompletedAt.Time
	}
	if o.CancelledAt.Valid {
		v.CancelledAt = &o.CancelledAt.Time
	}
	return v
}

// ownCustomer is the customer in the path when the caller is that customer:
// only a customer places and pays its orders. Others who may see it: 403.
func (s *Server) ownCustomer(c *fiber.Ctx) (store.Customer, error) {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return cust, err
	}
	if p := principal(c); p.Role != cases.RoleCustomer {
		return cust, forbidden("only the customer itself places and pays its orders")
	}
	return cust, nil
}

// placeOrder serves POST /v1/customers/{id}/orders. An order the customer
// pays itself answers 201 with the order; one it asks its partner to pay
// starts a partner payment case and answers 202 with the case.
func (s *Server) placeOrder(c *fiber.Ctx) error {
	cust, err := s.ownCustomer(c)
	if err != nil {
		return err
	}
	var in rules.CloudOrderRequest
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if problems := in.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	if in.Payer == rules.PayerPartner {
		if refusal := s.partnerPaymentRefusal(c, cust); refusal != "" {
			return invalid(rules.FieldErrors{{Field: "payer", Message: refusal}})
		}
	}
	idem, err := idempotency(c)
	if err != nil {
		return err
	}
	placed := time.Now().UTC().Truncate(time.Microsecond)
	order := store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: cust.ID, PartnerID: cust.PartnerID.String, Scenario: in.Scenario,
		Product: strings.TrimSpace(in.Product), Amount: *in.Amount, Payer: in.Payer,
		PaymentDeadline: placed.Add(time.Duration(in.PaymentWindowMinutes) * time.Minute),
		PlacedBy:        principal(c), PlacedAt: placed,
	}
	if in.Payer == rules.PayerCustomer {
		placedOrder, err := s.store.PlaceCloudOrder(c.UserContext(), order, nil, idem)
		if err != nil {
			return orderError(err)
		}
		c.Location("/v1/customers/" + cust.ID + "/orders/" + placedOrder.ID)
		return c.Status(fiber.StatusCreated).JSON(cloudOrderOf(placedOrder))
	}
	caseID := store.NewID("cas")
	paymentCase := store.NewCase{
		Case: cases.Case{
			ID: caseID, Kind: cases.KindPartnerPayment, PartnerID: cust.PartnerID.String, CustomerID: cust.ID,
			Status: workflows.PaymentAwaitingPartner, CreatedAt: placed, UpdatedAt: placed,
		},
		Workflow: workflows.PartnerPaymentWorkflow,
		Input: workflows.PartnerPaymentInput{
			CaseID: caseID, OrderID: order.ID, PartnerID: cust.PartnerID.String, CustomerID: cust.ID,
			RequestedBy: actor(principal(c)), Scenario: order.Scenario, Product: order.Product, Amount: order.Amount,
			PlacedAt: placed, OrderDeadline: order.PaymentDeadline,
			PartnerDeadline: rules.PartnerDecisionDeadline(placed, order.PaymentDeadline),
		},
	}
	placedOrder, err := s.store.PlaceCloudOrder(c.UserContext(), order, &paymentCase, idem)
	if err != nil {
		return orderError(err)
	}
	// A repeated request answers the first one's case, and starts it from
	// the start request stored with it.
	opened, start, err := s.store.OpenedCase(c.UserContext(), placedOrder.CaseID.String)
	if err != nil {
		return err
	}
	out, err := s.runCase(c.UserContext(), opened, start)
	return answerStarted(c, out, err)
}

// partnerPaymentRefusal applies the eligibility rule to the customer and
// its partner: "" when the partner may pay its orders.
func (s *Server) partnerPaymentRefusal(c *fiber.Ctx, cust store.Customer) string {
	if !cust.PartnerID.Valid {
		return rules.PartnerPaymentRefusal("", "")
	}
	partner, err := s.store.Partner(c.UserContext(), cust.PartnerID.String)
	if err != nil {
		return "the customer's partner could not be read; try again"
	}
	return rules.PartnerPaymentRefusal(rules.PartnerType(partner.Type), rules.AssociationMode(cust.AssociationMode.String))
}

// orderError turns the store's refusals of an order into problems.
func orderError(err error) error {
	switch {
	case errors.Is(err, store.ErrOrderExpired):
		return conflict("order-expired", "the order's payment deadline has passed; it is cancelled")
	case errors.Is(err, store.ErrOrderNotPayable):
		return conflict("order-not-payable", "the order does not wait for the customer's own payment "+
			"(it is paid, cancelled, or its partner payment case runs it: pay through the case's pay action)")
	case errors.Is(err, store.ErrNoAccount):
		return conflict("no-account", "a customer without a partner has no account here; it pays through the vendor's billing")
	}
	return moneyError(err)
}

// listOrders serves GET /v1/customers/{id}/orders, newest first (status
// narrows them): the customer, its partner's members and staff see them.
func (s *Server) listOrders(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	f := store.CloudOrderFilter{Status: c.Query("status")}
	var bad rules.FieldErrors
	if statuses := store.CloudOrderStatuses(); f.Status != "" && !slices.Contains(statuses, f.Status) {
		bad = append(bad, rules.FieldError{Field: "status", Message: fmt.Sprintf("must be one of %v", statuses)})
	}
	list, next, err := readPage(c, bad, func(ctx context.Context, p store.Page) ([]store.CloudOrder, string, error) {
		return s.store.CustomerCloudOrders(ctx, cust.ID, f, p)
	})
	return answerList(c, "orders", list, next, err, cloudOrderOf)
}

// getOrder serves GET /v1/customers/{id}/orders/{order_id}: the order and who paid it.
func (s *Server) getOrder(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	o, err := s.store.CustomerCloudOrder(c.UserContext(), cust.ID, c.Params("order_id"))
	return answerOne(c, "order "+c.Params("order_id"), o, err, cloudOrderOf)
}

// payOwnOrder serves POST /v1/customers/{id}/orders/{order_id}/pay: the
// customer pays an order it chose to pay itself, from its account.
func (s *Server) payOwnOrder(c *fiber.Ctx) error {
	cust, err := s.ownCustomer(c)
	if err != nil {
		return err
	}
	if err := noBody(c); err != nil {
		return err
	}
	o, err := s.store.PayOwnOrder(c.UserContext(), cust.ID, c.Params("order_id"), time.Now().UTC().Truncate(time.Microsecond))
	if errors.Is(err, store.ErrNotFound) {
		return notFound("order " + c.Params("order_id"))
	}
	if err != nil {
		return orderError(err)
	}
	return c.JSON(cloudOrderOf(o))
}

// listPaymentRequests serves GET /v1/partners/{id}/payment-requests: the
// orders waiting for the partner to pay, soonest deadline first.
func (s *Server) listPaymentRequests(c *fiber.Ctx) error {
	partnerID, err := s.partnerReadScope(c)
	if err != nil {
		return err
	}
	list, next, err := pageOfOne(c, partnerID, s.store.PaymentRequests)
	return answerList(c, "payment_requests", list, next, err, cloudOrderOf)
}
