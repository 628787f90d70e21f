-- Idempotency keys are pruned once past their retention (the
-- PruneIdempotencyKeys sweep): oldest first, by their claim time.
-- +goose Up
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created_at;
