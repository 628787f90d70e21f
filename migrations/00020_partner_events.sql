-- Partner events and their webhooks.
--
-- partner_events: what happened to a partner's cases and records, written in
-- the transaction of the change it describes (a case's transition, a
-- record's write), so none is lost and none is invented by a rolled-back
-- change. source names the change (a case step: case ID and seq; a record:
-- its own key), so a retried write adds nothing: (source, type) is unique.
-- subject orders a partner's events for delivery: a case's never overtake
-- each other. body is the JSON the partner receives, with its own id.
--
-- webhook_endpoints: where a partner admin wants its events, signed with a
-- secret (and, during a rotation's overlap, the previous one too).
--
-- webhook_deliveries: the outbox per endpoint, one row per event to send,
-- written with the event (fan-out to the partner's enabled endpoints whose
-- filter takes the type) or by a replay. The endpoint's dispatcher drains it
-- in id order per subject; attempts log every try.

-- +goose Up
CREATE TABLE partner_events (
    position    bigserial PRIMARY KEY,
    id          text NOT NULL UNIQUE,
    partner_id  text NOT NULL REFERENCES partners (id),
    type        text NOT NULL,
    source      text NOT NULL,
    subject     text NOT NULL,
    case_kind   text,
    case_id     text REFERENCES cases (id),
    case_seq    bigint,
    occurred_at timestamptz NOT NULL,
    body        jsonb NOT NULL,
    UNIQUE (source, type)
);
-- A partner's events by time, for a replay of a range.
CREATE INDEX partner_events_partner_time ON partner_events (partner_id, occurred_at, position);

CREATE TABLE webhook_endpoints (
    id                   text PRIMARY KEY,
    partner_id           text NOT NULL REFERENCES partners (id),
    url                  text NOT NULL CHECK (length(url) <= 2048),
    description          text NOT NULL DEFAULT '',
    -- empty: every type
    event_types          text[] NOT NULL DEFAULT '{}',
    secret               text NOT NULL,
    previous_secret      text,
    previous_valid_until timestamptz,
    enabled              boolean NOT NULL DEFAULT true,
    disabled_reason      text,
    -- when deliveries began failing without a success since (NULL: healthy)
    failing_since        timestamptz,
    last_success_at      timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    deleted_at           timestamptz,
    CHECK ((previous_secret IS NULL) = (previous_valid_until IS NULL))
);
CREATE INDEX webhook_endpoints_partner ON webhook_endpoints (partner_id, created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    endpoint_id     text NOT NULL REFERENCES webhook_endpoints (id),
    event_position  bigint NOT NULL REFERENCES partner_events (position),
    subject         text NOT NULL,
    replay          boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     int,
    last_error      text,
    last_latency_ms int,
    delivered_at    timestamptz,
    -- retried past the retry period without a success
    abandoned_at    timestamptz
);
-- What an endpoint's dispatcher still has to send, in order.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, id)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
-- An endpoint's delivery log, newest first.
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, id DESC);

CREATE TABLE webhook_attempts (
    id          bigserial PRIMARY KEY,
    delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id),
    at          timestamptz NOT NULL,
    status      int,
    error       text,
    latency_ms  int NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- An endpoint disabled (410 Gone, failing for a day) tells its partner's
-- admin: a notification of the endpoint, of no case and no renewal.
ALTER TABLE notifications
    ADD COLUMN webhook_endpoint_id text REFERENCES webhook_endpoints (id),
    DROP CONSTRAINT notifications_subject,
    ADD CONSTRAINT notifications_subject CHECK (
        (case_id IS NOT NULL AND event_seq IS NOT NULL AND renewal_id IS NULL AND webhook_endpoint_id IS NULL)
        OR (case_id IS NULL AND event_seq IS NULL AND renewal_id IS NOT NULL AND webhook_endpoint_id IS NULL)
        OR (case_id IS NULL AND event_seq IS NULL AND renewal_id IS NULL AND webhook_endpoint_id IS NOT NULL));

-- +goose Down
DELETE FROM notifications WHERE webhook_endpoint_id IS NOT NULL;
ALTER TABLE notifications
    DROP CONSTRAINT notifications_subject,
    DROP COLUMN webhook_endpoint_id,
    ADD CONSTRAINT notifications_subject CHECK (
        (case_id IS NOT NULL AND event_seq IS NOT NULL AND renewal_id IS NULL)
        OR (case_id IS NULL AND event_seq IS NULL AND renewal_id IS NOT NULL));
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE partner_events;
