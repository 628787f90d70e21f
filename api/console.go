package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// consolePage is the ops console: one page that lists cases with their
// deadlines, shows a case's state and timeline, and takes the actions the
// caller may take, all through this API with the caller's own token.
//
//go:embed console/index.html
var consolePage []byte

func (s *Server) console(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(consolePage)
}
