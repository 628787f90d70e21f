-- The console's sign-in sessions, its work queues and its inbox.
--
-- A session is what a signed-in browser holds instead of the token it was
-- given: the cookie carries a random value whose hash is the key here, so
-- every API replica can serve it and staff can revoke it (revoked_at); the
-- value itself is never stored. Each session has its own CSRF token, which
-- every form of the console sends back.

-- +goose Up
CREATE TABLE console_sessions (
    id_hash      bytea PRIMARY KEY,
    principal_id text NOT NULL REFERENCES principals (id),
    csrf_token   text NOT NULL CHECK (length(csrf_token) >= 32),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CHECK (expires_at > created_at),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
-- A principal's live sessions, to revoke them all.
CREATE INDEX console_sessions_principal ON console_sessions (principal_id) WHERE revoked_at IS NULL;

-- The work queues read open cases only, newest first: every open case (due
-- today, due this week, waiting on the partner, per kind filter these few
-- rows) and the open breached ones.
CREATE INDEX cases_open_newest ON cases (created_at DESC, id DESC) WHERE closed_at IS NULL;
CREATE INDEX cases_open_breached_newest ON cases (created_at DESC, id DESC) WHERE closed_at IS NULL AND sla_breached;
-- The supervisors' dashboard: cases resolved under an SLA by week, and the
-- breaches by week.
CREATE INDEX cases_resolved_under_sla ON cases (closed_at) WHERE closed_at IS NOT NULL AND sla_due_at IS NOT NULL;
CREATE INDEX case_events_breaches ON case_events (at) WHERE type = 'sla_breached';

-- +goose Down
DROP INDEX case_events_breaches;
DROP INDEX cases_resolved_under_sla;
DROP INDEX cases_open_breached_newest;
DROP INDEX cases_open_newest;
DROP TABLE console_sessions;
