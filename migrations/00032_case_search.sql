-- Text search over the cases: their ID, partner's name, customer's name
-- and subject (what the process declares the case is about), as one
-- lower-cased text with a trigram index, so "contains" matches in any
-- language are index lookups, not a scan of every case.
--
-- ApplyTransition writes the text at each step of the case; the rows
-- already there get their ID and names now, and their subject at their
-- next step. fastupdate is off: a new case is in the index at once, not in a
-- pending list the planner would read as a scan.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE cases ADD COLUMN search_text text NOT NULL DEFAULT '';
UPDATE cases c SET search_text = lower(concat_ws(' ', c.id,
    (SELECT name FROM partners WHERE id = c.partner_id), (SELECT name FROM customers WHERE id = c.customer_id)));
CREATE INDEX cases_search_trgm ON cases USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);

-- +goose Down
DROP INDEX cases_search_trgm;
ALTER TABLE cases DROP COLUMN search_text;
