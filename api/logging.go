package api

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
)

// accessLog writes one structured line per request and counts it.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Answer the error now, so the status logged is the one sent.
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	route := c.Route().Path
	s.metrics.observe(c.Method(), route, status, elapsed)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.logger.Log(c.UserContext(), level, "http request",
		"method", c.Method(), "path", c.Path(), "route", route, "status", status,
		"duration_ms", elapsed.Milliseconds(), "request_id", requestID(c), "ip", c.IP())
	return nil
}
