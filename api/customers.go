package api

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// customerRoutes: partners' access configuration, customer binding, online
// contracts, marketplace orders and annual performance.
func (s *Server) customerRoutes(v1 fiber.Router) {
	v1.Get("/partners/:partner_id/customers", s.listPartnerCustomers)
	v1.Post("/partners/:partner_id/customers", s.bindCustomer)
	v1.Delete("/partners/:partner_id/customers/:customer_id", s.dissociateCustomer)
	v1.Get("/customers/:customer_id", s.getCustomer)
}

// partnerReadScope checks that the principal may read the partner in the
// path: its own members (another partner's: 404) and staff (an unknown
// partner: 404); others 403.
func (s *Server) partnerReadScope(c *fiber.Ctx) (string, error) {
	p := principal(c)
	if !p.IsStaff() {
		_, partnerID, err := partnerScope(c)
		return partnerID, err
	}
	partnerID := c.Params("partner_id")
	if _, err := s.store.Partner(c.UserContext(), partnerID); errors.Is(err, store.ErrNotFound) {
		return "", notFound("partner " + partnerID)
	} else if err != nil {
		return "", err
	}
	return partnerID, nil
}

// actsForPartner reports whether the principal is a current member of the
// partner (partnerID may be NULL: no partner, nobody acts for it).
func actsForPartner(p store.Principal, partnerID string, valid bool) bool {
	return valid && p.IsPartnerMember() && p.PartnerID.Valid && p.PartnerID.String == partnerID
}

// visibleCustomer reads the customer in the path, answering 404 unless the
// caller is the customer itself, a member of its partner or staff.
func (s *Server) visibleCustomer(c *fiber.Ctx) (store.Customer, error) {
	id := c.Params("customer_id")
	cust, err := s.store.Customer(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return cust, notFound("customer " + id)
	}
	if err != nil {
		return cust, err
	}
	p := principal(c)
	switch {
	case p.IsStaff(),
		p.Role == cases.RoleCustomer && p.CustomerID.Valid && p.CustomerID.String == cust.ID,
		actsForPartner(p, cust.PartnerID.String, cust.PartnerID.Valid):
		return cust, nil
	}
	return store.Customer{}, notFound("customer " + id)
}

// noBody refuses a request body other than nothing or {}.
func noBody(c *fiber.Ctx) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return nil
	}
	var empty struct{}
	return decodeBody(c, &empty)
}

func actorOf(id, role, name string) *cases.Actor {
	return &cases.Actor{ID: id, Role: role, Name: name}
}

// customerAccountView is the cloud account a customer is bound to.
type customerAccountView struct {
	Origin         string `json:"origin"`
	CloudAccountID string `json:"cloud_account_id"`
}

// customerPartnerView tells whether the customer is a partner's
// sub-customer, and whose.
type customerPartnerView struct {
	IsSubCustomer   bool   `json:"is_sub_customer"`
	PartnerID       string `json:"partner_id,omitempty"`
	PartnerName     string `json:"partner_name,omitempty"`
	AssociationMode string `json:"association_mode,omitempty"`
}

// customerView is a customer as the API shows it. The binding fields are
// absent for customers not bound from a partner's sales platform.
type customerView struct {
	ID                string               `json:"id"`
	Name              string               `json:"name"`
	XAccountType      string               `json:"xaccount_type,omitempty"`
	XAccountID        string               `json:"xaccount_id,omitempty"`
	CertificateNumber string               `json:"certificate_number,omitempty"`
	CertificateType   *int64               `json:"certificate_type,omitempty"`
	Account           *customerAccountView `json:"account,omitempty"`
	Partner           customerPartnerView  `json:"partner"`
	BoundBy           *cases.Actor         `json:"bound_by,omitempty"`
	CreatedAt         time.Time            `json:"created_at"`
}

func customerOf(c store.Customer) customerView {
	v := customerView{
		ID: c.ID, Name: c.Name, XAccountType: c.XAccountType.String, XAccountID: c.XAccountID.String,
		CertificateNumber: c.CertificateNumber.String, CreatedAt: c.CreatedAt.UTC(),
		Partner: customerPartnerView{
			IsSubCustomer: c.IsSubCustomer(), PartnerID: c.PartnerID.String, PartnerName: c.PartnerName.String,
			AssociationMode: c.AssociationMode.String,
		},
	}
	if c.CertificateType.Valid {
		t := c.CertificateType.Int64
		v.CertificateType = &t
	}
	if c.AccountOrigin.Valid {
		v.Account = &customerAccountView{Origin: c.AccountOrigin.String, CloudAccountID: c.CloudAccountID.String}
	}
	if c.BoundBy.Valid {
		v.BoundBy = actorOf(c.BoundBy.String, c.BoundByRole.String, c.BoundByName.String)
	}
	return v
}

// customerPrincipalView is the customer's own principal and token, shown
// once when the customer is bound.
type customerPrincipalView struct {
	PrincipalID string `json:"principal_id"`
	Token       string `json:"token"`
}

type customerCreatedView struct {
	customerView
	Principal customerPrincipalView `json:"principal"`
}

// bindCustomer serves POST /v1/partners/{id}/customers: a partner member
// binds a customer of the partner's sales platform to a cloud account (new
// or existing) and associates it with the partner.
func (s *Server) bindCustomer(c *fiber.Ctx) error {
	p, partnerID, err := partnerScope(c)
	if err != nil {
		return err
	}
	var b rules.CustomerBinding
	if err := decodeBody(c, &b); err != nil {
		return err
	}
	ctx := c.UserContext()
	access, err := s.store.AccessConfiguration(ctx, partnerID)
	if errors.Is(err, store.ErrNotFound) {
		return conflict("access-configuration-required",
			"complete the partner's access configuration first (its admin: POST /v1/partners/"+partnerID+
				"/access-configuration): until then no platform identifier (xaccount_type) is issued and no customer "+
				"can be bound. Nothing was bound.")
	}
	if err != nil {
		return err
	}
	if problems := b.Validate(access.XAccountType); len(problems) > 0 {
		return invalid(problems)
	}
	b = b.Normalized()
	cust, prn, token, err := s.store.BindCustomer(ctx, store.NewBoundCustomer{
		Name: b.Name, PartnerID: partnerID, AssociationMode: string(b.AssociationMode),
		XAccountType: b.XAccountType, XAccountID: b.XAccountID,
		CertificateNumber: b.CertificateNumber, CertificateType: int(*b.CertificateType),
		AccountOrigin: string(b.Account.Origin), CloudAccountID: b.Account.CloudAccountID, By: p,
	})
	switch {
	case errors.Is(err, store.ErrXAccountTaken):
		return conflict("customer-already-bound", fmt.Sprintf(
			"a customer with xaccount_id %q is already bound under xaccount_type %q", b.XAccountID, b.XAccountType))
	case errors.Is(err, store.ErrCloudAccountTaken):
		return conflict("cloud-account-already-bound", fmt.Sprintf(
			"the cloud account %q is already bound to a customer", b.Account.CloudAccountID))
	case err != nil:
		return err
	}
	c.Location("/v1/customers/" + cust.ID)
	return c.Status(fiber.StatusCreated).JSON(customerCreatedView{
		customerView: customerOf(cust),
		Principal:    customerPrincipalView{PrincipalID: prn.ID, Token: token},
	})
}

// listPartnerCustomers serves GET /v1/partners/{id}/customers: the
// partner's sub-customers, newest first.
func (s *Server) listPartnerCustomers(c *fiber.Ctx) error {
	partnerID, err := s.partnerReadScope(c)
	if err != nil {
		return err
	}
	list, next, err := pageOfOne(c, partnerID, s.store.PartnerCustomers)
	return answerList(c, "customers", list, next, err, customerOf)
}

// getCustomer serves GET /v1/customers/{id}: the customer, and whether it
// is a partner's sub-customer and whose.
func (s *Server) getCustomer(c *fiber.Ctx) error {
	cust, err := s.visibleCustomer(c)
	if err != nil {
		return err
	}
	return c.JSON(customerOf(cust))
}

// dissociationView is what a dissociation did.
type dissociationView struct {
	CustomerID string             `json:"customer_id"`
	PartnerID  string             `json:"partner_id"`
	Reclaimed  []store.Adjustment `json:"reclaimed"`
}

// dissociateCustomer serves DELETE /v1/partners/{id}/customers/{customer_id}:
// the partner's company (admin) account ends the association (reference:
// only the admin may dissociate a customer). What the customer holds from
// the partner goes back to it first; orders waiting on a partner payment
// case block it.
func (s *Server) dissociateCustomer(c *fiber.Ctx) error {
	p, partnerID, err := adminScope(c, "dissociate a customer")
	if err != nil {
		return err
	}
	if err := noBody(c); err != nil {
		return err
	}
	customerID := c.Params("customer_id")
	reclaimed, err := s.store.DissociateCustomer(c.UserContext(), partnerID, customerID, p)
	var blocked *store.DissociationBlocked
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("customer " + customerID)
	case errors.As(err, &blocked):
		return conflict("dissociation-blocked", "the customer cannot be dissociated yet: "+strings.Join(blocked.Reasons, "; "))
	case err != nil:
		return err
	}
	return c.JSON(dissociationView{CustomerID: customerID, PartnerID: partnerID, Reclaimed: reclaimed})
}
