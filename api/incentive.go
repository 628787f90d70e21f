package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

func (s *Server) incentiveRoutes() {
	tags := []string{"incentive settlements"}
	register(s, huma.Operation{
		OperationID: "publishIncentiveSettlement", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/incentive-settlements", Tags: tags,
		Summary: "Publish an incentive settlement for a partner",
		Description: "Staff publish what the partner earned in a period: the amount and the incentive items that sum to it. " +
			"An incentive_settlement case starts (202, Location: the case), naming the vendor entity the partner must invoice. " +
			"With the partner's automatic incentive application on it is applied for at once; otherwise the partner applies " +
			"(action apply) by its deadline. With an Idempotency-Key, a retry answers the same case.",
		DefaultStatus: http.StatusAccepted,
		Responses:     anyCaseResponse(http.StatusAccepted),
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, staffPublishes, s.publishSettlement)
	register(s, huma.Operation{
		OperationID: "listIncentiveSettlements", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/incentive-settlements", Tags: tags,
		Summary: "A partner's incentive settlements, and what it must do next on each",
		Description: "Newest first; status and period narrow them. Each names the partner's next step (next_step, empty while the " +
			"vendor holds it), its deadline and the actions the caller may take on its case. The partner's members and staff.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartner, s.listSettlements)
}

// staffPublishes: staff publish a partner's incentive settlements.
var staffPublishes = policy{Verb: act, Object: objPartner, Roles: cases.StaffRoles}

type publishSettlementInput struct {
	PartnerPath
	Idempotent
	Body rules.SettlementRequest
}

func (in *publishSettlementInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

// publishSettlement serves POST /v1/partners/{id}/incentive-settlements.
func (s *Server) publishSettlement(ctx context.Context, in *publishSettlementInput) (*startedOutput, error) {
	partner, err := s.store.Partner(ctx, in.PartnerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("partner " + in.PartnerID)
	}
	if err != nil {
		return nil, err
	}
	req := in.Body.Normalized()
	p := principalOf(ctx)
	input := func(caseID string, createdAt time.Time) workflows.IncentiveSettlementInput {
		return workflows.IncentiveSettlementInput{
			CaseID: caseID, PartnerID: partner.ID, PublishedBy: actor(p), Period: req.Period, Amount: *req.Amount,
			Items: req.Items, Vendor: s.vendor, Automatic: partner.AutoIncentiveApplication, PublishedAt: createdAt,
			IncentivePolicy: s.incentive, ReturnSLA: s.ticketSLA, TimeZone: s.location.String(),
		}
	}
	return s.startCase(ctx, in.Idempotent, caseStart{
		kind: cases.KindIncentiveSettlement, partnerID: partner.ID,
		initialStatus: workflows.SettlementPublished,
		details:       input("", time.Time{}).Details(),
		workflow:      workflows.IncentiveSettlementWorkflow,
		input:         func(caseID string, createdAt time.Time) any { return input(caseID, createdAt) },
	})
}

// settlementStatus is a settlement's status in a query.
type settlementStatus string

func (settlementStatus) Schema(huma.Registry) *huma.Schema {
	return enumSchema(workflows.Declared().Statuses(cases.KindIncentiveSettlement), "")
}

type listSettlementsInput struct {
	PartnerPath
	Status settlementStatus `query:"status" doc:"Only the settlements in this status"`
	Period string           `query:"period" pattern:"^20[0-9]{2}-(Q[1-4]|0[1-9]|1[0-2])$" doc:"Only the settlements of this period, e.g. 2026-Q3"`
	PageParams
}

// settlementView is a settlement as the partner's list shows it.
type settlementView struct {
	CaseID    string      `json:"case_id"`
	Status    string      `json:"status"`
	Period    string      `json:"period"`
	Amount    rules.Money `json:"amount"`
	Deadline  *time.Time  `json:"deadline,omitempty" doc:"By when the partner applies or sends a valid invoice"`
	NextStep  string      `json:"next_step,omitempty" doc:"What the partner must do next; absent while the vendor holds the settlement or it is finished"`
	Actions   []string    `json:"actions" doc:"The actions the caller may take on the case now"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	ClosedAt  *time.Time  `json:"closed_at,omitempty"`
}

type settlementListOutput struct {
	Body struct {
		Settlements []settlementView `json:"settlements"`
		NextPage
	}
}

// listSettlements serves GET /v1/partners/{id}/incentive-settlements, from the read model.
func (s *Server) listSettlements(ctx context.Context, in *listSettlementsInput) (*settlementListOutput, error) {
	list, next, err := s.store.IncentiveSettlements(ctx, in.PartnerID,
		store.SettlementFilter{Status: string(in.Status), Period: in.Period}, in.page())
	if err != nil {
		return nil, err
	}
	role := principalOf(ctx).Role
	out := &settlementListOutput{}
	out.Body.Settlements = make([]settlementView, len(list))
	for i, c := range list {
		var d workflows.IncentiveSettlementDetails
		if err := json.Unmarshal(c.Details, &d); err != nil {
			return nil, err
		}
		out.Body.Settlements[i] = settlementView{
			CaseID: c.ID, Status: c.Status, Period: d.Period, Amount: d.Amount, Deadline: d.Deadline,
			NextStep: workflows.SettlementNextStep(c.Status, d, s.location), Actions: workflows.AllowedActions(c.Kind, role, c.Status),
			CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ClosedAt: c.ClosedAt,
		}
	}
	out.Body.NextCursor = next
	return out, nil
}
