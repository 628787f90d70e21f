-- Earmarked money: an allocation's usage scenes (apply_scenes) name the
-- products its money may buy. A customer's money is held per scene set: one
-- account per (partner, customer, currency, scenes), the scenes sorted; the
-- account without scenes holds unrestricted money. A charge draws from the
-- accounts whose scenes cover its product first, then from the unrestricted
-- one, in one posting with an entry per account it draws from.

-- +goose Up
ALTER TABLE money_accounts
    ADD COLUMN scenes text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT money_accounts_scenes_customer CHECK (kind = 'customer' OR cardinality(scenes) = 0);
DROP INDEX money_accounts_owner;
CREATE UNIQUE INDEX money_accounts_owner ON money_accounts (kind, partner_id, COALESCE(customer_id, ''), currency, scenes);

-- +goose Down
DROP INDEX money_accounts_owner;
CREATE UNIQUE INDEX money_accounts_owner ON money_accounts (kind, partner_id, COALESCE(customer_id, ''), currency);
ALTER TABLE money_accounts DROP CONSTRAINT money_accounts_scenes_customer, DROP COLUMN scenes;
