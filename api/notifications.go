package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/store"
)

func (s *Server) notificationRoutes(v1 fiber.Router) {
	v1.Get("/notifications", s.listNotifications)
}

// listNotifications serves GET /v1/notifications: the caller's newest
// messages. Partner members read their partner's, customers their own; ops
// and supervisors read what is addressed to their role.
func (s *Server) listNotifications(c *fiber.Ctx) error {
	p := principal(c)
	list, next, err := readPage(c, nil, func(ctx context.Context, page store.Page) ([]store.Notification, string, error) {
		r := store.Recipient{Audience: p.Role}
		switch {
		case p.IsPartnerMember() && !p.PartnerID.Valid:
			// a personal account associated with no partner reads no partner's messages
			return []store.Notification{}, "", nil
		case p.IsPartnerMember():
			r = store.Recipient{Audience: cases.AudiencePartner, PartnerID: p.PartnerID.String}
		case p.Role == cases.RoleCustomer:
			r = store.Recipient{Audience: cases.AudienceCustomer, CustomerID: p.CustomerID.String}
		}
		return s.store.Notifications(ctx, r, page)
	})
	return answerList(c, "notifications", list, next, err, asIs[store.Notification])
}
