package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
	"partnerops/store"
)

// Money: partner and customer accounts, deposits, account adjustments (调账)
// and the ledger. All money moves in the store, in one transaction per
// movement; these handlers decide who may do what and translate refusals.

const moneyDescription = " Money is integer minor units with a currency ({\"amount\": 12000, \"currency\": \"CNY\"} is 120.00 CNY). " +
	"Every movement is two ledger entries summing to zero, written in one transaction with the balances; no balance goes negative."

func (s *Server) moneyRoutes() {
	tags := []string{"money"}
	register(s, huma.Operation{
		OperationID: "getPartnerMoneyAccount", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/account", Tags: tags,
		Summary:     "A partner's account balances",
		Description: "The partner's own funds, one balance per currency it ever held, by currency. The partner's members and staff." + moneyDescription,
	}, readPartnerMoney, s.partnerMoneyAccount)
	register(s, huma.Operation{
		OperationID: "getCustomerMoneyAccount", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/account", Tags: tags,
		Summary:     "A customer's account balances",
		Description: "What the customer holds from its partner's allocations, one balance per currency, by currency. The customer itself, its partner's members and staff.",
	}, readCustomerMoney, s.customerMoneyAccount)
	register(s, huma.Operation{
		OperationID: "createDeposit", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/deposits", Tags: tags,
		Summary: "Record a deposit",
		Description: "Ops or a supervisor record money the partner paid in: the amount moves from the vendor's funding account to the partner's account. " +
			"The partner's members get 403. transaction_id is unique among the partner's deposits and adjustments: a duplicate answers 409 and moves nothing. " +
			"With an Idempotency-Key, a retry answers the same deposit and moves no money again." + moneyDescription,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, staffDeposits, s.createDeposit)
	register(s, huma.Operation{
		OperationID: "listDeposits", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/deposits", Tags: tags,
		Summary: "List a partner's deposits", Description: "Newest first. The partner's members and staff.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartnerMoney, s.listDeposits)
	register(s, huma.Operation{
		OperationID: "getDeposit", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/deposits/{deposit_id}", Tags: tags,
		Summary: "Read a deposit", Description: "The partner's members and staff; another partner's deposit answers 404.",
	}, readPartnerMoney, s.getDeposit)
	register(s, huma.Operation{
		OperationID: "createAdjustment", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/adjustments", Tags: tags,
		Summary: "Adjust a resale customer's account (调账)",
		Description: "A member of the partner (admin or member) allocates funds from the partner's account to a resale customer (allocate), " +
			"or takes them back (reclaim); staff get 403. Only the partner's own resale customers receive adjustments: another partner's customer " +
			"answers 404, a consultative customer or one associated with no partner 409 (not-resale-customer). An allocation beyond the partner's " +
			"balance, or a reclaim beyond what the customer holds in that currency, answers 409 (insufficient-balance, naming what is available and " +
			"what was asked) and writes nothing. transaction_id is unique among the partner's deposits and adjustments: a duplicate answers 409 " +
			"(duplicate-transaction-id). (reclaim_on_unbind records are made only when a customer is dissociated.)" + moneyDescription,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, partnerAdjusts, s.createAdjustment)
	register(s, huma.Operation{
		OperationID: "listPartnerAdjustments", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/adjustments", Tags: tags,
		Summary: "List a partner's adjustments", Description: "Newest first, optionally for one customer. The partner's members and staff.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartnerMoney, s.listPartnerAdjustments)
	register(s, huma.Operation{
		OperationID: "getAdjustment", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/adjustments/{adjustment_id}", Tags: tags,
		Summary: "Read an adjustment", Description: "The partner's members and staff; another partner's adjustment answers 404.",
	}, readPartnerMoney, s.getAdjustment)
	register(s, huma.Operation{
		OperationID: "listCustomerAdjustments", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/adjustments", Tags: tags,
		Summary: "List a customer's adjustment records",
		Description: "The adjustments of the customer's account, newest first. The customer itself and staff see all of them, " +
			"its partner's members those their partner made.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readCustomerMoney, s.listCustomerAdjustments)
	register(s, huma.Operation{
		OperationID: "listLedgerEntries", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/ledger", Tags: tags,
		Summary: "List the ledger of a partner's books",
		Description: "Staff only (the partner's members get 403): the ledger entries of the partner's accounts, its customers' accounts and the " +
			"vendor accounts facing it, newest first. Each posting is two entries summing to zero. The ledger is append-only.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, staffReadsLedger, s.partnerLedger)
}

type moneyPartnerAccount struct {
	PartnerID string        `json:"partner_id"`
	Balances  []rules.Money `json:"balances" doc:"One per currency, by currency"`
}

type moneyCustomerAccount struct {
	CustomerID string              `json:"customer_id"`
	Balances   []rules.Money       `json:"balances" doc:"One per currency, by currency"`
	Parts      []store.BalancePart `json:"parts" doc:"What each part of the balance may buy: per currency and usage scenes, unrestricted money (no scenes) first; a charge draws from money earmarked for its product first, then from unrestricted money"`
}

type createDepositInput struct {
	PartnerPath
	Idempotent
	Body depositBody
}

func (in *createDepositInput) Resolve(huma.Context) []error { return ruleErrors(in.Body.Validate()) }

type depositOutput struct {
	Location string `header:"Location" doc:"The deposit"`
	Body     store.Deposit
}

type depositListOutput struct {
	Body struct {
		Deposits []store.Deposit `json:"deposits"`
		NextPage
	}
}

type depositInput struct {
	PartnerPath
	DepositID string `path:"deposit_id" maxLength:"64" doc:"The deposit's ID"`
}

type createAdjustmentInput struct {
	PartnerPath
	Idempotent
	Body adjustmentBody
}

func (in *createAdjustmentInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

type adjustmentOutput struct {
	Location string `header:"Location" doc:"The adjustment"`
	Body     store.Adjustment
}

type adjustmentListOutput struct {
	Body struct {
		Adjustments []store.Adjustment `json:"adjustments"`
		NextPage
	}
}

type partnerAdjustmentsInput struct {
	PartnerPath
	CustomerID string `query:"customer_id" maxLength:"100" doc:"Only this customer's adjustments"`
	PageParams
}

type adjustmentInput struct {
	PartnerPath
	AdjustmentID string `path:"adjustment_id" maxLength:"64" doc:"The adjustment's ID"`
}

type ledgerOutput struct {
	Body struct {
		Entries []store.LedgerEntry `json:"entries"`
		NextPage
	}
}

// partnerRecord answers one record of the partner in the path: one that
// does not exist and another partner's both answer 404.
func partnerRecord[T any](ctx context.Context, what, partnerID, id string,
	read func(ctx context.Context, id string) (T, error), partnerOf func(T) string,
) (T, error) {
	rec, err := read(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && partnerOf(rec) != partnerID) {
		var none T
		return none, notFound(what + " " + id)
	}
	return rec, err
}

// partnerMoneyAccount serves GET /v1/partners/{id}/account.
func (s *Server) partnerMoneyAccount(ctx context.Context, in *PartnerPath) (*bodyOf[moneyPartnerAccount], error) {
	balances, err := s.store.PartnerBalances(ctx, in.PartnerID)
	if err != nil {
		return nil, err
	}
	return &bodyOf[moneyPartnerAccount]{Body: moneyPartnerAccount{PartnerID: in.PartnerID, Balances: balances}}, nil
}

// customerMoneyAccount serves GET /v1/customers/{id}/account.
func (s *Server) customerMoneyAccount(ctx context.Context, in *CustomerPath) (*bodyOf[moneyCustomerAccount], error) {
	cust, err := s.customerFor(ctx, readCustomerMoney, in.CustomerID)
	if err != nil {
		return nil, err
	}
	balances, err := s.store.CustomerBalances(ctx, cust.ID)
	if err != nil {
		return nil, err
	}
	parts, err := s.store.CustomerBalanceParts(ctx, cust.ID)
	if err != nil {
		return nil, err
	}
	return &bodyOf[moneyCustomerAccount]{Body: moneyCustomerAccount{CustomerID: cust.ID, Balances: balances, Parts: parts}}, nil
}

// createDeposit serves POST /v1/partners/{id}/deposits: staff record money
// the partner paid in.
func (s *Server) createDeposit(ctx context.Context, in *createDepositInput) (*depositOutput, error) {
	req := in.Body.Normalized()
	dep, _, err := s.store.CreateDeposit(ctx, store.NewDeposit{
		PartnerID: in.PartnerID, Amount: *req.Amount, TransactionID: req.TransactionID, Memo: req.Memo,
		By: store.OperatorOf(principalOf(ctx)),
	}, in.Idempotent.claim(ctx))
	if err != nil {
		return nil, err
	}
	return &depositOutput{Location: "/v1/partners/" + in.PartnerID + "/deposits/" + dep.ID, Body: dep}, nil
}

// listDeposits serves GET /v1/partners/{id}/deposits, newest first.
func (s *Server) listDeposits(ctx context.Context, in *partnerPageInput) (*depositListOutput, error) {
	list, next, err := s.store.ListDeposits(ctx, in.PartnerID, in.page())
	if err != nil {
		return nil, err
	}
	out := &depositListOutput{}
	out.Body.Deposits, out.Body.NextCursor = list, next
	return out, nil
}

// getDeposit serves GET /v1/partners/{id}/deposits/{deposit_id}.
func (s *Server) getDeposit(ctx context.Context, in *depositInput) (*bodyOf[store.Deposit], error) {
	dep, err := partnerRecord(ctx, "deposit", in.PartnerID, in.DepositID, s.store.Deposit,
		func(d store.Deposit) string { return d.PartnerID })
	if err != nil {
		return nil, err
	}
	return &bodyOf[store.Deposit]{Body: dep}, nil
}

// createAdjustment serves POST /v1/partners/{id}/adjustments: a partner
// member allocates funds to a resale customer or reclaims them.
func (s *Server) createAdjustment(ctx context.Context, in *createAdjustmentInput) (*adjustmentOutput, error) {
	req := in.Body.Normalized()
	// Only the partner's own resale customers receive adjustments; another
	// partner's customer is not the caller's to know of.
	cust, err := s.store.Customer(ctx, req.CustomerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound("customer " + req.CustomerID)
	case err != nil:
		return nil, err
	case cust.PartnerID.Valid && cust.PartnerID.String != in.PartnerID:
		return nil, notFound("customer " + req.CustomerID)
	case !cust.PartnerID.Valid:
		if err := s.pendingAssociation(ctx, in.PartnerID, cust.ID); err != nil {
			return nil, err
		}
	}
	if problem := rules.AdjustmentCustomerProblem(cust.AssociationMode.String); problem != "" {
		return nil, conflict("not-resale-customer", problem)
	}
	adj, _, err := s.store.CreateAdjustment(ctx, store.NewAdjustment{
		PartnerID: in.PartnerID, CustomerID: req.CustomerID, Operation: req.Operation, Amount: *req.Amount,
		ApplyScenes: req.ApplyScenes, TransactionID: req.TransactionID, Memo: req.Memo, By: store.OperatorOf(principalOf(ctx)),
	}, in.Idempotent.claim(ctx))
	if err != nil {
		return nil, err
	}
	return &adjustmentOutput{Location: "/v1/partners/" + in.PartnerID + "/adjustments/" + adj.ID, Body: adj}, nil
}

// listPartnerAdjustments serves GET /v1/partners/{id}/adjustments, newest
// first, optionally for one customer.
func (s *Server) listPartnerAdjustments(ctx context.Context, in *partnerAdjustmentsInput) (*adjustmentListOutput, error) {
	return s.adjustments(ctx, store.AdjustmentFilter{PartnerID: in.PartnerID, CustomerID: in.CustomerID}, in.PageParams)
}

func (s *Server) adjustments(ctx context.Context, f store.AdjustmentFilter, p PageParams) (*adjustmentListOutput, error) {
	list, next, err := s.store.ListAdjustments(ctx, f, p.page())
	if err != nil {
		return nil, err
	}
	out := &adjustmentListOutput{}
	out.Body.Adjustments, out.Body.NextCursor = list, next
	return out, nil
}

// getAdjustment serves GET /v1/partners/{id}/adjustments/{adjustment_id}.
func (s *Server) getAdjustment(ctx context.Context, in *adjustmentInput) (*bodyOf[store.Adjustment], error) {
	adj, err := partnerRecord(ctx, "adjustment", in.PartnerID, in.AdjustmentID, s.store.Adjustment,
		func(a store.Adjustment) string { return a.PartnerID })
	if err != nil {
		return nil, err
	}
	return &bodyOf[store.Adjustment]{Body: adj}, nil
}

// listCustomerAdjustments serves GET /v1/customers/{id}/adjustments: the
// customer's adjustment records, newest first. A partner member sees those
// its own partner made.
func (s *Server) listCustomerAdjustments(ctx context.Context, in *customerPageInput) (*adjustmentListOutput, error) {
	cust, err := s.customerFor(ctx, readCustomerMoney, in.CustomerID)
	if err != nil {
		return nil, err
	}
	f := store.AdjustmentFilter{CustomerID: cust.ID}
	if p := principalOf(ctx); p.IsPartnerMember() {
		f.PartnerID = p.PartnerID.String
	}
	return s.adjustments(ctx, f, in.PageParams)
}

// partnerLedger serves GET /v1/partners/{id}/ledger (staff only): the
// entries of the partner's books, newest first.
func (s *Server) partnerLedger(ctx context.Context, in *partnerPageInput) (*ledgerOutput, error) {
	entries, next, err := s.store.LedgerEntries(ctx, in.PartnerID, in.page())
	if err != nil {
		return nil, err
	}
	out := &ledgerOutput{}
	out.Body.Entries, out.Body.NextCursor = entries, next
	return out, nil
}
