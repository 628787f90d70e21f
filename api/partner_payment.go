package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

func (s *Server) orderRoutes() {
	tags := []string{"partner payment"}
	reg := s.huma.OpenAPI().Components.Schemas
	register(s, huma.Operation{
		OperationID: "placeOrder", Method: http.MethodPost, Path: "/v1/customers/{customer_id}/orders", Tags: tags,
		Summary: "Place an order, paid by the customer or by its partner",
		Description: "The customer itself (its partner and staff: 403) orders one of the one-time payment scenarios, choosing who pays. " +
			"payer customer: answers 201 with the order, which the customer pays with POST .../orders/{order_id}/pay by its deadline. " +
			"payer partner (partner payment): eligibility is checked first (a solution provider may pay for consultative and resale customers, " +
			"a cloud reseller only for resale customers, no other partner type, and a customer without a partner cannot ask), else 422 naming " +
			"payer with the reason; then a partner_payment case starts and the answer is 202 with the case (PartnerPaymentCase) and its Location. " +
			"With an Idempotency-Key, a retry gives the same order (and case), never a second one.",
		DefaultStatus: http.StatusCreated,
		Responses: map[string]*huma.Response{
			"201": {Description: "The order, paid by the customer itself",
				Headers: map[string]*huma.Param{"Location": {Description: "The order", Schema: &huma.Schema{Type: huma.TypeString}}},
				Content: map[string]*huma.MediaType{"application/json": {Schema: reg.Schema(reflect.TypeFor[cloudOrderView](), true, "")}}},
			"202": {Description: "The partner payment case that started",
				Headers: map[string]*huma.Param{"Location": {Description: "The case's URL", Schema: &huma.Schema{Type: huma.TypeString}}},
				Content: anyCaseResponse(http.StatusAccepted)["202"].Content},
		},
		Errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, customerOrders, s.placeOrder)
	register(s, huma.Operation{
		OperationID: "listOrders", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/orders", Tags: tags,
		Summary:     "A customer's orders",
		Description: "The customer itself, its partner's members and staff; newest first, with who paid. An order the customer was to pay itself and did not by its deadline is cancelled.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, readCustomerMoney, s.listOrders)
	register(s, huma.Operation{
		OperationID: "getOrder", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/orders/{order_id}", Tags: tags,
		Summary: "One order and who paid it", Description: "The customer itself, its partner's members and staff.",
	}, readCustomerMoney, s.getOrder)
	register(s, huma.Operation{
		OperationID: "payOwnOrder", Method: http.MethodPost, Path: "/v1/customers/{customer_id}/orders/{order_id}/pay", Tags: tags,
		Summary: "The customer pays an order itself",
		Description: "For an order the customer chose to pay itself: its account is debited and the order paid in one transaction, once " +
			"(paying again answers the paid order). Insufficient balance, an order past its deadline (then cancelled), one run by a partner " +
			"payment case (pay it with the case's pay action) or a customer without a partner (no account here): 409, nothing moved. " +
			"Only the customer itself: its partner and staff get 403.",
		Errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, customerOrders, s.payOwnOrder)
	register(s, huma.Operation{
		OperationID: "listPaymentRequests", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/payment-requests", Tags: tags,
		Summary: "Orders waiting for the partner to pay",
		Description: "The orders of the partner's customers that wait for the partner's decision, soonest deadline first; approve or decline " +
			"them on their case (case_id). The partner's members and staff.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartnerMoney, s.listPaymentRequests)
}

type placeOrderInput struct {
	CustomerPath
	Idempotent
	Body cloudOrderBody
}

func (in *placeOrderInput) Resolve(huma.Context) []error { return ruleErrors(in.Body.Validate()) }

// placeOrderOutput is the order (201) or the partner payment case it
// started (202), and where it is.
type placeOrderOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     any
}

type listOrdersInput struct {
	CustomerPath
	Status orderStatus `query:"status" doc:"Only the orders in this status"`
	PageParams
}

type orderListOutput struct {
	Body struct {
		Orders []cloudOrderView `json:"orders"`
		NextPage
	}
}

type OrderPath struct {
	CustomerPath
	OrderID string `path:"order_id" maxLength:"64" doc:"The order's ID"`
}

type payOwnOrderInput struct {
	OrderPath
	// Body is nothing or {}: paying takes no input.
	Body *struct{}
}

type paymentRequestsOutput struct {
	Body struct {
		PaymentRequests []cloudOrderView `json:"payment_requests"`
		NextPage
	}
}

// cloudOrderView is a cloud order as the API shows it.
type cloudOrderView struct {
	ID              string      `json:"id"`
	CustomerID      string      `json:"customer_id"`
	PartnerID       string      `json:"partner_id,omitempty" doc:"The customer's partner when the order was placed"`
	Scenario        string      `json:"scenario" doc:"The one-time payment scenario"`
	Product         string      `json:"product"`
	Amount          rules.Money `json:"amount"`
	Status          orderStatus `json:"status" doc:"pending_partner_payment: the partner decides; pending_payment: the customer pays itself; completed: paid; cancelled: not paid by its deadline"`
	Payer           string      `json:"payer" doc:"Whom the customer chose to pay: customer or partner"`
	PaidBy          string      `json:"paid_by,omitempty" doc:"Who paid, once paid: customer or partner"`
	PaymentDeadline time.Time   `json:"payment_deadline" doc:"Unpaid then, the order is cancelled"`
	CaseID          string      `json:"case_id,omitempty" doc:"The partner payment case, when the customer asked its partner to pay"`
	CreatedAt       time.Time   `json:"created_at"`
	PaidAt          *time.Time  `json:"paid_at,omitempty"`
	CancelledAt     *time.Time  `json:"cancelled_at,omitempty"`
}

func cloudOrderOf(o store.CloudOrder) cloudOrderView {
	v := cloudOrderView{
		ID: o.ID, CustomerID: o.CustomerID, PartnerID: o.PartnerID.String, Scenario: o.Scenario, Product: o.Product,
		Amount: rules.Money{Amount: o.Amount, Currency: o.Currency}, Status: orderStatus(o.Status), Payer: o.PayerRequested,
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

// placeOrder serves POST /v1/customers/{id}/orders. An order the customer
// pays itself answers 201 with the order; one it asks its partner to pay
// starts a partner payment case and answers 202 with the case.
func (s *Server) placeOrder(ctx context.Context, in *placeOrderInput) (*placeOrderOutput, error) {
	cust, err := s.customerFor(ctx, customerOrders, in.CustomerID)
	if err != nil {
		return nil, err
	}
	req := in.Body.CloudOrderRequest
	if req.Payer == rules.PayerPartner {
		if !cust.PartnerID.Valid {
			if err := s.pendingAssociation(ctx, "", cust.ID); err != nil {
				return nil, err // the partner that asked has no power yet: 409 association-pending
			}
		}
		if refusal := s.partnerPaymentRefusal(ctx, cust); refusal != "" {
			return nil, invalid(rules.FieldErrors{{Field: "payer", Message: refusal}})
		}
	}
	idem := in.Idempotent.claim(ctx)
	p := principalOf(ctx)
	placed := time.Now().UTC().Truncate(time.Microsecond)
	order := store.NewCloudOrder{
		ID: store.NewID("ord"), CustomerID: cust.ID, PartnerID: cust.PartnerID.String, Scenario: req.Scenario,
		Product: strings.TrimSpace(req.Product), Amount: *req.Amount, Payer: req.Payer,
		PaymentDeadline: placed.Add(time.Duration(req.PaymentWindowMinutes) * time.Minute),
		PlacedBy:        p, PlacedAt: placed,
	}
	if req.Payer == rules.PayerCustomer {
		placedOrder, err := s.store.PlaceCloudOrder(ctx, order, nil, idem)
		if err != nil {
			return nil, err
		}
		return &placeOrderOutput{Status: http.StatusCreated, Location: "/v1/customers/" + cust.ID + "/orders/" + placedOrder.ID,
			Body: cloudOrderOf(placedOrder)}, nil
	}
	caseID := store.NewID("cas")
	input := workflows.PartnerPaymentInput{
		CaseID: caseID, OrderID: order.ID, PartnerID: cust.PartnerID.String, CustomerID: cust.ID,
		RequestedBy: actor(p), Scenario: order.Scenario, Product: order.Product, Amount: order.Amount,
		PlacedAt: placed, OrderDeadline: order.PaymentDeadline,
		PartnerDeadline: rules.PartnerDecisionDeadline(placed, order.PaymentDeadline),
	}
	details, err := json.Marshal(input.Details())
	if err != nil {
		return nil, err
	}
	paymentCase := store.NewCase{
		Case: cases.Case{
			ID: caseID, Kind: cases.KindPartnerPayment, PartnerID: cust.PartnerID.String, CustomerID: cust.ID,
			Status: workflows.PaymentAwaitingPartner, CreatedAt: placed, UpdatedAt: placed, Details: details,
			SLA: &cases.SLA{DueAt: input.PartnerDeadline},
		},
		Workflow: workflows.PartnerPaymentWorkflow,
		Input:    input,
	}
	placedOrder, err := s.store.PlaceCloudOrder(ctx, order, &paymentCase, idem)
	if err != nil {
		return nil, err
	}
	// A repeated request answers the first one's case, and starts it from
	// the start request stored with it.
	opened, start, err := s.store.OpenedCase(ctx, placedOrder.CaseID.String)
	if err != nil {
		return nil, err
	}
	out, err := s.runCase(ctx, opened, start)
	if err != nil {
		return nil, err
	}
	return &placeOrderOutput{Status: http.StatusAccepted, Location: out.Location, Body: out.Body}, nil
}

// partnerPaymentRefusal applies the eligibility rule to the customer and
// its partner: "" when the partner may pay its orders.
func (s *Server) partnerPaymentRefusal(ctx context.Context, cust store.Customer) string {
	if !cust.PartnerID.Valid {
		return rules.PartnerPaymentRefusal("", "")
	}
	partner, err := s.store.Partner(ctx, cust.PartnerID.String)
	if err != nil {
		return "the customer's partner could not be read; try again"
	}
	return rules.PartnerPaymentRefusal(rules.PartnerType(partner.Type), rules.AssociationMode(cust.AssociationMode.String))
}

// listOrders serves GET /v1/customers/{id}/orders, newest first (status
// narrows them): the customer, its partner's members and staff see them.
func (s *Server) listOrders(ctx context.Context, in *listOrdersInput) (*orderListOutput, error) {
	cust, err := s.customerFor(ctx, readCustomerMoney, in.CustomerID)
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.CustomerCloudOrders(ctx, cust.ID, store.CloudOrderFilter{Status: string(in.Status)}, in.page())
	if err != nil {
		return nil, err
	}
	out := &orderListOutput{}
	out.Body.Orders, out.Body.NextCursor = cloudOrdersOf(list), next
	return out, nil
}

// cloudOrdersOf is a page of orders as the API shows them.
func cloudOrdersOf(list []store.CloudOrder) []cloudOrderView {
	views := make([]cloudOrderView, len(list))
	for i, o := range list {
		views[i] = cloudOrderOf(o)
	}
	return views
}

// getOrder serves GET /v1/customers/{id}/orders/{order_id}: the order and who paid it.
func (s *Server) getOrder(ctx context.Context, in *OrderPath) (*bodyOf[cloudOrderView], error) {
	cust, err := s.customerFor(ctx, readCustomerMoney, in.CustomerID)
	if err != nil {
		return nil, err
	}
	o, err := s.store.CustomerCloudOrder(ctx, cust.ID, in.OrderID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("order " + in.OrderID)
	}
	if err != nil {
		return nil, err
	}
	return &bodyOf[cloudOrderView]{Body: cloudOrderOf(o)}, nil
}

// payOwnOrder serves POST /v1/customers/{id}/orders/{order_id}/pay: the
// customer pays an order it chose to pay itself, from its account.
func (s *Server) payOwnOrder(ctx context.Context, in *payOwnOrderInput) (*bodyOf[cloudOrderView], error) {
	cust, err := s.customerFor(ctx, customerOrders, in.CustomerID)
	if err != nil {
		return nil, err
	}
	o, err := s.store.PayOwnOrder(ctx, cust.ID, in.OrderID, time.Now().UTC().Truncate(time.Microsecond))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("order " + in.OrderID)
	}
	if err != nil {
		return nil, err
	}
	return &bodyOf[cloudOrderView]{Body: cloudOrderOf(o)}, nil
}

// listPaymentRequests serves GET /v1/partners/{id}/payment-requests: the
// orders waiting for the partner to pay, soonest deadline first.
func (s *Server) listPaymentRequests(ctx context.Context, in *partnerPageInput) (*paymentRequestsOutput, error) {
	list, next, err := s.store.PaymentRequests(ctx, in.PartnerID, in.page())
	if err != nil {
		return nil, err
	}
	out := &paymentRequestsOutput{}
	out.Body.PaymentRequests, out.Body.NextCursor = cloudOrdersOf(list), next
	return out, nil
}
