package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

var staffRoles = []string{cases.RoleOps, cases.RoleSupervisor}

// caseList is one page of the case list.
type caseList struct {
	Cases      []cases.Case `json:"cases"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

func (s *Server) caseRoutes(v1 fiber.Router) {
	v1.Get("/cases", s.listCases)
	v1.Get("/cases/:case_id", s.getCase)
	v1.Get("/cases/:case_id/events", s.caseEvents)
	v1.Post("/cases/:case_id/actions/:action", s.caseAction)
}

// listCases serves GET /v1/cases from the read model: newest first, with
// filters and keyset pagination. Partners see only their own cases,
// customers only theirs.
func (s *Server) listCases(c *fiber.Ctx) error {
	p := principal(c)
	f, bad := caseFilter(c)
	list, next, err := readPage(c, bad, func(ctx context.Context, page store.Page) ([]cases.Case, string, error) {
		switch {
		case p.IsPartnerMember():
			// a personal account associated with no partner has no cases to see
			if !p.PartnerID.Valid || (f.PartnerID != "" && f.PartnerID != p.PartnerID.String) {
				return []cases.Case{}, "", nil
			}
			f.PartnerID = p.PartnerID.String
		case p.Role == cases.RoleCustomer:
			f.CustomerID = p.CustomerID.String
		}
		return s.store.ListCases(ctx, f, page)
	})
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Actions = workflows.AllowedActions(list[i].Kind, p.Role, list[i].Status)
	}
	return c.JSON(caseList{Cases: list, NextCursor: next})
}

// caseFilter reads the list's filters, naming every bad one.
func caseFilter(c *fiber.Ctx) (store.CaseFilter, rules.FieldErrors) {
	f := store.CaseFilter{Kind: c.Query("kind"), Status: c.Query("status"), PartnerID: c.Query("partner_id")}
	var bad rules.FieldErrors
	if f.Kind != "" && !slices.Contains(cases.Kinds(), cases.Kind(f.Kind)) {
		bad = append(bad, rules.FieldError{Field: "kind", Message: fmt.Sprintf("must be one of %v", cases.Kinds())})
	}
	if len(f.Status) > 64 {
		bad = append(bad, rules.FieldError{Field: "status", Message: "must be at most 64 characters"})
	}
	if v := c.Query("sla_breached"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad = append(bad, rules.FieldError{Field: "sla_breached", Message: "must be true or false"})
		}
		f.SLABreached = &b
	}
	return f, bad
}

// visibleCase reads the case in the path from the read model, answering 404
// when it does not exist or is not the caller's to see.
func (s *Server) visibleCase(c *fiber.Ctx) (cases.Case, error) {
	id := c.Params("case_id")
	row, err := s.store.Case(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !canSee(principal(c), row)) {
		return cases.Case{}, notFound("case " + id)
	}
	return row, err
}

// getCase serves GET /v1/cases/{id}: the live state, read from the
// workflow, or the read model's when the workflow cannot answer.
func (s *Server) getCase(c *fiber.Ctx) error {
	row, err := s.visibleCase(c)
	if err != nil {
		return err
	}
	return c.JSON(s.liveCase(c.UserContext(), row, principal(c).Role))
}

// caseEvents serves GET /v1/cases/{id}/events: the timeline, oldest first.
func (s *Server) caseEvents(c *fiber.Ctx) error {
	row, err := s.visibleCase(c)
	if err != nil {
		return err
	}
	events, next, err := pageOfOne(c, row.ID, s.store.CaseEvents)
	return answerList(c, "events", events, next, err, asIs[cases.Event])
}

// caseAction serves POST /v1/cases/{id}/actions/{action}: the step is a
// Temporal Update, so the answer comes once the workflow has taken it, and
// a step not allowed now is refused before anything changes.
func (s *Server) caseAction(c *fiber.Ctx) error {
	row, err := s.visibleCase(c)
	if err != nil {
		return err
	}
	name := c.Params("action")
	if names := workflows.ActionNames(row.Kind); !slices.Contains(names, name) {
		return problem(fiber.StatusNotFound, "unknown-action",
			fmt.Sprintf("%s cases have no action %q; they have %s", row.Kind, name, strings.Join(names, ", ")))
	}
	input, err := objectBody(c)
	if err != nil {
		return err
	}
	updated, err := s.act(c.UserContext(), row, name, cases.ActionRequest{Actor: actor(principal(c)), Input: input})
	if err != nil {
		return err
	}
	return c.JSON(updated)
}
