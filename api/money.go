package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// Money: partner and customer accounts, deposits, account adjustments (调账)
// and the ledger. All money moves in the store, in one transaction per
// movement; these handlers decide who may do what and translate refusals.

func (s *Server) moneyRoutes(v1 fiber.Router) {
	v1.Get("/partners/:partner_id/account", s.partnerMoneyAccount)
	v1.Get("/customers/:customer_id/account", s.customerMoneyAccount)
	v1.Post("/partners/:partner_id/deposits", requireRole(cases.StaffRoles...), s.createDeposit)
	v1.Get("/partners/:partner_id/deposits", s.listDeposits)
	v1.Get("/partners/:partner_id/deposits/:deposit_id", s.getDeposit)
	v1.Post("/partners/:partner_id/adjustments", s.createAdjustment)
	v1.Get("/partners/:partner_id/adjustments", s.listPartnerAdjustments)
	v1.Get("/partners/:partner_id/adjustments/:adjustment_id", s.getAdjustment)
	v1.Get("/customers/:customer_id/adjustments", s.listCustomerAdjustments)
	v1.Get("/partners/:partner_id/ledger", requireRole(cases.StaffRoles...), s.partnerLedger)
}

type moneyPartnerAccount struct {
	PartnerID string        `json:"partner_id"`
	Balances  []rules.Money `json:"balances"`
}

type moneyCustomerAccount struct {
	CustomerID string        `json:"customer_id"`
	Balances   []rules.Money `json:"balances"`
}

type moneyDepositList struct {
	Deposits   []store.Deposit `json:"deposits"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

type moneyAdjustmentList struct {
	Adjustments []store.Adjustment `json:"adjustments"`
	NextCursor  string             `json:"next_cursor,omitempty"`
}

type moneyLedgerList struct {
	Entries    []store.LedgerEntry `json:"entries"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// moneyPartner is the partner in the path when the caller may read its
// money: its own members and staff. Anyone else gets 404, as does staff for
// a partner that does not exist.
func (s *Server) moneyPartner(c *fiber.Ctx) (string, error) {
	p := principal(c)
	id := c.Params("partner_id")
	switch {
	case p.IsPartnerMember() && p.PartnerID.Valid && p.PartnerID.String == id:
		return id, nil
	case p.IsStaff():
		return id, s.moneyPartnerExists(c, id)
	}
	return "", notFound("partner " + id)
}

// moneyPartnerExists answers 404 when the partner does not exist.
func (s *Server) moneyPartnerExists(c *fiber.Ctx, id string) error {
	_, err := s.store.Partner(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("partner " + id)
	}
	return err
}

// moneyCustomer is the customer in the path when the caller may read its
// money: the customer itself, its partner's members and staff. Anyone else
// gets 404.
func (s *Server) moneyCustomer(c *fiber.Ctx) (store.Customer, error) {
	p := principal(c)
	id := c.Params("customer_id")
	cust, err := s.store.Customer(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Customer{}, notFound("customer " + id)
	}
	if err != nil {
		return store.Customer{}, err
	}
	switch {
	case p.IsStaff(),
		p.CustomerID.Valid && p.CustomerID.String == cust.ID,
		p.IsPartnerMember() && p.PartnerID.Valid && cust.PartnerID.Valid && p.PartnerID.String == cust.PartnerID.String:
		return cust, nil
	}
	return store.Customer{}, notFound("customer " + id)
}

// moneyPartnerRecord serves one record of the partner in the path, named by
// the path parameter param: one that does not exist and another partner's
// both answer 404.
func moneyPartnerRecord[T any](s *Server, c *fiber.Ctx, what, param string,
	read func(ctx context.Context, id string) (T, error), partnerOf func(T) string,
) error {
	partnerID, err := s.moneyPartner(c)
	if err != nil {
		return err
	}
	id := c.Params(param)
	rec, err := read(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && partnerOf(rec) != partnerID) {
		return notFound(what + " " + id)
	}
	if err != nil {
		return err
	}
	return c.JSON(rec)
}

// checkedBody is a request body that names its own bad fields and has a
// normal form.
type checkedBody[T any] interface {
	Validate() rules.FieldErrors
	Normalized() T
}

// moneyMovementBody reads the request of a movement: the body (400 when
// malformed, 422 naming every bad field), normalised, and its
// Idempotency-Key.
func moneyMovementBody[T checkedBody[T]](c *fiber.Ctx) (T, *store.Idempotency, error) {
	var in T
	if err := decodeBody(c, &in); err != nil {
		return in, nil, err
	}
	if problems := in.Validate(); len(problems) > 0 {
		return in, nil, invalid(problems)
	}
	in = in.Normalized()
	idem, err := idempotency(c)
	return in, idem, err
}

// partnerMoneyAccount serves GET /v1/partners/{id}/account.
func (s *Server) partnerMoneyAccount(c *fiber.Ctx) error {
	partnerID, err := s.moneyPartner(c)
	if err != nil {
		return err
	}
	balances, err := s.store.PartnerBalances(c.UserContext(), partnerID)
	if err != nil {
		return err
	}
	return c.JSON(moneyPartnerAccount{PartnerID: partnerID, Balances: balances})
}

// customerMoneyAccount serves GET /v1/customers/{id}/account.
func (s *Server) customerMoneyAccount(c *fiber.Ctx) error {
	cust, err := s.moneyCustomer(c)
	if err != nil {
		return err
	}
	balances, err := s.store.CustomerBalances(c.UserContext(), cust.ID)
	if err != nil {
		return err
	}
	return c.JSON(moneyCustomerAccount{CustomerID: cust.ID, Balances: balances})
}

// createDeposit serves POST /v1/partners/{id}/deposits: staff record money
// the partner paid in.
func (s *Server) createDeposit(c *fiber.Ctx) error {
	partnerID := c.Params("partner_id")
	if err := s.moneyPartnerExists(c, partnerID); err != nil {
		return err
	}
	in, idem, err := moneyMovementBody[rules.DepositRequest](c)
	if err != nil {
		return err
	}
	dep, _, err := s.store.CreateDeposit(c.UserContext(), store.NewDeposit{
		PartnerID: partnerID, Amount: *in.Amount, TransactionID: in.TransactionID, Memo: in.Memo,
		By: store.OperatorOf(principal(c)),
	}, idem)
	if err != nil {
		return moneyError(err)
	}
	c.Location("/v1/partners/" + partnerID + "/deposits/" + dep.ID)
	return c.Status(fiber.StatusCreated).JSON(dep)
}

// listDeposits serves GET /v1/partners/{id}/deposits, newest first.
func (s *Server) listDeposits(c *fiber.Ctx) error {
	partnerID, err := s.moneyPartner(c)
	if err != nil {
		return err
	}
	list, next, err := pageOfOne(c, partnerID, s.store.ListDeposits)
	if err != nil {
		return err
	}
	return c.JSON(moneyDepositList{Deposits: list, NextCursor: next})
}

// getDeposit serves GET /v1/partners/{id}/deposits/{deposit_id}.
func (s *Server) getDeposit(c *fiber.Ctx) error {
	return moneyPartnerRecord(s, c, "deposit", "deposit_id", s.store.Deposit,
		func(d store.Deposit) string { return d.PartnerID })
}

// createAdjustment serves POST /v1/partners/{id}/adjustments: a partner
// member allocates funds to a resale customer or reclaims them.
func (s *Server) createAdjustment(c *fiber.Ctx) error {
	p, partnerID, err := partnerScope(c)
	if err != nil {
		return err
	}
	in, idem, err := moneyMovementBody[rules.AdjustmentRequest](c)
	if err != nil {
		return err
	}
	// Only the partner's own resale customers receive adjustments; another
	// partner's customer is not the caller's to know of.
	cust, err := s.store.Customer(c.UserContext(), in.CustomerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("customer " + in.CustomerID)
	case err != nil:
		return err
	case cust.PartnerID.Valid && cust.PartnerID.String != partnerID:
		return notFound("customer " + in.CustomerID)
	}
	if problem := rules.AdjustmentCustomerProblem(cust.AssociationMode.String); problem != "" {
		return conflict("not-resale-customer", problem)
	}
	adj, _, err := s.store.CreateAdjustment(c.UserContext(), store.NewAdjustment{
		PartnerID: partnerID, CustomerID: in.CustomerID, Operation: in.Operation, Amount: *in.Amount,
		ApplyScenes: in.ApplyScenes, TransactionID: in.TransactionID, Memo: in.Memo, By: store.OperatorOf(p),
	}, idem)
	if err != nil {
		return moneyError(err)
	}
	c.Location("/v1/partners/" + partnerID + "/adjustments/" + adj.ID)
	return c.Status(fiber.StatusCreated).JSON(adj)
}

// moneyError turns the store's refusals of a movement into problems.
func moneyError(err error) error {
	var short *store.InsufficientBalanceError
	switch {
	case errors.As(err, &short):
		whose := map[store.AccountKind]string{store.AccountPartner: "the partner", store.AccountCustomer: "the customer"}[short.Account]
		if whose == "" {
			whose = "the " + string(short.Account) + " account"
		}
		return conflict("insufficient-balance", fmt.Sprintf(
			"insufficient balance: %s has %d %s available, %d %s asked; nothing was moved",
			whose, short.Available.Amount, short.Available.Currency, short.Asked.Amount, short.Asked.Currency))
	case errors.Is(err, store.ErrDuplicateTransactionID):
		return conflict("duplicate-transaction-id",
			"this transaction_id was already used for a deposit or adjustment of the partner; nothing was moved")
	case errors.Is(err, store.ErrNotResaleCustomer):
		return conflict("not-resale-customer", "only resale sub-customers can receive account adjustments")
	case errors.Is(err, store.ErrNotFound):
		// the customer was dissociated between the check and the movement
		return notFound("customer")
	case errors.Is(err, store.ErrBalanceLimit):
		return conflict("balance-limit", "the balance would exceed the largest amount an account can hold; nothing was moved")
	}
	return err
}

// listPartnerAdjustments serves GET /v1/partners/{id}/adjustments, newest
// first, optionally for one customer.
func (s *Server) listPartnerAdjustments(c *fiber.Ctx) error {
	partnerID, err := s.moneyPartner(c)
	if err != nil {
		return err
	}
	var bad rules.FieldErrors
	customerID := c.Query("customer_id")
	if len(customerID) > rules.MaxCustomerIDLength {
		bad = append(bad, rules.FieldError{Field: "customer_id", Message: fmt.Sprintf("must be at most %d characters", rules.MaxCustomerIDLength)})
	}
	list, next, err := readPage(c, bad, func(ctx context.Context, p store.Page) ([]store.Adjustment, string, error) {
		return s.store.ListAdjustments(ctx, store.AdjustmentFilter{PartnerID: partnerID, CustomerID: customerID}, p)
	})
	if err != nil {
		return err
	}
	return c.JSON(moneyAdjustmentList{Adjustments: list, NextCursor: next})
}

// getAdjustment serves GET /v1/partners/{id}/adjustments/{adjustment_id}.
func (s *Server) getAdjustment(c *fiber.Ctx) error {
	return moneyPartnerRecord(s, c, "adjustment", "adjustment_id", s.store.Adjustment,
		func(a store.Adjustment) string { return a.PartnerID })
}

// listCustomerAdjustments serves GET /v1/customers/{id}/adjustments: the
// customer's adjustment records, newest first. A partner member sees those
// its own partner made.
func (s *Server) listCustomerAdjustments(c *fiber.Ctx) error {
	cust, err := s.moneyCustomer(c)
	if err != nil {
		return err
	}
	f := store.AdjustmentFilter{CustomerID: cust.ID}
	if p := principal(c); p.IsPartnerMember() {
		f.PartnerID = p.PartnerID.String
	}
	list, next, err := readPage(c, nil, func(ctx context.Context, p store.Page) ([]store.Adjustment, string, error) {
		return s.store.ListAdjustments(ctx, f, p)
	})
	if err != nil {
		return err
	}
	return c.JSON(moneyAdjustmentList{Adjustments: list, NextCursor: next})
}

// partnerLedger serves GET /v1/partners/{id}/ledger (staff only): the
// entries of the partner's books, newest first.
func (s *Server) partnerLedger(c *fiber.Ctx) error {
	partnerID := c.Params("partner_id")
	if err := s.moneyPartnerExists(c, partnerID); err != nil {
		return err
	}
	entries, next, err := pageOfOne(c, partnerID, s.store.LedgerEntries)
	if err != nil {
		return err
	}
	return c.JSON(moneyLedgerList{Entries: entries, NextCursor: next})
}
