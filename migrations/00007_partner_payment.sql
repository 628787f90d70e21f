-- Partner payment: cloud orders of the one-time payment scenarios, which a
-- customer pays itself or asks its partner to pay before a deadline; the
-- customer's payments from its account; notifications addressed to a
-- customer.

-- +goose Up
ALTER TABLE orders
    DROP CONSTRAINT orders_channel_check,
    DROP CONSTRAINT orders_type_check,
    DROP CONSTRAINT orders_status_check,
    ALTER COLUMN paid_by DROP NOT NULL,
    ADD COLUMN payer_requested  text CHECK (payer_requested IN ('customer', 'partner')),
    ADD COLUMN payment_deadline timestamptz,
    ADD COLUMN case_id          text REFERENCES cases (id),
    ADD COLUMN cancelled_at     timestamptz,
    ADD CONSTRAINT orders_channel_check CHECK (channel IN ('marketplace', 'cloud')),
    ADD CONSTRAINT orders_type_check CHECK (
        (channel = 'marketplace' AND type = 'new')
        OR (channel = 'cloud' AND type IN ('new_purchase', 'spec_change', 'renewal', 'on_demand_to_period'))),
    ADD CONSTRAINT orders_status_check CHECK (
        status IN ('pending_partner_payment', 'pending_payment', 'completed', 'cancelled')),
    -- who paid is known exactly when the order is paid
    ADD CONSTRAINT orders_paid_by_known CHECK ((status = 'completed') = (paid_by IS NOT NULL)),
    ADD CONSTRAINT orders_cancelled_at CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    -- a cloud order has a payment deadline and a payer the customer chose
    ADD CONSTRAINT orders_cloud_payment CHECK (
        channel <> 'cloud' OR (payment_deadline IS NOT NULL AND payer_requested IS NOT NULL)),
    -- an order waits for its partner exactly when a partner payment case runs for it
    ADD CONSTRAINT orders_partner_payment_case CHECK (
        status <> 'pending_partner_payment' OR case_id IS NOT NULL);
CREATE INDEX orders_case ON orders (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX orders_customer_cloud_newest ON orders (customer_id, created_at DESC, id DESC) WHERE channel = 'cloud';

-- a customer pays an order from its account: customer -> vendor revenue
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'customer_debit', 'reversal'));

ALTER TABLE notifications ADD COLUMN customer_id text REFERENCES customers (id);
CREATE INDEX notifications_customer ON notifications (customer_id, id DESC) WHERE customer_id IS NOT NULL;

-- +goose Down
DROP INDEX notifications_customer;
ALTER TABLE notifications DROP COLUMN customer_id;
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'reversal'));
DELETE FROM orders WHERE channel = 'cloud';
DROP INDEX orders_customer_cloud_newest;
DROP INDEX orders_case;
ALTER TABLE orders
    DROP CONSTRAINT orders_partner_payment_case,
    DROP CONSTRAINT orders_cloud_payment,
    DROP CONSTRAINT orders_cancelled_at,
    DROP CONSTRAINT orders_paid_by_known,
    DROP CONSTRAINT orders_status_check,
    DROP CONSTRAINT orders_type_check,
    DROP CONSTRAINT orders_channel_check,
    DROP COLUMN cancelled_at,
    DROP COLUMN case_id,
    DROP COLUMN payment_deadline,
    DROP COLUMN payer_requested,
    ALTER COLUMN paid_by SET NOT NULL,
    ADD CONSTRAINT orders_channel_check CHECK (channel = 'marketplace'),
    ADD CONSTRAINT orders_type_check CHECK (type = 'new'),
    ADD CONSTRAINT orders_status_check CHECK (status = 'completed');
