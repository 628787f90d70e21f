-- Consent and gates (issue 19).
--
-- A customer bound from a partner's sales platform may leave out its
-- certificate type (the seed's field table marks certificate_type
-- optional): the binding is whole without it.
--
-- Partners register themselves: a self-registered partner records so
-- (registered_by 'self'), and the pending ones (self-registered, not yet
-- certified) are counted by this index to bound them.

-- +goose Up
ALTER TABLE customers
    DROP CONSTRAINT customers_binding_whole,
    ADD CONSTRAINT customers_binding_whole CHECK (
        (xaccount_type IS NULL AND xaccount_id IS NULL AND certificate_number IS NULL AND certificate_type IS NULL
         AND account_origin IS NULL AND cloud_account_id IS NULL AND bound_by IS NULL)
        OR (xaccount_type IS NOT NULL AND xaccount_id IS NOT NULL AND certificate_number IS NOT NULL
            AND account_origin IS NOT NULL AND cloud_account_id IS NOT NULL
            AND bound_by IS NOT NULL AND bound_by_role IS NOT NULL AND bound_by_name IS NOT NULL));

ALTER TABLE partners
    ADD COLUMN registered_by text NOT NULL DEFAULT 'ops' CHECK (registered_by IN ('ops', 'self'));
CREATE INDEX partners_self_registered ON partners (created_at) WHERE registered_by = 'self';

-- +goose Down
DROP INDEX partners_self_registered;
ALTER TABLE partners DROP COLUMN registered_by;
ALTER TABLE customers
    DROP CONSTRAINT customers_binding_whole,
    ADD CONSTRAINT customers_binding_whole CHECK (
        (xaccount_type IS NULL AND xaccount_id IS NULL AND certificate_number IS NULL AND certificate_type IS NULL
         AND account_origin IS NULL AND cloud_account_id IS NULL AND bound_by IS NULL)
        OR (xaccount_type IS NOT NULL AND xaccount_id IS NOT NULL AND certificate_number IS NOT NULL
            AND certificate_type IS NOT NULL AND account_origin IS NOT NULL AND cloud_account_id IS NOT NULL
            AND bound_by IS NOT NULL AND bound_by_role IS NOT NULL AND bound_by_name IS NOT NULL));
