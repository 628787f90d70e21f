package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

func (s *Server) contractRoutes(v1 fiber.Router) {
	v1.Get("/customers/:customer_id/contracts", s.listContracts)
	v1.Post("/customers/:customer_id/contracts", s.applyForContract)
	v1.Get("/customers/:customer_id/contracts/:contract_id", s.getContract)
}

// contractView is an online contract as the API shows it.
type contractView struct {
	ID         string      `json:"id"`
	CustomerID string      `json:"customer_id"`
	Title      string      `json:"title"`
	Status     string      `json:"status"`
	AppliedBy  cases.Actor `json:"applied_by"`
	CreatedAt  time.Time   `json:"created_at"`
}

func contractOf(k store.Contract) contractView {
	return contractView{
		ID: k.ID, CustomerID: k.CustomerID, Title: k.Title, Status: k.Status,
		AppliedBy: *actorOf(k.AppliedBy, k.AppliedByRole, k.AppliedByName), CreatedAt: k.CreatedAt.UTC(),
	}
}

// applyForContract serves POST /v1/customers/{id}/contracts: a consultative
// customer (or one without a partner) applies for its online contract
// itself; a resale customer's partner applies on its behalf.
func (s *Server) applyForContract(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var applicant rules.ContractApplicant
	switch {
	case p.Role == cases.RoleCustomer:
		applicant = rules.ApplicantCustomer
	case p.IsPartnerMember():
		applicant = rules.ApplicantPartner
	default:
		return forbidden("online contracts are applied for by the customer or its partner, not by " + p.Role)
	}
	var in rules.ContractApplication
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if reason := rules.ContractApplicationRefusal(applicant,
		rules.AssociationMode(cust.AssociationMode.String), cust.PartnerName.String); reason != "" {
		return conflict("contract-application-not-allowed", reason)
	}
	if problems := in.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	idem, err := idempotency(c)
	if err != nil {
		return err
	}
	k, _, err := s.store.ApplyForContract(c.UserContext(), cust, in.Normalized().Title, p, idem)
	if err != nil {
		return err
	}
	c.Location("/v1/customers/" + cust.ID + "/contracts/" + k.ID)
	return c.Status(fiber.StatusCreated).JSON(contractOf(k))
}

// listContracts serves GET /v1/customers/{id}/contracts, newest first.
func (s *Server) listContracts(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	list, next, err := pageOfOne(c, cust.ID, s.store.CustomerContracts)
	return answerList(c, "contracts", list, next, err, contractOf)
}

// getContract serves GET /v1/customers/{id}/contracts/{contract_id}.
func (s *Server) getContract(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	k, err := s.store.CustomerContract(c.UserContext(), cust.ID, c.Params("contract_id"))
	return answerOne(c, "contract "+c.Params("contract_id"), k, err, contractOf)
}
