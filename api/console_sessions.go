package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/store"
)

// staffEndsSessions: staff list the console's live sessions and end one
// (a lost laptop, a person who left).
var staffEndsSessions = policy{Verb: administer, Roles: cases.StaffRoles}

// sessionsShown bounds the sessions the page lists, newest first.
const sessionsShown = 200

// sessionView is a live session as the staff page shows it.
type sessionView struct {
	ID, Who, Role, Partner string
	Since, Until           when
	CSRF                   string
}

// sessionsPage serves GET /console/sessions (staff): the live sessions,
// each with a form that ends it.
func (s *Server) sessionsPage(c *fiber.Ctx, v *viewer) error {
	if err := s.may(v, staffEndsSessions, object{}); err != nil {
		return s.consoleError(c, v, err)
	}
	list, err := s.store.LiveSessions(v.ctx, time.Now(), sessionsShown)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	views := make([]sessionView, len(list))
	for i, l := range list {
		views[i] = sessionView{ID: l.ID, Who: l.PrincipalName, Role: l.Role, Since: v.at(l.CreatedAt), Until: v.at(l.ExpiresAt), CSRF: v.CSRF}
		if l.PartnerID != nil {
			views[i].Partner = *l.PartnerID
		}
	}
	return s.render(c, http.StatusOK, "sessions", v, v.Print.T("nav.sessions"), struct{ Sessions []sessionView }{views})
}

// endSession serves POST /console/sessions/{session_id}/revoke (staff).
func (s *Server) endSession(c *fiber.Ctx, v *viewer) error {
	if err := s.may(v, staffEndsSessions, object{}); err != nil {
		return s.consoleError(c, v, err)
	}
	if err := s.store.RevokeSessionByID(v.ctx, c.Params("session_id"), time.Now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = notFound("live session " + c.Params("session_id"))
		}
		return s.consoleError(c, v, err)
	}
	return c.Redirect("/console/sessions", http.StatusSeeOther)
}
