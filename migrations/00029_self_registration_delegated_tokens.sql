-- Consent and gates (issue 19): partners that register themselves, and
-- tokens a partner's member holds to act for one of its resale customers.

-- +goose Up

-- A partner registered through POST /v1/partner-registrations (no staff
-- member registered it), with the contact it gave. Self-registered
-- partners that have not submitted a certification are the pending
-- registrations PARTNEROPS_PENDING_REGISTRATIONS bounds.
ALTER TABLE partners
    ADD COLUMN self_registered boolean NOT NULL DEFAULT false,
    ADD COLUMN contact_name    text CHECK (char_length(contact_name) BETWEEN 1 AND 100),
    ADD COLUMN contact_phone   text CHECK (char_length(contact_phone) BETWEEN 1 AND 40),
    ADD COLUMN contact_email   text CHECK (char_length(contact_email) BETWEEN 3 AND 254),
    ADD CONSTRAINT partners_self_registered_contact CHECK (
        NOT self_registered OR (contact_name IS NOT NULL AND contact_phone IS NOT NULL AND contact_email IS NOT NULL));
CREATE INDEX partners_self_registered ON partners (id) WHERE self_registered;

-- A delegated token is a principal of role customer (so the access policy
-- treats it as the customer's own token) that a partner's member obtained:
-- delegated_by is the member, delegated_partner_id its partner, expires_at
-- its end. It authenticates only while unexpired, unrevoked, its member
-- still the partner's and the customer still the partner's resale customer.
ALTER TABLE principals
    ADD COLUMN delegated_by         text REFERENCES principals (id),
    ADD COLUMN delegated_partner_id text REFERENCES partners (id),
    ADD COLUMN expires_at           timestamptz,
    ADD CONSTRAINT principals_delegation_whole CHECK (
        (delegated_by IS NULL AND delegated_partner_id IS NULL AND expires_at IS NULL)
        OR (delegated_by IS NOT NULL AND delegated_partner_id IS NOT NULL AND expires_at IS NOT NULL AND role = 'customer'));
CREATE INDEX principals_delegated ON principals (customer_id) WHERE delegated_by IS NOT NULL AND revoked_at IS NULL;

-- The members a partner's admin allows to obtain delegated tokens; the
-- grant counts only while the member stays (granted since it joined).
CREATE TABLE delegation_grants (
    partner_id   text NOT NULL REFERENCES partners (id),
    principal_id text NOT NULL REFERENCES principals (id),
    granted_by   text NOT NULL REFERENCES principals (id),
    granted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, principal_id)
);

-- +goose Down
DROP TABLE delegation_grants;
DROP INDEX principals_delegated;
-- a delegated token does not survive going down: end them first
UPDATE principals SET revoked_at = COALESCE(revoked_at, now()) WHERE delegated_by IS NOT NULL;
ALTER TABLE principals
    DROP CONSTRAINT principals_delegation_whole,
    DROP COLUMN expires_at,
    DROP COLUMN delegated_partner_id,
    DROP COLUMN delegated_by;
DROP INDEX partners_self_registered;
ALTER TABLE partners
    DROP CONSTRAINT partners_self_registered_contact,
    DROP COLUMN contact_email,
    DROP COLUMN contact_phone,
    DROP COLUMN contact_name,
    DROP COLUMN self_registered;
