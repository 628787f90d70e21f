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

type contractsOutput struct {
	Body struct {
		Contracts []Contract `json:"contracts" doc:"Newest first"`
		NextPage
	}
}

type applyForContractInput struct {
	CustomerPath
	Idempotent
	Body rules.ContractApplication
}

// Resolve checks the application by the rules.
func (in *applyForContractInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

type contractCreatedOutput struct {
	Location string `header:"Location" doc:"/v1/customers/{customer_id}/contracts/{contract_id}"`
	Body     Contract
}

type contractInput struct {
	CustomerPath
	ContractID string `path:"contract_id" maxLength:"64" doc:"The contract's ID"`
}

func (s *Server) contractRoutes() {
	register(s, huma.Operation{
		OperationID: "listContracts", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/contracts", Tags: []string{"contracts"},
		Summary:     "The customer's online contracts",
		Description: "Newest first. The customer itself, the members of its partner and staff; anyone else 404.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, readCustomer, s.listContracts)
	register(s, huma.Operation{
		OperationID: "applyForContract", Method: http.MethodPost, Path: "/v1/customers/{customer_id}/contracts", Tags: []string{"contracts"},
		Summary: "Apply for an online contract",
		Description: "A consultative customer, or one without a partner, applies for its online contract itself; its partner may not (409). " +
			"A resale customer cannot apply itself (409, whose detail tells it to ask its partner, by name); its partner's members " +
			"(admin or member) apply on its behalf. Staff: 403; anyone not seeing the customer: 404. A missing or over-long title: 422. " +
			"Every application records who made it (`applied_by`).",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, actForCustomer, s.applyForContract)
	register(s, huma.Operation{
		OperationID: "getContract", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/contracts/{contract_id}", Tags: []string{"contracts"},
		Summary: "An online contract", Description: "One of the customer's contracts; as the list, for the same callers.",
	}, readCustomer, s.getContract)
}

// Contract is an online contract as the API shows it.
type Contract struct {
	ID         string      `json:"id"`
	CustomerID string      `json:"customer_id"`
	Title      string      `json:"title" doc:"The product or scope the contract covers"`
	Status     string      `json:"status" enum:"applied"`
	AppliedBy  cases.Actor `json:"applied_by"`
	CreatedAt  time.Time   `json:"created_at"`
}

func contractOf(k store.Contract) Contract {
	return Contract{
		ID: k.ID, CustomerID: k.CustomerID, Title: k.Title, Status: k.Status,
		AppliedBy: *actorOf(k.AppliedBy, k.AppliedByRole, k.AppliedByName), CreatedAt: k.CreatedAt.UTC(),
	}
}

// applyForContract serves POST /v1/customers/{id}/contracts: a consultative
// customer (or one without a partner) applies for its online contract
// itself; a resale customer's partner applies on its behalf.
func (s *Server) applyForContract(ctx context.Context, in *applyForContractInput) (*contractCreatedOutput, error) {
	cust, err := s.customerFor(ctx, actForCustomer, in.CustomerID)
	if err != nil {
		return nil, err
	}
	p := principalOf(ctx)
	applicant := rules.ApplicantPartner
	if p.Role == cases.RoleCustomer {
		applicant = rules.ApplicantCustomer
	}
	if reason := rules.ContractApplicationRefusal(applicant,
		rules.AssociationMode(cust.AssociationMode.String), cust.PartnerName.String); reason != "" {
		return nil, conflict("contract-application-not-allowed", reason)
	}
	k, _, err := s.store.ApplyForContract(ctx, cust, in.Body.Normalized().Title, p, in.Idempotent.claim(ctx))
	if err != nil {
		return nil, err
	}
	return &contractCreatedOutput{Location: "/v1/customers/" + cust.ID + "/contracts/" + k.ID, Body: contractOf(k)}, nil
}

// listContracts serves GET /v1/customers/{id}/contracts, newest first.
func (s *Server) listContracts(ctx context.Context, in *customerPageInput) (*contractsOutput, error) {
	out := &contractsOutput{}
	var err error
	out.Body.Contracts, out.Body.NextCursor, err = customerPage(ctx, s, in, s.store.CustomerContracts, contractOf)
	return out, err
}

// getContract serves GET /v1/customers/{id}/contracts/{contract_id}.
func (s *Server) getContract(ctx context.Context, in *contractInput) (*bodyOf[Contract], error) {
	return customerRecord(ctx, s, in.CustomerID, "contract", in.ContractID, s.store.CustomerContract, contractOf)
}
