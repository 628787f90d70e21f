package api

import (
	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/store"
)

const notificationPageSize = 100

func (s *Server) notificationRoutes(v1 fiber.Router) {
	v1.Get("/notifications", s.listNotifications)
}

// listNotifications serves GET /v1/notifications: the caller's newest
// messages. Partner members read their partner's; ops and supervisors read
// what is addressed to their role.
func (s *Server) listNotifications(c *fiber.Ctx) error {
	p := principal(c)
	audience, partnerID := p.Role, ""
	switch {
	case p.IsPartnerMember() && !p.PartnerID.Valid:
		// a personal account associated with no partner reads no partner's messages
		return c.JSON(fiber.Map{"notifications": []store.Notification{}})
	case p.IsPartnerMember():
		audience, partnerID = cases.AudiencePartner, p.PartnerID.String
	case p.Role == cases.RoleCustomer:
		return forbidden("customers have no notifications here yet")
	}
	list, err := s.store.Notifications(c.UserContext(), audience, partnerID, notificationPageSize)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"notifications": list})
}
