package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/store"
	"partnerops/workflows"
)

// caseKind is a case kind in a query: one of the declared processes'.
type caseKind string

// Schema lists the declared kinds, so a new kind is documented and
// accepted without touching this.
func (caseKind) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Enum: enumOf(workflows.Declared().Kinds())}
}

type listCasesInput struct {
	Kind        caseKind `query:"kind" doc:"Only cases of this kind"`
	Status      string   `query:"status" maxLength:"64" doc:"Only cases in this status"`
	PartnerID   string   `query:"partner_id" maxLength:"64" doc:"Only this partner's cases (staff)"`
	SLABreached string   `query:"sla_breached" enum:"true,false" doc:"Only cases whose SLA was (true) or was not (false) missed"`
	Search      string   `query:"q" maxLength:"100" doc:"Only cases whose ID, partner's name, customer's name or subject contains this (any letter case; at least 2 characters)"`
	Assignee    string   `query:"assignee" maxLength:"64" doc:"Staff: only the cases assigned to this staff member's ID, to the caller (me), or to no one (none)"`
	PageParams
}

// caseList is one page of the case list.
type caseList struct {
	Cases []cases.Case `json:"cases"`
	NextPage
}

type CasePath struct {
	CaseID string `path:"case_id" maxLength:"64" doc:"The case's ID" example:"cas_01J9Z3"`
}

type caseEventsInput struct {
	CasePath
	PageParams
}

type caseEventsOutput struct {
	Body struct {
		Events []cases.Event `json:"events"`
		NextPage
	}
}

type caseActionInput struct {
	CasePath
	Action string `path:"action" maxLength:"64" doc:"The action's name; a case's actions field lists those the caller may take now" example:"approve"`
	// IdempotencyKey names the action's Temporal Update (actionUpdateID).
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry of this action answer the first answer instead of taking the step again (the key names the action's Temporal Update, with the caller, the case and the action)"`
	// Body is the action's input, which the case's workflow reads and
	// checks; none is {}.
	Body *actionBody
}

// actionBody is an action's input as sent: a JSON object the workflow
// decodes, kept byte for byte (no detour through float64 numbers).
type actionBody json.RawMessage

func (b *actionBody) UnmarshalJSON(data []byte) error {
	*b = append((*b)[:0], data...)
	return nil
}

func (actionBody) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeObject, AdditionalProperties: true,
		Description: "The action's input, for example {\"reason\": \"...\"} to reject; each action's fields are checked by the case's workflow"}
}

func (s *Server) caseRoutes() {
	registerCaseSchemas(s.huma.OpenAPI().Components.Schemas, workflows.Declared())
	register(s, huma.Operation{
		OperationID: "listCases", Method: http.MethodGet, Path: "/v1/cases", Tags: []string{"cases"},
		Summary:     "List cases",
		Description: "Newest first, with filters and keyset pagination. Partners see only their own cases, customers only theirs.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, readOwn, s.listCases)
	register(s, huma.Operation{
		OperationID: "getCase", Method: http.MethodGet, Path: "/v1/cases/{case_id}", Tags: []string{"cases"},
		Summary: "Read a case", Description: "The live state, read from the case's workflow.",
		Errors:    []int{http.StatusServiceUnavailable},
		Responses: anyCaseResponse(http.StatusOK),
	}, readCase, s.getCase)
	register(s, huma.Operation{
		OperationID: "listCaseEvents", Method: http.MethodGet, Path: "/v1/cases/{case_id}/events", Tags: []string{"cases"},
		Summary: "A case's timeline", Description: "Every event of the case, oldest first.",
	}, readCase, s.caseEvents)
	register(s, huma.Operation{
		OperationID: "takeCaseAction", Method: http.MethodPost, Path: "/v1/cases/{case_id}/actions/{action}", Tags: []string{"cases"},
		Summary: "Take a step on a case",
		Description: "The step runs as an update of the case's workflow: the answer comes once the workflow has taken it, " +
			"and a step not allowed now (409), not the caller's (403) or with bad input (422) changes nothing.",
		Errors:    []int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
		Responses: anyCaseResponse(http.StatusOK),
	}, actOnCase, s.caseAction)
}

// anyCaseResponse documents a case answer by its kind: the details of a
// certification case are CertificationDetails, and so on (AnyCase,
// case_schemas.go).
func anyCaseResponse(status int) map[string]*huma.Response {
	return map[string]*huma.Response{strconv.Itoa(status): {Content: map[string]*huma.MediaType{
		"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/" + anyCaseSchemaName}},
	}}}
}

// listCases serves GET /v1/cases from the read model.
func (s *Server) listCases(ctx context.Context, in *listCasesInput) (*bodyOf[caseList], error) {
	p := principalOf(ctx)
	f := store.CaseFilter{Kind: string(in.Kind), Status: in.Status, PartnerID: in.PartnerID}
	if in.SLABreached != "" {
		breached := in.SLABreached == "true"
		f.SLABreached = &breached
	}
	if err := searchAndAssignee(&f, p, in.Search, in.Assignee); err != nil {
		return nil, err
	}
	f, ok := caseScope(p, f)
	if !ok {
		return &bodyOf[caseList]{Body: caseList{Cases: []cases.Case{}}}, nil
	}
	list, next, err := s.store.ListCases(ctx, f, in.page())
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Actions = workflows.AllowedActions(list[i].Kind, p.Role, list[i].Status)
		list[i] = withAssignee(list[i], list[i].AssigneeID, p.Role)
	}
	return &bodyOf[caseList]{Body: caseList{Cases: list, NextPage: NextPage{next}}}, nil
}

// visibleCase reads the case in the path from the read model, answering 404
// when it does not exist or is not the caller's to see.
func (s *Server) visibleCase(ctx context.Context, id string, pol policy) (cases.Case, error) {
	row, err := s.store.Case(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return cases.Case{}, notFound("case " + id)
	}
	if err != nil {
		return cases.Case{}, err
	}
	return row, allowed(ctx, pol, caseObject(row))
}

// getCase serves GET /v1/cases/{id}: the live state, read from the
// workflow, or the read model's when the workflow cannot answer.
func (s *Server) getCase(ctx context.Context, in *CasePath) (*bodyOf[cases.Case], error) {
	row, err := s.visibleCase(ctx, in.CaseID, readCase)
	if err != nil {
		return nil, err
	}
	return &bodyOf[cases.Case]{Body: s.liveCase(ctx, row, principalOf(ctx).Role)}, nil
}

// caseEvents serves GET /v1/cases/{id}/events.
func (s *Server) caseEvents(ctx context.Context, in *caseEventsInput) (*caseEventsOutput, error) {
	row, err := s.visibleCase(ctx, in.CaseID, readCase)
	if err != nil {
		return nil, err
	}
	events, next, err := s.store.CaseEvents(ctx, row.ID, in.page())
	if err != nil {
		return nil, err
	}
	out := &caseEventsOutput{}
	out.Body.Events, out.Body.NextCursor = events, next
	return out, nil
}

// caseAction serves POST /v1/cases/{id}/actions/{action}.
func (s *Server) caseAction(ctx context.Context, in *caseActionInput) (*bodyOf[cases.Case], error) {
	row, err := s.visibleCase(ctx, in.CaseID, actOnCase)
	if err != nil {
		return nil, err
	}
	if names := workflows.ActionNames(row.Kind); !slices.Contains(names, in.Action) {
		return nil, problem(http.StatusNotFound, "unknown-action",
			fmt.Sprintf("%s cases have no action %q; they have %s", row.Kind, in.Action, strings.Join(names, ", ")))
	}
	if principalOf(ctx).IsDelegated() && row.Kind == cases.KindCustomerAssociation {
		// The partner acting for its customer may not consent for it.
		return nil, forbidden("a delegated token acts for the customer in its partner's name; accepting or declining an association " +
			"or a dissociation is the customer's own decision: answer with the customer's own token")
	}
	input := json.RawMessage(`{}`)
	if in.Body != nil {
		input = json.RawMessage(*in.Body)
	}
	if fields := actionSchemas.problems(row.Kind, in.Action, input); len(fields) > 0 {
		return nil, invalid(fields)
	}
	updated, err := s.act(ctx, row, in.Action, actionUpdateID(principalOf(ctx).ID, row.ID, in.Action, in.IdempotencyKey),
		cases.ActionRequest{Actor: actor(principalOf(ctx)), Input: input})
	if err != nil {
		return nil, err
	}
	return &bodyOf[cases.Case]{Body: updated}, nil
}
