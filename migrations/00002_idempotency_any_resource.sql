-- Idempotency keys guard every kind of start request, not only cases: the
-- key now names whatever resource the first request created.

-- +goose Up
ALTER TABLE idempotency_keys RENAME COLUMN case_id TO resource_id;

-- +goose Down
ALTER TABLE idempotency_keys RENAME COLUMN resource_id TO case_id;
