package api

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/store"
)

func (s *Server) accessRoutes(v1 fiber.Router) {
	v1.Get("/partners/:partner_id/access-configuration", s.getAccessConfiguration)
	v1.Post("/partners/:partner_id/access-configuration", s.configureAccess)
}

// accessConfigurationView is a partner's access configuration as the API shows it.
type accessConfigurationView struct {
	Configured   bool         `json:"configured"`
	XAccountType string       `json:"xaccount_type,omitempty"`
	ConfiguredAt *time.Time   `json:"configured_at,omitempty"`
	ConfiguredBy *cases.Actor `json:"configured_by,omitempty"`
}

func accessView(a store.AccessConfiguration) accessConfigurationView {
	at := a.ConfiguredAt.UTC()
	return accessConfigurationView{
		Configured: true, XAccountType: a.XAccountType, ConfiguredAt: &at,
		ConfiguredBy: actorOf(a.ConfiguredBy, a.ConfiguredByRole, a.ConfiguredByName),
	}
}

// getAccessConfiguration serves GET /v1/partners/{id}/access-configuration:
// whether the partner has completed its access configuration, and then its
// platform identifier.
func (s *Server) getAccessConfiguration(c *fiber.Ctx) error {
	partnerID, err := s.partnerReadScope(c)
	if err != nil {
		return err
	}
	a, err := s.store.AccessConfiguration(c.UserContext(), partnerID)
	if errors.Is(err, store.ErrNotFound) {
		return c.JSON(accessConfigurationView{Configured: false})
	}
	if err != nil {
		return err
	}
	return c.JSON(accessView(a))
}

// configureAccess serves POST /v1/partners/{id}/access-configuration: the
// partner's admin completes the access configuration, which issues the
// partner's platform identifier once (201); again, it answers the same (200).
func (s *Server) configureAccess(c *fiber.Ctx) error {
	p, partnerID, err := partnerScope(c)
	if err != nil {
		return err
	}
	if p.Role != cases.RoleAdmin {
		return forbidden("only the partner's admin (company account) may complete the access configuration")
	}
	if err := noBody(c); err != nil {
		return err
	}
	a, created, err := s.store.ConfigureAccess(c.UserContext(), partnerID, p)
	if err != nil {
		return err
	}
	if !created {
		return c.JSON(accessView(a))
	}
	c.Location("/v1/partners/" + partnerID + "/access-configuration")
	return c.Status(fiber.StatusCreated).JSON(accessView(a))
}
