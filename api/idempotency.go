package api

import (
	"context"

	"partnerops/store"
)

// maxIdempotencyKeyLength bounds the Idempotency-Key header; Idempotent's
// tag says the same (TestIdempotencyKeyBoundIsTheConstant).
const maxIdempotencyKeyLength = 255

// Idempotent is embedded in the input of an operation that creates
// something: the request's Idempotency-Key, which together with the
// method, path and body (as the gate passed it on) is the request the key
// stands for. The body is read from the request (withRequest), not from a
// RawBody field, which Huma would document as a second, binary media type.
type Idempotent struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Makes a retry of this request answer the first answer instead of doing it again; the same key with another request is a 409"`
}

// claim is the key's claim for the store, nil when the request has no key.
func (in Idempotent) claim(ctx context.Context) *store.Idempotency {
	if in.IdempotencyKey == "" {
		return nil
	}
	line, _ := ctx.Value(requestLineKey{}).(string)
	var body []byte
	if read, ok := ctx.Value(requestBodyKey{}).(func() []byte); ok {
		body = read()
	}
	request := append([]byte(line+"\n"), body...)
	return &store.Idempotency{PrincipalID: principalOf(ctx).ID, Key: in.IdempotencyKey, Request: request}
}
