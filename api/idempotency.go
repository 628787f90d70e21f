package api

import (
	"github.com/gofiber/fiber/v2"

	"partnerops/rules"
	"partnerops/store"
)

// maxIdempotencyKeyLength bounds the Idempotency-Key header.
const maxIdempotencyKeyLength = 255

// idempotency reads the request's Idempotency-Key: nil when there is none.
// The request it stands for is the method, the path and the body, so the
// same key with another body is told apart (store.ErrIdempotencyConflict).
func idempotency(c *fiber.Ctx) (*store.Idempotency, error) {
	key := c.Get("Idempotency-Key")
	if key == "" {
		return nil, nil
	}
	if len(key) > maxIdempotencyKeyLength {
		return nil, invalid(rules.FieldErrors{{Field: "Idempotency-Key", Message: "must be at most 255 characters"}})
	}
	request := append([]byte(c.Method()+" "+c.Path()+"\n"), c.Body()...)
	return &store.Idempotency{PrincipalID: principal(c).ID, Key: key, Request: request}, nil
}
