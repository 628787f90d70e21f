-- Who did what, for writes that are not case steps (case steps have their
-- own timeline in case_events): membership, settings, customers, money.

-- +goose Up
CREATE TABLE audit_events (
    id           bigserial PRIMARY KEY,
    principal_id text NOT NULL REFERENCES principals (id),
    partner_id   text REFERENCES partners (id),
    action       text NOT NULL,
    target_kind  text NOT NULL,
    target_id    text NOT NULL,
    detail       jsonb NOT NULL DEFAULT '{}',
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_partner ON audit_events (partner_id, id DESC);
CREATE INDEX audit_events_principal ON audit_events (principal_id, id DESC);

-- +goose Down
DROP TABLE audit_events;
