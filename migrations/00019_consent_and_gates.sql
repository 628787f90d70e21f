-- Consent and gates (issue 19): the binding of a customer.
--
-- A customer bound from a partner's sales platform may leave out its
-- certificate type (the seed's field table marks certificate_type
-- optional): the binding is whole without it.
-- (The down migration fails while such a binding exists.)

-- +goose Up
ALTER TABLE customers
    DROP CONSTRAINT customers_binding_whole,
    ADD CONSTRAINT customers_binding_whole CHECK (
        (xaccount_type IS NULL AND xaccount_id IS NULL AND certificate_number IS NULL AND certificate_type IS NULL
         AND account_origin IS NULL AND cloud_account_id IS NULL AND bound_by IS NULL)
        OR (xaccount_type IS NOT NULL AND xaccount_id IS NOT NULL AND certificate_number IS NOT NULL
            AND account_origin IS NOT NULL AND cloud_account_id IS NOT NULL
            AND bound_by IS NOT NULL AND bound_by_role IS NOT NULL AND bound_by_name IS NOT NULL));

-- +goose Down
ALTER TABLE customers
    DROP CONSTRAINT customers_binding_whole,
    ADD CONSTRAINT customers_binding_whole CHECK (
        (xaccount_type IS NULL AND xaccount_id IS NULL AND certificate_number IS NULL AND certificate_type IS NULL
         AND account_origin IS NULL AND cloud_account_id IS NULL AND bound_by IS NULL)
        OR (xaccount_type IS NOT NULL AND xaccount_id IS NOT NULL AND certificate_number IS NOT NULL
            AND certificate_type IS NOT NULL AND account_origin IS NOT NULL AND cloud_account_id IS NOT NULL
            AND bound_by IS NOT NULL AND bound_by_role IS NOT NULL AND bound_by_name IS NOT NULL));
