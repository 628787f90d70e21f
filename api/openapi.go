package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// OpenAPIDocument is the published contract of the API, in JSON.
//
//go:embed openapi.json
var OpenAPIDocument []byte

func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(OpenAPIDocument)
}
