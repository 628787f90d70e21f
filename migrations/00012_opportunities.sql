-- Opportunities: the customer each opportunity case is about (to flag a
-- likely duplicate: the same customer with another partner), the vendor's
-- own opportunities it shares with one partner at a time, and the indexes
-- of a partner's opportunity list.

-- +goose Up
-- The customer of an opportunity case, as duplicates are told: its
-- certificate number when known, and its name's key (lower-case letters and
-- digits, legal forms such as "Co., Ltd." dropped; rules.CustomerNameKey).
-- One row per case, rewritten when the partner resubmits the opportunity.
CREATE TABLE opportunity_customers (
    case_id            text PRIMARY KEY REFERENCES cases (id),
    partner_id         text NOT NULL REFERENCES partners (id),
    name_key           text NOT NULL CHECK (name_key <> ''),
    certificate_number text CHECK (certificate_number <> '')
);
CREATE INDEX opportunity_customers_name ON opportunity_customers (name_key);
CREATE INDEX opportunity_customers_certificate ON opportunity_customers (certificate_number)
    WHERE certificate_number IS NOT NULL;

-- A vendor-originated (HO) opportunity. Ops share it with one partner at a
-- time: shared while that partner's invitation (case_id) runs, accepted
-- once the partner took it, available again when the partner declined or
-- let the invitation expire. The opportunity, contact included, is kept
-- as the rules shape it (rules.Opportunity); the partner sees the contact
-- only once it accepts.
CREATE TABLE vendor_opportunities (
    id            text PRIMARY KEY,
    customer_name text NOT NULL CHECK (customer_name <> ''),
    opportunity   jsonb NOT NULL,
    status        text NOT NULL CHECK (status IN ('available', 'shared', 'accepted')),
    case_id       text REFERENCES cases (id),
    created_by    text NOT NULL REFERENCES principals (id),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    -- an available opportunity is nobody's; a shared or accepted one is the
    -- invitation's that holds it
    CONSTRAINT vendor_opportunities_case_when_held CHECK ((status = 'available') = (case_id IS NULL)),
    CONSTRAINT vendor_opportunities_updated_after_created CHECK (updated_at >= created_at)
);
-- Ops list them newest first, by status.
CREATE INDEX vendor_opportunities_newest ON vendor_opportunities (created_at DESC, id DESC);
CREATE INDEX vendor_opportunities_status_newest ON vendor_opportunities (status, created_at DESC, id DESC);

-- A partner's opportunities, newest first (a status filters the few rows
-- of one partner's opportunities, or goes through cases_partner_status_newest),
-- and by stage once approved.
CREATE INDEX cases_partner_opportunities_newest ON cases (partner_id, created_at DESC, id DESC)
    WHERE kind = 'opportunity';
CREATE INDEX cases_partner_opportunity_stage_newest ON cases (partner_id, (details ->> 'stage'), created_at DESC, id DESC)
    WHERE kind = 'opportunity';

-- +goose Down
DROP INDEX cases_partner_opportunity_stage_newest;
DROP INDEX cases_partner_opportunities_newest;
DROP TABLE vendor_opportunities;
DROP TABLE opportunity_customers;
