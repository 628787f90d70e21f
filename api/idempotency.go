package api

import (
	"context"

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
