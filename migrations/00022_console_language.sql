-- The console in the reader's language, an inbox filtered by kind, and
-- the deadline queues soonest deadline first.
--
-- A principal's stated language (en or zh-CN) chooses the console's; without
-- one the browser's Accept-Language does, else English.

-- +goose Up
CREATE TABLE principal_preferences (
    principal_id text PRIMARY KEY REFERENCES principals (id),
    language     text NOT NULL CHECK (language IN ('en', 'zh-CN')),
    updated_at   timestamptz NOT NULL
);
-- The inbox filtered by kind (escalations are the sla_breached kind).
CREATE INDEX notifications_audience_kind ON notifications (audience, kind, id DESC);
-- The deadline queues (breached, due today, due this week) list open cases
-- soonest deadline first.
CREATE INDEX cases_open_soonest_due ON cases (sla_due_at, id) WHERE closed_at IS NULL AND sla_due_at IS NOT NULL;

-- +goose Down
DROP INDEX cases_open_soonest_due;
DROP INDEX notifications_audience_kind;
DROP TABLE principal_preferences;
