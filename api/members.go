package api

import "github.com/gofiber/fiber/v2"

// memberRoutes: being written (issue 3).
func (s *Server) memberRoutes(v1 fiber.Router) {}
