package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"partnerops/rules"
)

// saveViewForm serves POST /console/views?<the list's query>: the staff
// member keeps the list's filters and order under a name (the same name
// again replaces it). The query is re-encoded from the filters the list
// knows, never kept as sent.
func (s *Server) saveViewForm(c *fiber.Ctx, v *viewer) error {
	if !v.P.IsStaff() {
		return s.consoleError(c, v, forbidden("saved views are the vendor staff's"))
	}
	name := rules.NormalizeText(strings.TrimSpace(c.FormValue("name")))
	if msg := rules.TextProblem(name, false); msg != "" || name == "" || utf8.RuneCountInString(name) > 60 {
		if msg == "" {
			msg = "must hold 1 to 60 characters"
		}
		return s.consoleError(c, v, invalid(rules.FieldErrors{{Field: "name", Message: msg}}))
	}
	q := caseQueryOf(c)
	target := q.url("")
	_, query, _ := strings.Cut(target, "?")
	if err := s.store.SaveView(v.ctx, v.P.ID, name, query); err != nil {
		return s.consoleError(c, v, err)
	}
	return c.Redirect(target, http.StatusSeeOther)
}

// deleteViewForm serves POST /console/views/{view_id}/delete.
func (s *Server) deleteViewForm(c *fiber.Ctx, v *viewer) error {
	id, err := strconv.ParseInt(c.Params("view_id"), 10, 64)
	if err != nil {
		return s.consoleError(c, v, notFound("saved view "+c.Params("view_id")))
	}
	if err := s.store.DeleteView(v.ctx, v.P.ID, id); err != nil {
		return s.consoleError(c, v, err)
	}
	return c.Redirect("/console", http.StatusSeeOther)
}
