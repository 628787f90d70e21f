package api

import "github.com/gofiber/fiber/v2"

// moneyRoutes: being written (issue 3).
func (s *Server) moneyRoutes(v1 fiber.Router) {}
