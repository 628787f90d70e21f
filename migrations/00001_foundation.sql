-- The ground every process stands on: who calls, whose records, the case
-- read model shared by every kind of process, its timeline, the notification
-- outbox, idempotency keys and the business calendar.

-- +goose Up
CREATE TABLE partners (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    type       text NOT NULL CHECK (type IN ('solution_provider', 'cloud_reseller', 'software_partner',
                                             'service_partner', 'learning_enablement_partner', 'dtc_si_partner')),
    level      text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id               text PRIMARY KEY,
    name             text NOT NULL,
    partner_id       text REFERENCES partners (id),
    association_mode text CHECK (association_mode IN ('consultative', 'resale')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- a customer is a partner's sub-customer exactly when it has an association
    CHECK ((partner_id IS NULL) = (association_mode IS NULL))
);
CREATE INDEX customers_partner ON customers (partner_id);

CREATE TABLE principals (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'member', 'customer', 'ops', 'supervisor')),
    partner_id  text REFERENCES partners (id),
    customer_id text REFERENCES customers (id),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((role IN ('admin', 'member')) = (partner_id IS NOT NULL)),
    CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);

CREATE TABLE cases (
    id           text PRIMARY KEY,
    kind         text NOT NULL,
    partner_id   text NOT NULL REFERENCES partners (id),
    customer_id  text REFERENCES customers (id),
    status       text NOT NULL,
    sla_due_at   timestamptz,
    sla_breached boolean NOT NULL DEFAULT false,
    workflow_id  text NOT NULL UNIQUE,
    run_id       text NOT NULL DEFAULT '',
    details      jsonb NOT NULL DEFAULT '{}',
    -- sequence of the last event applied; a retried or late write of an older state is ignored
    seq          integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
-- The case list is newest first with keyset pagination on (created_at, id);
-- each filter the list offers has an index that serves it in that order.
CREATE INDEX cases_newest ON cases (created_at DESC, id DESC);
CREATE INDEX cases_partner_newest ON cases (partner_id, created_at DESC, id DESC);
CREATE INDEX cases_kind_status_newest ON cases (kind, status, created_at DESC, id DESC);
CREATE INDEX cases_status_newest ON cases (status, created_at DESC, id DESC);
CREATE INDEX cases_breached_newest ON cases (created_at DESC, id DESC) WHERE sla_breached;
CREATE INDEX cases_certificate_number ON cases ((details -> 'business_info' ->> 'certificate_number'))
    WHERE kind = 'certification';

CREATE TABLE case_events (
    case_id    text NOT NULL REFERENCES cases (id),
    seq        integer NOT NULL,
    type       text NOT NULL,
    status     text NOT NULL,
    actor_id   text NOT NULL DEFAULT '',
    actor_role text NOT NULL DEFAULT '',
    actor_name text NOT NULL DEFAULT '',
    detail     jsonb NOT NULL DEFAULT '{}',
    at         timestamptz NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- The outbox of messages to partners and staff; a delivery channel reads it.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    case_id    text NOT NULL REFERENCES cases (id),
    event_seq  integer NOT NULL,
    audience   text NOT NULL CHECK (audience IN ('partner', 'customer', 'ops', 'supervisor')),
    partner_id text REFERENCES partners (id),
    kind       text NOT NULL,
    message    text NOT NULL,
    created_at timestamptz NOT NULL,
    read_at    timestamptz,
    UNIQUE (case_id, event_seq, audience)
);
CREATE INDEX notifications_partner ON notifications (partner_id, id DESC);
CREATE INDEX notifications_audience ON notifications (audience, id DESC);

CREATE TABLE idempotency_keys (
    principal_id text NOT NULL REFERENCES principals (id),
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    case_id      text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_id, key)
);

-- Holidays and make-up working days; weekdays and weekends need no row.
CREATE TABLE calendar_days (
    day  date PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name text NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE calendar_days;
DROP TABLE idempotency_keys;
DROP TABLE notifications;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE principals;
DROP TABLE customers;
DROP TABLE partners;
