package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// DefaultAssociationExpiry is how long a customer has to answer an
// association or dissociation request unless PARTNEROPS_ASSOCIATION_EXPIRY
// says otherwise: 7 days.
const DefaultAssociationExpiry = 7 * 24 * time.Hour

// customerRequests: the customer reads the requests waiting for its
// answer; staff too (its partner's members read their own cases).
var customerRequests = policy{Verb: read, Object: objCustomer, Roles: []string{cases.RoleCustomer, cases.RoleOps, cases.RoleSupervisor}}

// associationRoutes: the requests a customer answers.
func (s *Server) associationRoutes() {
	register(s, huma.Operation{
		OperationID: "listAssociationRequests", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/association-requests",
		Tags: []string{"customers"}, Summary: "The association requests waiting for the customer",
		Description: "The customer itself (and staff) reads the partners' requests waiting for its answer, newest first: " +
			"customer_association cases in awaiting_customer (CustomerAssociationCase) saying which partner asks, to associate its " +
			"account (in which mode, with the partner's message and `details.grants`: exactly what the partner may then do) or to end " +
			"their association (`details.blockers`), and by when (`details.expires_at`). It accepts with POST /v1/cases/{case_id}/actions/accept " +
			"or declines with .../decline, with its own token; a decided or expired request answers 409. Partner members: 403; anyone else 404.",
	}, customerRequests, s.listAssociationRequests)
}

// listAssociationRequests serves GET /v1/customers/{id}/association-requests.
func (s *Server) listAssociationRequests(ctx context.Context, in *customerPageInput) (*bodyOf[caseList], error) {
	cust, err := s.customerFor(ctx, customerRequests, in.CustomerID)
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListCases(ctx, store.CaseFilter{
		Kind: string(cases.KindCustomerAssociation), Status: workflows.AssociationAwaitingCustomer, CustomerID: cust.ID,
	}, in.page())
	if err != nil {
		return nil, err
	}
	role := principalOf(ctx).Role
	for i := range list {
		list[i].Actions = workflows.AllowedActions(list[i].Kind, role, list[i].Status)
	}
	return &bodyOf[caseList]{Body: caseList{Cases: list, NextPage: NextPage{next}}}, nil
}

// notHeld is the refusal of a partner's power over a customer that is not
// its own: 409 association-pending while its association request waits
// for the customer (pendingAssociation), else 404.
func (s *Server) notHeld(ctx context.Context, partnerID, customerID string) error {
	if err := s.pendingAssociation(ctx, partnerID, customerID); err != nil {
		return err
	}
	return notFound("customer " + customerID)
}

// pendingAssociation is the one rule of a pending association: while the
// partner's (any partner's, for "") request to associate the customer
// waits, 409 association-pending (*store.AssociationPendingError), else
// nil. Every power over a customer meets it before anything is done: the
// customer routes through customerFor (contract, auto-renewal, renewal),
// an allocation (createAdjustment) and a payment request (placeOrder).
func (s *Server) pendingAssociation(ctx context.Context, partnerID, customerID string) error {
	caseID, err := s.store.PendingAssociation(ctx, partnerID, customerID)
	switch {
	case err != nil:
		return err
	case caseID != "":
		return &store.AssociationPendingError{CaseID: caseID}
	}
	return nil
}

// associationCase builds the request's case, with details d, and its
// workflow's input.
func (s *Server) associationCase(c store.Customer, partner store.Partner, by store.Principal, d workflows.CustomerAssociationDetails) store.NewCase {
	now := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	d.PartnerName, d.CustomerName = partner.Name, c.Name
	d.ExpiresAt = now.Add(s.associationExpiry)
	details, _ := json.Marshal(d) // plain struct: marshalling cannot fail
	id := store.NewID("cas")
	return store.NewCase{
		Case: cases.Case{
			ID: id, Kind: cases.KindCustomerAssociation, PartnerID: partner.ID, CustomerID: c.ID,
			Status: workflows.AssociationAwaitingCustomer, SLA: &cases.SLA{DueAt: d.ExpiresAt},
			CreatedAt: now, UpdatedAt: now, Details: details,
		},
		Workflow: workflows.CustomerAssociationWorkflow,
		Input: workflows.CustomerAssociationInput{
			CaseID: id, PartnerID: partner.ID, CustomerID: c.ID, RequestedBy: actor(by), CreatedAt: now, Details: d,
		},
	}
}

// requestAssociation starts the request that the owner of an existing
// account accept the partner's association (a binding of origin existing).
func (s *Server) requestAssociation(ctx context.Context, partnerID string, b rules.CustomerBinding) (*startedOutput, error) {
	return s.openRequest(ctx, store.NewAssociationRequest{
		Direction: store.DirectionAssociate, PartnerID: partnerID, AccountID: b.Account.CloudAccountID, Mode: string(b.AssociationMode),
		Binding: &store.AssociationBinding{XAccountType: b.XAccountType, XAccountID: b.XAccountID,
			CertificateNumber: b.CertificateNumber, CertificateType: (*int)(b.CertificateType)},
	}, workflows.CustomerAssociationDetails{
		Direction: workflows.DirectionAssociate, CloudAccountID: b.Account.CloudAccountID, AssociationMode: string(b.AssociationMode),
		Message: b.Message, Grants: rules.AssociationGrants(b.AssociationMode),
	})
}

// requestDissociation starts the request that the customer accept the end
// of its association with the partner.
func (s *Server) requestDissociation(ctx context.Context, partnerID, customerID string) (*startedOutput, error) {
	return s.openRequest(ctx, store.NewAssociationRequest{
		Direction: store.DirectionDissociate, PartnerID: partnerID, AccountID: customerID,
	}, workflows.CustomerAssociationDetails{Direction: workflows.DirectionDissociate})
}

// openRequest opens the request's case and starts its workflow (202).
func (s *Server) openRequest(ctx context.Context, r store.NewAssociationRequest, d workflows.CustomerAssociationDetails) (*startedOutput, error) {
	partner, err := s.store.Partner(ctx, r.PartnerID)
	if err != nil {
		return nil, err
	}
	by := principalOf(ctx)
	r.By, r.Location = by, s.location
	r.Build = func(c store.Customer, blockers []rules.DissociationBlocker) store.NewCase {
		details := d
		if details.Direction == workflows.DirectionDissociate {
			details.AssociationMode, details.Blockers = c.AssociationMode.String, blockers
		}
		return s.associationCase(c, partner, by, details)
	}
	opened, start, err := s.store.RequestAssociation(ctx, r)
	if err != nil {
		return nil, err
	}
	return s.runCase(ctx, opened, start)
}
