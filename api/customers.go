package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

type CustomerPath struct {
	CustomerID string `path:"customer_id" maxLength:"100" doc:"The customer's ID. The customer itself, the members of its partner and staff may use it; anyone else gets 404." example:"cus_01J9Z3"`
}

type partnerCustomersInput struct {
	PartnerPath
	PageParams
}

type customersOutput struct {
	Body struct {
		Customers []Customer `json:"customers" doc:"Newest first"`
		NextPage
	}
}

// CustomerBinding is a binding as sent: the rules' type under its own
// schema name.
type CustomerBinding rules.CustomerBinding

type bindCustomerInput struct {
	PartnerPath
	Body CustomerBinding
}

// Resolve checks the binding by the rules, naming every bad field at once;
// whether xaccount_type is the partner's own identifier is checked once
// its access configuration is read.
func (in *bindCustomerInput) Resolve(huma.Context) []error {
	return ruleErrors(rules.CustomerBinding(in.Body).Validate(""))
}

// bindOutput is the bound customer (201, a new account) or the
// association request it started (202, an existing account), and where it is.
type bindOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     any
}

type dissociateInput struct {
	PartnerPath
	CustomerPath
}

// associationMode and accountOrigin document rules.AssociationMode and
// rules.AccountOrigin (registered as their aliases) with the rules' values.
type (
	associationMode string
	accountOrigin   string
)

func (associationMode) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Enum: enumOf(rules.AssociationModes()),
		Description: "consultative (顾问销售类): the customer buys and pays itself, the partner advises; resale (代售类): the partner resells and the customer's money runs through the partner"}
}

func (accountOrigin) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Enum: enumOf(rules.AccountOrigins()),
		Description: "new: the vendor creates the account and its ID (leave cloud_account_id out); existing: one the customer already had (name its cloud_account_id)"}
}

// customerRoutes: the partner's customers, their binding and dissociation.
func (s *Server) customerRoutes() {
	schemas := s.huma.OpenAPI().Components.Schemas
	schemas.RegisterTypeAlias(reflect.TypeFor[rules.AssociationMode](), reflect.TypeFor[associationMode]())
	schemas.RegisterTypeAlias(reflect.TypeFor[rules.AccountOrigin](), reflect.TypeFor[accountOrigin]())
	register(s, huma.Operation{
		OperationID: "listPartnerCustomers", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/customers", Tags: []string{"customers"},
		Summary:     "The partner's sub-customers",
		Description: "Every customer associated with the partner, newest first. The partner's own members and staff (another partner's members: 404; customers: 403).",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, readPartner, s.listPartnerCustomers)
	register(s, huma.Operation{
		OperationID: "bindCustomer", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/customers", Tags: []string{"customers"},
		Summary: "Bind a customer of the partner's sales platform",
		Description: "A partner member (admin or member) binds a customer of its own sales platform to a cloud account, a new one created for it " +
			"or one it already had, and associates it with the partner in a mode (`consultative` (顾问销售类): the customer buys and pays itself, " +
			"the partner advises; `resale` (代售类): the partner resells and the customer's money runs through the partner). " +
			"A new account is bound at once (201, the customer and its principal). An existing account (`{\"origin\": \"existing\", " +
			"\"cloud_account_id\": ...}`: a customer of the vendor with its own sign-in; a vendor-direct customer's account ID is its customer ID) " +
			"is only asked for: a customer_association case starts (202, CustomerAssociationCase) that its owner accepts or declines with its " +
			"own token (GET /v1/customers/{customer_id}/association-requests), with the partner's optional `message`; until it accepts, the " +
			"partner has no power over the account (409 association-pending). An unknown account answers 404, one associated with another " +
			"partner (or asked for by one) 409 account-unavailable, naming nothing of it; these requests are rate-limited. " +
			"Before the partner has completed its access configuration nothing is bound: 409 (`urn:partnerops:problem:access-configuration-required`); " +
			"before it is certified, 409 (`urn:partnerops:problem:certification-required`, naming its certification case or how to start one). " +
			"`certificate_type` is optional (checked when given). " +
			"`xaccount_type` must then be the identifier issued to the partner (another value: 422). A second binding of the same `xaccount_id` " +
			"under the `xaccount_type`, or of an existing cloud account bound already: 409. Bad fields are all named at once (422) and nothing is written. " +
			"The customer, its own principal (whose token is shown only in this answer) and the audit entry are written in one transaction.",
		DefaultStatus: http.StatusCreated,
		Responses: map[string]*huma.Response{
			"201": {Description: "A new account: the bound customer and its principal",
				Headers: map[string]*huma.Param{"Location": {Description: "The customer", Schema: &huma.Schema{Type: huma.TypeString}}},
				Content: map[string]*huma.MediaType{"application/json": {Schema: s.huma.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[CustomerCreated](), true, "")}}},
			"202": {Description: "An existing account: the association request that started",
				Headers: map[string]*huma.Param{"Location": {Description: "The case's URL", Schema: &huma.Schema{Type: huma.TypeString}}},
				Content: anyCaseResponse(http.StatusAccepted)["202"].Content},
		},
		Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, partnerStarts, s.bindCustomer)
	register(s, huma.Operation{
		OperationID: "dissociateCustomer", Method: http.MethodDelete, Path: "/v1/partners/{partner_id}/customers/{customer_id}", Tags: []string{"customers"},
		Summary: "Ask the customer to accept a dissociation",
		Description: "Only the partner's company (admin) account (its personal accounts and staff: 403; another partner's accounts, or a customer " +
			"that is not the partner's: 404) asks to end the association: a customer_association case starts (202, CustomerAssociationCase, " +
			"details.direction dissociate) that the customer accepts or declines with its own token, or that expires " +
			"(PARTNEROPS_ASSOCIATION_EXPIRY). It lists what blocks the dissociation (an open payment request, auto-renewal set, another open " +
			"case about the customer) with what clears each; the customer's acceptance is refused (409 dissociation-blocked) until none is left. " +
			"On acceptance, in one transaction, whatever the customer holds from the partner goes back to it (`reclaim_on_unbind` adjustments) " +
			"and the customer is no longer the partner's sub-customer (audited). At most 3 requests per partner and customer in any 3 months: " +
			"a fourth answers 409 dissociation-limit naming when the next is allowed; one open request at a time (409 case-open). It may be " +
			"asked while the partner exits, whose exit waits for it.",
		DefaultStatus: http.StatusAccepted,
		Responses:     anyCaseResponse(http.StatusAccepted),
		Errors:        []int{http.StatusConflict, http.StatusServiceUnavailable},
	}, partnerAdmin, s.dissociateCustomer)
	register(s, huma.Operation{
		OperationID: "getCustomer", Method: http.MethodGet, Path: "/v1/customers/{customer_id}", Tags: []string{"customers"},
		Summary: "A customer",
		Description: "The customer, its binding (for customers bound from a partner's sales platform) and `partner`, which tells whether it is " +
			"a partner's sub-customer and whose. The customer itself, the members of its partner and staff; anyone else 404.",
	}, readCustomer, s.getCustomer)
}

func actorOf(id, role, name string) *cases.Actor {
	return &cases.Actor{ID: id, Role: role, Name: name}
}

// CustomerAccount is the cloud account a customer is bound to.
type CustomerAccount struct {
	Origin         string `json:"origin" enum:"new,existing" doc:"new: created for the customer at binding; existing: one it already had"`
	CloudAccountID string `json:"cloud_account_id"`
}

// CustomerPartner tells whether the customer is a partner's sub-customer
// (it is exactly when it is associated with a partner), and whose.
type CustomerPartner struct {
	IsSubCustomer   bool   `json:"is_sub_customer"`
	PartnerID       string `json:"partner_id,omitempty"`
	PartnerName     string `json:"partner_name,omitempty"`
	AssociationMode string `json:"association_mode,omitempty" enum:"consultative,resale"`
}

// Customer is a customer as the API shows it. The binding fields are
// absent for customers not bound from a partner's sales platform.
type Customer struct {
	ID                string           `json:"id"`
	Name              string           `json:"name"`
	XAccountType      string           `json:"xaccount_type,omitempty"`
	XAccountID        string           `json:"xaccount_id,omitempty"`
	CertificateNumber string           `json:"certificate_number,omitempty"`
	CertificateType   *int64           `json:"certificate_type,omitempty"`
	Account           *CustomerAccount `json:"account,omitempty"`
	Partner           CustomerPartner  `json:"partner"`
	BoundBy           *cases.Actor     `json:"bound_by,omitempty"`
	CreatedAt         time.Time        `json:"created_at"`
}

func customerOf(c store.Customer) Customer {
	v := Customer{
		ID: c.ID, Name: c.Name, XAccountType: c.XAccountType.String, XAccountID: c.XAccountID.String,
		CertificateNumber: c.CertificateNumber.String, CreatedAt: c.CreatedAt.UTC(),
		Partner: CustomerPartner{
			IsSubCustomer: c.IsSubCustomer(), PartnerID: c.PartnerID.String, PartnerName: c.PartnerName.String,
			AssociationMode: c.AssociationMode.String,
		},
	}
	if c.CertificateType.Valid {
		t := c.CertificateType.Int64
		v.CertificateType = &t
	}
	if c.AccountOrigin.Valid {
		v.Account = &CustomerAccount{Origin: c.AccountOrigin.String, CloudAccountID: c.CloudAccountID.String}
	}
	if c.BoundBy.Valid {
		v.BoundBy = actorOf(c.BoundBy.String, c.BoundByRole.String, c.BoundByName.String)
	}
	return v
}

// CustomerPrincipal is the customer's own principal and token, shown once
// when the customer is bound.
type CustomerPrincipal struct {
	PrincipalID string `json:"principal_id"`
	Token       string `json:"token" doc:"Bearer token of the customer's principal, shown only here"`
}

// CustomerCreated is the bound customer and its own principal.
type CustomerCreated struct {
	Customer
	Principal CustomerPrincipal `json:"principal"`
}

// bindCustomer serves POST /v1/partners/{id}/customers: a partner member
// binds a customer of the partner's sales platform to a cloud account (new
// or existing) and associates it with the partner.
func (s *Server) bindCustomer(ctx context.Context, in *bindCustomerInput) (*bindOutput, error) {
	partnerID := in.PartnerID
	access, err := s.store.AccessConfiguration(ctx, partnerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, conflict("access-configuration-required",
			"complete the partner's access configuration first (its admin: POST /v1/partners/"+partnerID+
				"/access-configuration): until then no platform identifier (xaccount_type) is issued and no customer "+
				"can be bound. Nothing was bound.")
	}
	if err != nil {
		return nil, err
	}
	b := rules.CustomerBinding(in.Body)
	if problems := b.Validate(access.XAccountType); len(problems) > 0 {
		return nil, invalid(problems)
	}
	b = b.Normalized()
	if b.Account.Origin == rules.ExistingAccount {
		started, err := s.requestAssociation(ctx, partnerID, b)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, notFound("cloud account " + b.Account.CloudAccountID)
			}
			return nil, err
		}
		return &bindOutput{Status: http.StatusAccepted, Location: started.Location, Body: started.Body}, nil
	}
	cust, prn, token, err := s.store.BindCustomer(ctx, store.NewBoundCustomer{
		Name: b.Name, PartnerID: partnerID, AssociationMode: string(b.AssociationMode),
		XAccountType: b.XAccountType, XAccountID: b.XAccountID,
		CertificateNumber: b.CertificateNumber, CertificateType: (*int)(b.CertificateType),
		AccountOrigin: string(b.Account.Origin), CloudAccountID: b.Account.CloudAccountID, By: principalOf(ctx),
	})
	switch {
	case errors.Is(err, store.ErrXAccountTaken):
		return nil, conflict("customer-already-bound", fmt.Sprintf(
			"a customer with xaccount_id %q is already bound under xaccount_type %q", b.XAccountID, b.XAccountType))
	case errors.Is(err, store.ErrCloudAccountTaken):
		return nil, conflict("cloud-account-already-bound", fmt.Sprintf(
			"the cloud account %q is already bound to a customer", b.Account.CloudAccountID))
	case err != nil:
		return nil, err
	}
	return &bindOutput{Status: http.StatusCreated, Location: "/v1/customers/" + cust.ID, Body: CustomerCreated{
		Customer:  customerOf(cust),
		Principal: CustomerPrincipal{PrincipalID: prn.ID, Token: token},
	}}, nil
}

// listPartnerCustomers serves GET /v1/partners/{id}/customers: the
// partner's sub-customers, newest first.
func (s *Server) listPartnerCustomers(ctx context.Context, in *partnerCustomersInput) (*customersOutput, error) {
	list, next, err := s.store.PartnerCustomers(ctx, in.PartnerID, in.page())
	if err != nil {
		return nil, err
	}
	out := &customersOutput{}
	out.Body.Customers, out.Body.NextCursor = viewsOf(list, customerOf), next
	return out, nil
}

// getCustomer serves GET /v1/customers/{id}: the customer, and whether it
// is a partner's sub-customer and whose.
func (s *Server) getCustomer(ctx context.Context, in *CustomerPath) (*bodyOf[Customer], error) {
	cust, err := s.customerFor(ctx, readCustomer, in.CustomerID)
	if err != nil {
		return nil, err
	}
	return &bodyOf[Customer]{Body: customerOf(cust)}, nil
}

// customerPage reads a page of the customer's records with read, once the
// policy lets the caller see the customer, and shows them through view.
func customerPage[T, V any](ctx context.Context, s *Server, in *customerPageInput,
	read func(ctx context.Context, customerID string, p store.Page) ([]T, string, error), view func(T) V,
) ([]V, string, error) {
	cust, err := s.customerFor(ctx, readCustomer, in.CustomerID)
	if err != nil {
		return nil, "", err
	}
	rows, next, err := read(ctx, cust.ID, in.page())
	if err != nil {
		return nil, "", err
	}
	return viewsOf(rows, view), next, nil
}

// customerRecord reads the customer's record id with read, once the policy
// lets the caller see the customer; another customer's is a 404 naming what.
func customerRecord[T, V any](ctx context.Context, s *Server, customerID, what, id string,
	read func(ctx context.Context, customerID, id string) (T, error), view func(T) V,
) (*bodyOf[V], error) {
	cust, err := s.customerFor(ctx, readCustomer, customerID)
	if err != nil {
		return nil, err
	}
	row, err := read(ctx, cust.ID, id)
	return one(what+" "+id, row, err, view)
}

// dissociateCustomer serves DELETE /v1/partners/{id}/customers/{customer_id}:
// the partner's company (admin) account asks the customer to accept the
// end of their association (reference: only the admin may dissociate a
// customer; the customer consents).
func (s *Server) dissociateCustomer(ctx context.Context, in *dissociateInput) (*startedOutput, error) {
	started, err := s.requestDissociation(ctx, in.PartnerID, in.CustomerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound("customer " + in.CustomerID)
	case err != nil:
		return nil, err
	}
	s.obligationChanged(ctx, in.PartnerID) // an exit lists the request among what it waits for
	return started, nil
}
