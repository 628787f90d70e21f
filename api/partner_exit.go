package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// Partner exit: the admin asks to leave the program (a partner_exit case),
// staff pay the partner's balance back out (withdrawals), and once exited
// the admin deregisters the account.

func (s *Server) exitRoutes() {
	tags := []string{"partner exit"}
	register(s, huma.Operation{
		OperationID: "requestPartnerExit", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/exit", Tags: tags,
		Summary: "Ask to exit the partner program",
		Description: "The partner's admin (any partner type) starts a partner_exit case (202, Location: the case; PartnerExitCase). " +
			"From then on no new process of the partner starts (409 partner-exiting, naming the exit case); a second request answers the " +
			"same 409. The case lists what still binds the partner and what clears each, then cools off; see PartnerExitCase. " +
			"With an Idempotency-Key, a retry answers the same case.",
		DefaultStatus: http.StatusAccepted,
		Responses:     anyCaseResponse(http.StatusAccepted),
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, partnerExits, s.requestPartnerExit)
	register(s, huma.Operation{
		OperationID: "deregisterPartner", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/deregistration", Tags: tags,
		Summary: "Deregister an exited partner's account",
		Description: "The partner's admin, only once the partner has exited the program: before that 409 exit-required, naming the " +
			"running exit case (case_id) or saying none was requested. It revokes every token of the partner's accounts (the admin's " +
			"too: this is the last call it makes) and anonymises the names of its accounts and the contact and legal representative " +
			"of its business information; the ledger, invoices, case timelines and audit trail are kept and show the partner as " +
			"deregistered. Irreversible; deregistering again changes nothing.",
		Errors: []int{http.StatusConflict},
	}, partnerDeregisters, s.deregisterPartner)
	register(s, huma.Operation{
		OperationID: "createWithdrawal", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/withdrawals", Tags: []string{"money"},
		Summary: "Record a withdrawal of the partner's balance",
		Description: "Ops or a supervisor record money paid back out to the partner (a refund of its balance, as an exiting partner " +
			"needs): the amount moves from the partner's account to the vendor's funding account, the reverse of a deposit. The body is " +
			"a deposit's. Never more than the balance (409 insufficient-balance, nothing moved). transaction_id is the withdrawal's " +
			"reference: the same withdrawal again answers the same posting and moves nothing; the ID used for another movement answers " +
			"409. The partner's running exit case checks its obligations again." + moneyDescription,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, staffDeposits, s.createWithdrawal)
}

type requestExitInput struct {
	PartnerPath
	Idempotent
	Body rules.ExitRequest
}

// Resolve checks the request by the rules, naming every bad field at once.
func (in *requestExitInput) Resolve(huma.Context) []error { return ruleErrors(in.Body.Validate()) }

// requestPartnerExit serves POST /v1/partners/{id}/exit.
func (s *Server) requestPartnerExit(ctx context.Context, in *requestExitInput) (*startedOutput, error) {
	p := principalOf(ctx)
	req := in.Body.Normalized()
	partnerID := in.PartnerID
	start := workflows.PartnerExitInput{PartnerID: partnerID, RequestedBy: actor(p), Reason: req.Reason,
		CoolingOff: s.exitCoolingOff, OpsSLA: s.exitSLA}
	return s.startCase(ctx, in.Idempotent, caseStart{
		kind: cases.KindPartnerExit, partnerID: partnerID,
		initialStatus: workflows.ExitChecking,
		details:       start.Details(),
		workflow:      workflows.PartnerExitWorkflow,
		input: func(caseID string, createdAt time.Time) any {
			start.CaseID, start.CreatedAt = caseID, createdAt
			return start
		},
	})
}

// exitingProblem is the refusal of a new case, customer, deposit or
// allocation of a partner that is leaving or has left the program, naming
// its exit case.
func exitingProblem(e *store.PartnerExitingError) *Problem {
	p := conflict("partner-exiting", fmt.Sprintf("the partner is %s (exit case %s): no new process, customer, deposit or "+
		"allocation of it; "+
		"its admin may withdraw the exit while it is not yet awaiting ops", e.Status, e.ExitCaseID))
	p.CaseID = e.ExitCaseID
	return p
}

// deregisterPartner serves POST /v1/partners/{id}/deregistration.
func (s *Server) deregisterPartner(ctx context.Context, in *PartnerPath) (*bodyOf[partnerView], error) {
	partner, err := s.store.DeregisterPartner(ctx, in.PartnerID, principalOf(ctx), time.Now().UTC().Truncate(time.Microsecond))
	if err == nil && s.historyKeys != nil {
		s.historyKeys.Forget(in.PartnerID) // its data key is destroyed: this process drops its copy now
	}
	return one("partner "+in.PartnerID, partner, err, viewPartner)
}

type withdrawalInput struct {
	PartnerPath
	Body depositBody
}

func (in *withdrawalInput) Resolve(huma.Context) []error { return ruleErrors(in.Body.Validate()) }

type withdrawalOutput struct {
	Body store.Posting
}

// createWithdrawal serves POST /v1/partners/{id}/withdrawals (staff).
func (s *Server) createWithdrawal(ctx context.Context, in *withdrawalInput) (*withdrawalOutput, error) {
	posting, _, err := s.store.Withdraw(ctx, in.PartnerID, in.Body.Normalized(), store.OperatorOf(principalOf(ctx)))
	if err != nil {
		return nil, err
	}
	s.obligationChanged(ctx, in.PartnerID)
	return &withdrawalOutput{Body: posting}, nil
}

// obligationChanged tells the partner's running exit case, if any, that
// one of its obligations may have cleared. It is a hint: the case also
// checks daily, so a signal that cannot be sent now is only logged.
func (s *Server) obligationChanged(ctx context.Context, partnerID string) {
	ctx, cancel := context.WithTimeout(ctx, s.actionTimeout)
	defer cancel()
	if err := s.starter.ObligationsChanged(ctx, partnerID); err != nil {
		s.logger.WarnContext(ctx, "exit case not told of a cleared obligation; it checks again daily",
			"partner_id", partnerID, "error", err)
	}
}
