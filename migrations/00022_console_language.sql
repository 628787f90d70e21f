-- The console in the reader's language, and an inbox filtered by kind.
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

-- +goose Down
DROP INDEX notifications_audience_kind;
DROP TABLE principal_preferences;
