package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerops/rules"
)

// assignRefused is the request's local holding why an assignment was
// refused, for the case page to say.
const assignRefused = "assign-refused"

// bulkResult is what a bulk assignment did to one case: assigned, or the
// refusal's words.
type bulkResult struct {
	OK      bool
	Message string
}

// claimForm serves POST /console/cases/{id}/claim: the case becomes the
// signed-in staff member's (the API's claimCase).
func (s *Server) claimForm(c *fiber.Ctx, v *viewer) error {
	return s.assignForm(c, v, v.P.ID, true)
}

// assigneeForm serves POST /console/cases/{id}/assignee: the case goes to
// the staff member chosen, or to no one (the API's assignCase and
// unassignCase).
func (s *Server) assigneeForm(c *fiber.Ctx, v *viewer) error {
	return s.assignForm(c, v, c.FormValue("assignee_id"), false)
}

func (s *Server) assignForm(c *fiber.Ctx, v *viewer, assigneeID string, claim bool) error {
	id := c.Params("case_id")
	if _, err := s.assign(v.ctx, id, assigneeID, claim); err != nil {
		p, ok := requestRefusal(err)
		if !ok || p.Status == http.StatusNotFound {
			return s.consoleError(c, v, err)
		}
		c.Locals(assignRefused, p.Detail)
		return s.showCase(c, v, p.Status, nil)
	}
	return c.Redirect("/console/cases/"+id+"?done=assigned", http.StatusSeeOther)
}

// bulkAssignForm serves POST /console/cases/assign: every case ticked goes
// to the staff member chosen (the API's assignCase for each); the list
// comes back with what happened to each case beside it.
func (s *Server) bulkAssignForm(c *fiber.Ctx, v *viewer) error {
	assigneeID := c.FormValue("assignee_id")
	results := map[string]*bulkResult{}
	for _, raw := range c.Request().PostArgs().PeekMulti("case_id") {
		id := strings.TrimSpace(string(raw))
		if id == "" {
			continue
		}
		if _, err := s.assign(v.ctx, id, assigneeID, false); err != nil {
			p, ok := requestRefusal(err)
			if !ok {
				return s.consoleError(c, v, err)
			}
			results[id] = &bulkResult{Message: p.Detail}
			continue
		}
		results[id] = &bulkResult{OK: true, Message: v.Print.T("cases.bulk_assigned")}
	}
	if len(results) == 0 {
		results[""] = &bulkResult{Message: v.Print.T("cases.bulk_none")}
	}
	return s.showCases(c, v, http.StatusOK, results)
}

// requestRefusal is the problem of a request refused (4xx): a problem, or
// one of the store's refusals; false for anything else.
func requestRefusal(err error) (*Problem, bool) {
	p, ok := refusalOf(err)
	if !errors.As(err, &p) && !ok {
		return nil, false
	}
	return p, p.Status < 500
}

// commentRefused holds why a comment sent from the case page was refused,
// and commentTyped what was typed, for the page to show again.
const (
	commentRefused = "comment-refused"
	commentTyped   = "comment-typed"
)

// commentForm serves POST /console/cases/{id}/comments: the API's
// commentOnCase, with the same checks; a refused comment comes back with
// what was typed and why.
func (s *Server) commentForm(c *fiber.Ctx, v *viewer) error {
	in := &commentInput{CasePath: CasePath{CaseID: c.Params("case_id")}}
	in.Body.Comment, in.Body.Visibility = c.FormValue("comment"), c.FormValue("visibility")
	if _, err := s.addComment(v.ctx, in); err != nil {
		p, ok := requestRefusal(err)
		if !ok || p.Status == http.StatusNotFound {
			return s.consoleError(c, v, err)
		}
		msg := p.Detail
		if len(p.Errors) > 0 {
			msg = rules.FieldErrors(p.Errors).Error()
		}
		c.Locals(commentRefused, msg)
		c.Locals(commentTyped, in.Body.Comment)
		return s.showCase(c, v, p.Status, nil)
	}
	return c.Redirect("/console/cases/"+in.CaseID+"?done=comment#activity", http.StatusSeeOther)
}
