-- Customer association requests (issue 19): an existing cloud account is
-- associated with a partner, and a customer dissociated from it, only once
-- the customer accepts. Each request is a customer_association case; this
-- row is what the request asks and where it stands, written with the case
-- and decided in the transaction that changes the customer.

-- +goose Up
CREATE TABLE association_requests (
    case_id          text PRIMARY KEY REFERENCES cases (id),
    direction        text NOT NULL CHECK (direction IN ('associate', 'dissociate')),
    partner_id       text NOT NULL REFERENCES partners (id),
    customer_id      text NOT NULL REFERENCES customers (id),
    -- what the partner asks for (associate): the mode and the binding of
    -- its sales platform (xaccount_type, xaccount_id, certificate_number,
    -- certificate_type) the customer gets on acceptance
    association_mode text CHECK (association_mode IN ('consultative', 'resale')),
    binding          jsonb,
    -- the partner's principal that asked (the binding's bound_by on acceptance)
    requested_by      text NOT NULL REFERENCES principals (id),
    requested_by_role text NOT NULL,
    requested_by_name text NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    requested_at     timestamptz NOT NULL,
    decided_at       timestamptz,
    CONSTRAINT association_requests_asks_whole CHECK (
        (direction = 'associate' AND association_mode IS NOT NULL AND binding IS NOT NULL)
        OR (direction = 'dissociate' AND association_mode IS NULL AND binding IS NULL)),
    CONSTRAINT association_requests_decided CHECK ((status = 'open') = (decided_at IS NULL))
);
-- One open request per account, whichever partner and direction: a second
-- is refused by the database itself, whatever raced to insert it.
CREATE UNIQUE INDEX association_requests_one_open ON association_requests (customer_id) WHERE status = 'open';
-- The dissociation requests of a partner and a customer, newest first (at
-- most 3 in any 3 months).
CREATE INDEX association_requests_dissociations ON association_requests (partner_id, customer_id, requested_at DESC)
    WHERE direction = 'dissociate';

-- +goose Down
DROP TABLE association_requests;
