-- A case opens and starts as one act (the start request is an outbox row
-- committed with the case), the read model knows when a case is closed, a
-- partner has at most one open certification, and self-paid orders past
-- their deadline are found without reading every order.

-- +goose Up
-- closed_at is when the case's workflow took its last step: from then on the
-- row is the whole truth, and a read needs no worker.
ALTER TABLE cases
    ADD COLUMN closed_at timestamptz,
    ADD CONSTRAINT cases_closed_after_created CHECK (closed_at IS NULL OR closed_at >= created_at);
UPDATE cases SET closed_at = updated_at
WHERE (kind = 'certification' AND status = 'certified')
   OR (kind = 'partner_payment' AND status IN ('paid_by_partner', 'paid_by_customer', 'cancelled', 'failed'));

-- The workflow start a case asks for, written in the transaction that opens
-- the case. The API starts it and sets started_at; a scheduled reconciler
-- starts any left unstarted (the API died, or Temporal refused the start).
CREATE TABLE case_starts (
    case_id    text PRIMARY KEY REFERENCES cases (id),
    workflow   text NOT NULL CHECK (workflow <> ''),
    input      jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    CONSTRAINT case_starts_started_after_created CHECK (started_at IS NULL OR started_at >= created_at)
);
CREATE INDEX case_starts_unstarted ON case_starts (created_at, case_id) WHERE started_at IS NULL;

-- One open certification per partner: a second submission while one runs
-- is refused by the database itself, whatever raced to insert it.
CREATE UNIQUE INDEX cases_one_open_certification ON cases (partner_id)
    WHERE kind = 'certification' AND closed_at IS NULL;

-- The expiry sweep's question: self-paid orders still waiting past their deadline.
CREATE INDEX orders_self_paid_deadline ON orders (payment_deadline, id)
    WHERE channel = 'cloud' AND status = 'pending_payment' AND case_id IS NULL;

-- +goose Down
DROP INDEX orders_self_paid_deadline;
DROP INDEX cases_one_open_certification;
DROP TABLE case_starts;
ALTER TABLE cases
    DROP CONSTRAINT cases_closed_after_created,
    DROP COLUMN closed_at;
