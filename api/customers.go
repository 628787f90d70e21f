package api

import "github.com/gofiber/fiber/v2"

// customerRoutes: being written (issue 3).
func (s *Server) customerRoutes(v1 fiber.Router) {}
