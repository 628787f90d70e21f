-- Work management: a case's assignee (one of the vendor's staff), the
-- case's activity beside its workflow timeline (assignments, comments),
-- and each staff member's saved views of the case list.
--
-- The assignee lives on the case row, which the workflow's transitions
-- never touch (ApplyTransition updates its own columns only), so "my
-- cases" and "unassigned" are index range scans in the list's order.
-- case_activity is not case_events: those rows are the workflow's, keyed
-- by its own sequence numbers.

-- +goose Up
ALTER TABLE cases ADD COLUMN assignee_id text REFERENCES principals (id);
CREATE INDEX cases_assignee_newest ON cases (assignee_id, created_at DESC, id DESC) WHERE assignee_id IS NOT NULL;
CREATE INDEX cases_unassigned_open_newest ON cases (created_at DESC, id DESC) WHERE assignee_id IS NULL AND closed_at IS NULL;

CREATE TABLE case_activity (
    id              bigserial PRIMARY KEY,
    case_id         text NOT NULL REFERENCES cases (id),
    type            text NOT NULL CHECK (type IN ('assigned', 'unassigned', 'comment')),
    actor_id        text NOT NULL REFERENCES principals (id),
    -- assigned: to whom; unassigned: from whom
    assignee_id     text REFERENCES principals (id),
    body            text NOT NULL DEFAULT '',
    -- a comment the partner's members see; every other row is staff's only
    partner_visible boolean NOT NULL DEFAULT false,
    at              timestamptz NOT NULL DEFAULT now(),
    CHECK ((type = 'comment') = (assignee_id IS NULL))
);
CREATE INDEX case_activity_case ON case_activity (case_id, id);

-- A staff member's saved views of the case list: a name and the list's
-- filters and order, as the console's query string (re-encoded from the
-- filters it knows, never stored as typed).
CREATE TABLE saved_views (
    id           bigserial PRIMARY KEY,
    principal_id text NOT NULL REFERENCES principals (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    query        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (principal_id, name)
);

-- +goose Down
DROP TABLE saved_views;
DROP TABLE case_activity;
DROP INDEX cases_unassigned_open_newest;
DROP INDEX cases_assignee_newest;
ALTER TABLE cases DROP COLUMN assignee_id;
