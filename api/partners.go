package api

import "github.com/gofiber/fiber/v2"

// partnerRoutes: being written (issue 3).
func (s *Server) partnerRoutes(v1 fiber.Router) {}
