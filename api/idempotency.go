package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"partnerops/rules"
	"partnerops/store"
)

// maxIdempotencyKeyLength bounds the Idempotency-Key header; Idempotent's
// tag says the same (TestIdempotencyKeyBoundIsTheConstant).
const maxIdempotencyKeyLength = 255

// Idempotent is embedded in the input of an operation that creates
// something: the request's Idempotency-Key and its body, which together
// with the method and path are the request the key stands for.
type Idempotent struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry of this request answer the first answer instead of doing it again; the same key with another request is a 409"`
	RawBody        []byte
}

// claim is the key's claim for the store, nil when the request has no key.
func (in Idempotent) claim(ctx context.Context) *store.Idempotency {
	if in.IdempotencyKey == "" {
		return nil
	}
	line, _ := ctx.Value(requestLineKey{}).(string)
	request := append([]byte(line+"\n"), in.RawBody...)
	return &store.Idempotency{PrincipalID: principalOf(ctx).ID, Key: in.IdempotencyKey, Request: request}
}

// idempotency reads the Idempotency-Key of a Fiber route's request: nil
// when there is none. The request it stands for is the method, the path and
// the body, so the same key with another body is told apart
// (store.ErrIdempotencyConflict).
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
