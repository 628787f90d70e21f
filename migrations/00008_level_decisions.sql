-- Ops decide level applications: who decided, when, and why a rejection.

-- +goose Up
ALTER TABLE partner_level_applications
    ADD COLUMN decided_by      text REFERENCES principals (id),
    ADD COLUMN decided_at      timestamptz,
    ADD COLUMN decision_reason text NOT NULL DEFAULT '' CHECK (char_length(decision_reason) <= 1000),
    ADD CONSTRAINT partner_level_applications_decided CHECK (
        (status = 'submitted') = (decided_by IS NULL) AND (decided_by IS NULL) = (decided_at IS NULL)),
    ADD CONSTRAINT partner_level_applications_rejection_reason CHECK (
        status <> 'rejected' OR decision_reason <> '');

-- +goose Down
ALTER TABLE partner_level_applications
    DROP CONSTRAINT partner_level_applications_rejection_reason,
    DROP CONSTRAINT partner_level_applications_decided,
    DROP COLUMN decision_reason,
    DROP COLUMN decided_at,
    DROP COLUMN decided_by;
