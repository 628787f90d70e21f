-- Customers of a partner's own sales platform: the partner's access
-- configuration (which issues its platform identifier, xaccount_type), the
-- binding of a customer to a cloud account, online contract applications,
-- and orders (today marketplace orders; the table is shaped for cloud orders
-- with types and payment states later), whose completed ones are revenue.

-- +goose Up
-- A partner completes its access configuration once; the vendor then issues
-- the platform identifier its customers are bound under.
CREATE TABLE partner_access_configurations (
    partner_id    text PRIMARY KEY REFERENCES partners (id),
    xaccount_type text NOT NULL UNIQUE CHECK (char_length(xaccount_type) BETWEEN 1 AND 64),
    configured_by text NOT NULL REFERENCES principals (id),
    configured_at timestamptz NOT NULL DEFAULT now()
);

-- A bound customer: its ID on the partner's platform (xaccount_type,
-- xaccount_id), its enterprise certificate, and the cloud account it is bound
-- to (created for it, or one it already had). Customers created before this
-- (or without a platform) have none of these.
ALTER TABLE customers
    ADD COLUMN xaccount_type      text,
    ADD COLUMN xaccount_id        text,
    ADD COLUMN certificate_number text,
    ADD COLUMN certificate_type   integer,
    ADD COLUMN account_origin     text,
    ADD COLUMN cloud_account_id   text,
    ADD COLUMN bound_by           text REFERENCES principals (id),
    ADD COLUMN bound_by_role      text,
    ADD COLUMN bound_by_name      text,
    ADD CONSTRAINT customers_xaccount_type_length CHECK (char_length(xaccount_type) BETWEEN 1 AND 64),
    ADD CONSTRAINT customers_xaccount_id_length CHECK (char_length(xaccount_id) BETWEEN 1 AND 64),
    ADD CONSTRAINT customers_certificate_number_length CHECK (char_length(certificate_number) BETWEEN 1 AND 32),
    ADD CONSTRAINT customers_certificate_type_known CHECK (certificate_type IN (0, 1, 2, 3, 4, 99)),
    ADD CONSTRAINT customers_account_origin_known CHECK (account_origin IN ('new', 'existing')),
    ADD CONSTRAINT customers_cloud_account_id_length CHECK (char_length(cloud_account_id) BETWEEN 1 AND 64),
    -- a binding is whole or absent
    ADD CONSTRAINT customers_binding_whole CHECK (
        (xaccount_type IS NULL AND xaccount_id IS NULL AND certificate_number IS NULL AND certificate_type IS NULL
         AND account_origin IS NULL AND cloud_account_id IS NULL AND bound_by IS NULL)
        OR (xaccount_type IS NOT NULL AND xaccount_id IS NOT NULL AND certificate_number IS NOT NULL
            AND certificate_type IS NOT NULL AND account_origin IS NOT NULL AND cloud_account_id IS NOT NULL
            AND bound_by IS NOT NULL AND bound_by_role IS NOT NULL AND bound_by_name IS NOT NULL));
-- one customer per platform ID, one binding per cloud account
CREATE UNIQUE INDEX customers_xaccount ON customers (xaccount_type, xaccount_id) WHERE xaccount_type IS NOT NULL;
CREATE UNIQUE INDEX customers_cloud_account ON customers (cloud_account_id) WHERE cloud_account_id IS NOT NULL;
CREATE INDEX customers_partner_newest ON customers (partner_id, created_at DESC, id DESC);

-- An online contract a customer applies for (a consultative customer itself,
-- a resale customer through its partner).
CREATE TABLE contracts (
    id              text PRIMARY KEY,
    customer_id     text NOT NULL REFERENCES customers (id),
    -- the customer's partner when it applied, if any
    partner_id      text REFERENCES partners (id),
    title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    status          text NOT NULL CHECK (status IN ('applied')),
    applied_by      text NOT NULL REFERENCES principals (id),
    applied_by_role text NOT NULL,
    applied_by_name text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contracts_customer_newest ON contracts (customer_id, created_at DESC, id DESC);

-- Orders. Today only marketplace (严选商城) purchases, recorded completed;
-- cloud orders (types new, renew, change, ...; pending payment, cancelled;
-- paid by the customer or its partner) are meant to join this table by
-- widening the CHECKs. The buyer is a customer or a partner's own account.
-- Completed orders are revenue, counted in the year of completed_at.
CREATE TABLE orders (
    id               text PRIMARY KEY,
    channel          text NOT NULL CHECK (channel IN ('marketplace')),
    type             text NOT NULL CHECK (type IN ('new')),
    status           text NOT NULL CHECK (status IN ('completed')),
    customer_id      text REFERENCES customers (id),
    buyer_partner_id text REFERENCES partners (id),
    paid_by          text NOT NULL CHECK (paid_by IN ('customer', 'partner')),
    product          text NOT NULL CHECK (char_length(product) BETWEEN 1 AND 200),
    amount           bigint NOT NULL CHECK (amount > 0),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- the reseller the buyer named; NULL is vendor direct sales
    reseller_id      text REFERENCES partners (id),
    sales_channel    text NOT NULL CHECK (sales_channel IN ('partner', 'vendor_direct')),
    margin_to        text NOT NULL CHECK (margin_to IN ('partner', 'vendor')),
    placed_by        text REFERENCES principals (id),
    placed_by_role   text,
    placed_by_name   text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    CHECK ((customer_id IS NULL) <> (buyer_partner_id IS NULL)),
    CHECK ((reseller_id IS NULL) = (sales_channel = 'vendor_direct')),
    CHECK ((sales_channel = 'partner') = (margin_to = 'partner')),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX orders_customer_newest ON orders (customer_id, channel, created_at DESC, id DESC)
    WHERE customer_id IS NOT NULL;
-- annual performance: completed orders of a buyer in a time range
CREATE INDEX orders_customer_revenue ON orders (customer_id, completed_at)
    WHERE status = 'completed' AND customer_id IS NOT NULL;
CREATE INDEX orders_partner_revenue ON orders (buyer_partner_id, completed_at)
    WHERE status = 'completed' AND buyer_partner_id IS NOT NULL;

-- +goose Down
DROP TABLE orders;
DROP TABLE contracts;
DROP INDEX customers_partner_newest;
DROP INDEX customers_cloud_account;
DROP INDEX customers_xaccount;
ALTER TABLE customers
    DROP CONSTRAINT customers_binding_whole,
    DROP CONSTRAINT customers_cloud_account_id_length,
    DROP CONSTRAINT customers_account_origin_known,
    DROP CONSTRAINT customers_certificate_type_known,
    DROP CONSTRAINT customers_certificate_number_length,
    DROP CONSTRAINT customers_xaccount_id_length,
    DROP CONSTRAINT customers_xaccount_type_length,
    DROP COLUMN bound_by_name,
    DROP COLUMN bound_by_role,
    DROP COLUMN bound_by,
    DROP COLUMN cloud_account_id,
    DROP COLUMN account_origin,
    DROP COLUMN certificate_type,
    DROP COLUMN certificate_number,
    DROP COLUMN xaccount_id,
    DROP COLUMN xaccount_type;
DROP TABLE partner_access_configurations;
