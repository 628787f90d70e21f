-- Incentive settlements: every invoice a partner submits for one (so that no
-- invoice number counts twice), the vendor's incentive account that pays
-- them out, and the indexes of a partner's list of its settlements.

-- +goose Up
-- Every invoice submitted for a settlement, one row per submission round. An
-- invoice is identified by its code and number (a fully digitalised
-- e-invoice has no code: ''); the unique index is the last guard of the
-- rule that a number never counts twice, whoever raced to submit it.
CREATE TABLE incentive_invoices (
    case_id      text NOT NULL REFERENCES cases (id),
    round        integer NOT NULL CHECK (round >= 1),
    partner_id   text NOT NULL REFERENCES partners (id),
    kind         text NOT NULL CHECK (kind IN ('vat_special', 'vat_ordinary', 'digital_vat_special', 'digital_vat_ordinary')),
    medium       text NOT NULL CHECK (medium IN ('paper', 'electronic')),
    code         text NOT NULL CHECK (code ~ '^([0-9]{10}|[0-9]{12})?$'),
    number       text NOT NULL CHECK (number ~ '^([0-9]{8}|[0-9]{20})$'),
    issue_date   date NOT NULL,
    total        bigint NOT NULL CHECK (total > 0),
    currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    submitted_at timestamptz NOT NULL,
    PRIMARY KEY (case_id, round),
    -- a fully digitalised e-invoice has a 20-digit number and no code; a
    -- paper-era invoice a code and an 8-digit number
    CONSTRAINT incentive_invoices_numbering CHECK (
        (kind LIKE 'digital_%' AND code = '' AND length(number) = 20)
        OR (kind NOT LIKE 'digital_%' AND code <> '' AND length(number) = 8))
);
CREATE UNIQUE INDEX incentive_invoices_number ON incentive_invoices (code, number);

-- The vendor's incentive account facing a partner pays its settlements out:
-- like vendor_funding it mirrors money that comes from outside the books,
-- so it is the other account whose balance goes negative.
ALTER TABLE money_accounts
    DROP CONSTRAINT money_accounts_kind_check,
    DROP CONSTRAINT money_accounts_balance_not_negative,
    ADD CONSTRAINT money_accounts_kind_check CHECK (kind IN ('vendor_funding', 'vendor_revenue', 'vendor_incentive', 'partner', 'customer')),
    ADD CONSTRAINT money_accounts_balance_not_negative CHECK (kind IN ('vendor_funding', 'vendor_incentive') OR balance >= 0);
-- an incentive payout: vendor incentive -> partner, once per settlement case
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'customer_debit', 'incentive_payout', 'reversal'));

-- A partner's settlements, newest first, and those of one period.
CREATE INDEX cases_incentive_partner_newest ON cases (partner_id, created_at DESC, id DESC)
    WHERE kind = 'incentive_settlement';
CREATE INDEX cases_incentive_partner_period_newest ON cases (partner_id, (details ->> 'period'), created_at DESC, id DESC)
    WHERE kind = 'incentive_settlement';

-- +goose Down
DROP INDEX cases_incentive_partner_period_newest;
DROP INDEX cases_incentive_partner_newest;
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'customer_debit', 'reversal'));
ALTER TABLE money_accounts
    DROP CONSTRAINT money_accounts_kind_check,
    DROP CONSTRAINT money_accounts_balance_not_negative,
    ADD CONSTRAINT money_accounts_kind_check CHECK (kind IN ('vendor_funding', 'vendor_revenue', 'partner', 'customer')),
    ADD CONSTRAINT money_accounts_balance_not_negative CHECK (kind = 'vendor_funding' OR balance >= 0);
DROP TABLE incentive_invoices;
