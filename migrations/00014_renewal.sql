-- Auto-renewal: a customer's yearly/monthly resources in primary/secondary
-- groups, the group's auto-renewal settings (kept on its primary), every
-- renewal of a group for one term, and the renewal run as a case.
--
-- A group is a primary and its secondaries (reference: a cloud server is
-- primary to its disks; a shared bandwidth is primary to its elastic IPs,
-- possibly several; an elastic IP is primary to its dedicated bandwidth).
-- The schema enforces the grouping: a secondary names a primary of the same
-- customer and currency, of the type its own type allows, that is itself a
-- primary (a composite foreign key onto (id, type, customer_id, is_primary,
-- currency)), so no group nests and none spans customers.

-- +goose Up
CREATE TABLE resources (
    id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
    customer_id        text NOT NULL REFERENCES customers (id),
    type               text NOT NULL CHECK (type IN ('ecs', 'evs', 'eip', 'bandwidth_shared', 'bandwidth_dedicated')),
    region             text NOT NULL CHECK (region ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    primary_id         text,
    primary_type       text,
    is_primary         boolean GENERATED ALWAYS AS (primary_id IS NULL) STORED,
    -- true exactly for a secondary: its foreign key asks its primary to be one
    primary_is_primary boolean GENERATED ALWAYS AS (CASE WHEN primary_id IS NOT NULL THEN true END) STORED,
    status             text NOT NULL DEFAULT 'in_use' CHECK (status IN ('in_use', 'expired', 'frozen', 'closed')),
    -- yearly/monthly until the expiry policy switched it to on-demand billing
    billing            text NOT NULL DEFAULT 'period' CHECK (billing IN ('period', 'on_demand')),
    expires_at         timestamptz NOT NULL,
    expiry_policy      text NOT NULL CHECK (expiry_policy IN ('grace_period', 'freeze', 'switch_to_on_demand', 'delete')),
    -- the price of one month; a year costs twelve
    monthly_price      bigint NOT NULL CHECK (monthly_price > 0 AND monthly_price <= 1000000000000),
    currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- the order the resource is part of; while that order is unpaid the resource cannot be renewed
    order_id           text REFERENCES orders (id),
    -- auto-renewal of the group, kept on its primary: a period of months
    -- (1-11) or years (1-3), and how many renewals are left (0: unlimited)
    auto_renew_unit    text CHECK (auto_renew_unit IN ('month', 'year')),
    auto_renew_period  integer,
    auto_renew_count   integer CHECK (auto_renew_count BETWEEN 0 AND 99),
    -- the last renewal attempt the sweep could not complete (short of funds), if any
    renewal_error      text,
    renewal_error_at   timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, type, customer_id, is_primary, currency),
    FOREIGN KEY (primary_id, primary_type, customer_id, primary_is_primary, currency)
        REFERENCES resources (id, type, customer_id, is_primary, currency),
    CONSTRAINT resources_primary_named CHECK ((primary_id IS NULL) = (primary_type IS NULL) AND primary_id IS DISTINCT FROM id),
    -- the grouping rules: which type may be secondary to which
    CONSTRAINT resources_grouping CHECK (
        (type = 'ecs' AND primary_id IS NULL)
        OR (type = 'evs' AND (primary_id IS NULL OR primary_type = 'ecs'))
        OR (type = 'bandwidth_shared' AND primary_id IS NULL)
        OR (type = 'eip' AND (primary_id IS NULL OR primary_type = 'bandwidth_shared'))
        OR (type = 'bandwidth_dedicated' AND primary_type = 'eip')),
    -- auto-renewal is whole or absent, with a period its unit allows, and only on a primary
    CONSTRAINT resources_auto_renewal CHECK (
        (auto_renew_unit IS NULL AND auto_renew_period IS NULL AND auto_renew_count IS NULL)
        OR (primary_id IS NULL AND auto_renew_count IS NOT NULL AND (
            (auto_renew_unit = 'month' AND auto_renew_period BETWEEN 1 AND 11)
            OR (auto_renew_unit = 'year' AND auto_renew_period BETWEEN 1 AND 3)))),
    CONSTRAINT resources_renewal_error CHECK ((renewal_error IS NULL) = (renewal_error_at IS NULL))
);
-- The customer's list, soonest expiry first, and each of its filters.
CREATE INDEX resources_customer_expiry ON resources (customer_id, expires_at, id);
CREATE INDEX resources_customer_type_expiry ON resources (customer_id, type, expires_at, id);
CREATE INDEX resources_customer_status_expiry ON resources (customer_id, status, expires_at, id);
-- A group's secondaries.
CREATE INDEX resources_group ON resources (primary_id) WHERE primary_id IS NOT NULL;
-- The sweep: primaries with auto-renewal on, by expiry; and every
-- yearly/monthly resource in use, by expiry (the expiry policies).
CREATE INDEX resources_auto_renew_due ON resources (expires_at, id)
    WHERE primary_id IS NULL AND auto_renew_unit IS NOT NULL AND status = 'in_use' AND billing = 'period';
CREATE INDEX resources_in_use_expiry ON resources (expires_at, id) WHERE status = 'in_use' AND billing = 'period';

-- The renewal run is a case of no partner (it renews every partner's customers).
ALTER TABLE cases
    ALTER COLUMN partner_id DROP NOT NULL,
    ADD CONSTRAINT cases_partner_known CHECK (partner_id IS NOT NULL OR kind = 'renewal_run');

-- One renewal of a group for one term: the term is the expiry the renewal
-- moved, so a group is renewed (and charged) at most once per term.
CREATE TABLE resource_renewals (
    id                text PRIMARY KEY,
    primary_id        text NOT NULL REFERENCES resources (id),
    customer_id       text NOT NULL REFERENCES customers (id),
    partner_id        text NOT NULL REFERENCES partners (id),
    term_expires_at   timestamptz NOT NULL,
    new_expires_at    timestamptz NOT NULL,
    period_unit       text NOT NULL CHECK (period_unit IN ('month', 'year')),
    period            integer NOT NULL CHECK (period BETWEEN 1 AND 11),
    amount            bigint NOT NULL CHECK (amount > 0),
    currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    posting_id        text NOT NULL UNIQUE REFERENCES money_postings (id),
    -- the renewal run that renewed it; NULL when renewed by hand
    run_id            text REFERENCES cases (id),
    renewed_by_id     text NOT NULL,
    renewed_by_role   text NOT NULL,
    renewed_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (primary_id, term_expires_at),
    CHECK (new_expires_at > term_expires_at)
);
CREATE INDEX resource_renewals_primary_newest ON resource_renewals (primary_id, term_expires_at DESC);
-- A run's renewals in its keyset order: how many a batch renewed, even one whose attempt died.
CREATE INDEX resource_renewals_run ON resource_renewals (run_id, term_expires_at, primary_id) WHERE run_id IS NOT NULL;

-- Renewing charges the payer's account: customer -> vendor revenue.
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'customer_debit', 'incentive_payout', 'reversal', 'withdrawal', 'renewal'));

-- A renewal notifies the customer and its partner: notifications of a
-- renewal belong to no case event.
ALTER TABLE notifications
    ALTER COLUMN case_id DROP NOT NULL,
    ALTER COLUMN event_seq DROP NOT NULL,
    ADD COLUMN renewal_id text REFERENCES resource_renewals (id),
    ADD CONSTRAINT notifications_subject CHECK (
        (case_id IS NOT NULL AND event_seq IS NOT NULL AND renewal_id IS NULL)
        OR (case_id IS NULL AND event_seq IS NULL AND renewal_id IS NOT NULL)),
    ADD CONSTRAINT notifications_renewal_once UNIQUE (renewal_id, audience);

-- +goose Down
ALTER TABLE notifications DROP CONSTRAINT notifications_renewal_once, DROP CONSTRAINT notifications_subject;
DELETE FROM notifications WHERE renewal_id IS NOT NULL;
ALTER TABLE notifications DROP COLUMN renewal_id, ALTER COLUMN case_id SET NOT NULL, ALTER COLUMN event_seq SET NOT NULL;
DROP TABLE resource_renewals;
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'customer_debit', 'incentive_payout', 'reversal', 'withdrawal'));
DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE kind = 'renewal_run');
DELETE FROM notifications WHERE case_id IN (SELECT id FROM cases WHERE kind = 'renewal_run');
DELETE FROM cases WHERE kind = 'renewal_run';
ALTER TABLE cases DROP CONSTRAINT cases_partner_known, ALTER COLUMN partner_id SET NOT NULL;
DROP TABLE resources;
