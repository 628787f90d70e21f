package api

import (
	"github.com/gofiber/fiber/v2"
)

// healthz says the process is alive.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers the readiness of this process: 200 when its own
// dependencies answer, 503 when one does not; the body names each.
func (s *Server) readyz(c *fiber.Ctx) error {
	r := s.readiness(c.UserContext())
	status := fiber.StatusOK
	if !r.Ready {
		status = fiber.StatusServiceUnavailable
	}
	return c.Status(status).JSON(r)
}
