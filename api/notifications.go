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
// messages. Partner members read their partner's, customers their own; ops
// and supervisors read what is addressed to their role.
func (s *Server) listNotifications(c *fiber.Ctx) error {
	p := principal(c)
	r := store.Recipient{Audience: p.Role}
	switch {
	case p.IsPartnerMember() && !p.PartnerID.Valid:
		// a personal account associated with no partner reads no partner's messages
		return c.JSON(fiber.Map{"notifications": []store.Notification{}})
	case p.IsPartnerMember():
		r = store.Recipient{Audience: cases.AudiencePartner, PartnerID: p.PartnerID.String}
	case p.Role == cases.RoleCustomer:
		r = store.Recipient{Audience: cases.AudienceCustomer, CustomerID: p.CustomerID.String}
	}
	list, err := s.store.Notifications(c.UserContext(), r, notificationPageSize)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"notifications": list})
}
