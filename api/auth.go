package api

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/store"
)

// principalKey holds the request's principal in Fiber's locals, which
// Huma handlers see as values of their context.
type principalKeyType struct{}

var principalKey = principalKeyType{}

// authenticate resolves the bearer token to its principal: no token or an
// unknown one is a 401.
func (s *Server) authenticate(c *fiber.Ctx) error {
	// the scheme is case-insensitive (RFC 9110, 11.1)
	scheme, token, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="partnerops"`)
		return problem(fiber.StatusUnauthorized, "unauthorized", "send Authorization: Bearer <token>")
	}
	p, err := s.store.PrincipalByToken(c.UserContext(), strings.TrimSpace(token))
	if errors.Is(err, store.ErrNotFound) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="partnerops", error="invalid_token"`)
		return problem(fiber.StatusUnauthorized, "unauthorized", "unknown token")
	}
	if err != nil {
		return err
	}
	c.Locals(principalKey, p)
	return c.Next()
}

// principalOf is the principal of a Huma handler's request.
func principalOf(ctx context.Context) store.Principal {
	return ctx.Value(principalKey).(store.Principal)
}

// actor is the principal as case events record it.
func actor(p store.Principal) cases.Actor {
	return cases.Actor{ID: p.ID, Role: p.Role, Name: p.Name}
}
