package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"partnerops/rules"
	"partnerops/store"
)

func (s *Server) calendarRoutes(v1 fiber.Router) {
	v1.Get("/calendar/days", s.listCalendarDays)
	v1.Put("/calendar/days/:date", requireRole(staffRoles...), s.putCalendarDay)
	v1.Delete("/calendar/days/:date", requireRole(staffRoles...), s.deleteCalendarDay)
}

// listCalendarDays serves GET /v1/calendar/days: the holidays and make-up
// working days every SLA is counted on.
func (s *Server) listCalendarDays(c *fiber.Ctx) error {
	days, err := s.store.CalendarDays(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"days": days})
}

// putCalendarDay serves PUT /v1/calendar/days/{date}: staff declare a
// holiday or a make-up working day. Deadlines already set do not move.
func (s *Server) putCalendarDay(c *fiber.Ctx) error {
	var body struct {
		Kind rules.DayKind `json:"kind"`
		Name string        `json:"name"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	day := rules.CalendarDay{Date: c.Params("date"), Kind: body.Kind, Name: body.Name}
	if problems := day.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	if err := s.store.PutCalendarDay(c.UserContext(), day); err != nil {
		return err
	}
	return c.JSON(day)
}

// deleteCalendarDay serves DELETE /v1/calendar/days/{date}.
func (s *Server) deleteCalendarDay(c *fiber.Ctx) error {
	day := rules.CalendarDay{Date: c.Params("date"), Kind: rules.Holiday}
	if problems := day.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	err := s.store.DeleteCalendarDay(c.UserContext(), day.Date)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("calendar day " + day.Date)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
