-- A case's start request (the outbox row) that fails to start is retried
-- with a backoff, not on every reconciler run: attempts counts the failed
-- starts, next_try_at is when the reconciler tries it again (rows are taken
-- in that order, so newer ones never starve behind old failures), and
-- after the configured number of failures the row is parked (parked_at):
-- ops see it and retry it once its cause is fixed.

-- +goose Up
ALTER TABLE case_starts
    ADD COLUMN attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN next_try_at timestamptz,
    ADD COLUMN last_error text NOT NULL DEFAULT '',
    ADD COLUMN parked_at timestamptz;
UPDATE case_starts SET next_try_at = created_at;
ALTER TABLE case_starts ALTER COLUMN next_try_at SET NOT NULL;
DROP INDEX case_starts_unstarted;
CREATE INDEX case_starts_due ON case_starts (next_try_at, case_id) WHERE started_at IS NULL AND parked_at IS NULL;
CREATE INDEX case_starts_parked ON case_starts (parked_at, case_id) WHERE started_at IS NULL AND parked_at IS NOT NULL;

-- +goose Down
DROP INDEX case_starts_parked;
DROP INDEX case_starts_due;
CREATE INDEX case_starts_unstarted ON case_starts (created_at, case_id) WHERE started_at IS NULL;
ALTER TABLE case_starts
    DROP COLUMN parked_at,
    DROP COLUMN last_error,
    DROP COLUMN next_try_at,
    DROP COLUMN attempts;
