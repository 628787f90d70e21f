-- Every list is read page by page in the order of its key (most newest
-- first, on (time, id)); each list, and each combination of filters the
-- case list offers, has an index whose leading columns are the list's
-- equality filters followed by its key, so a page is one range scan in
-- order (no sort, no walking past other rows). An index that is a prefix of
-- another here (one that serves nothing the longer one does not) is dropped.

-- +goose Up
-- Cases, staff and partners: a partner's cases by status (with kind or the
-- SLA flag as a filter of few rows), and every case of one kind.
CREATE INDEX cases_partner_status_newest ON cases (partner_id, status, created_at DESC, id DESC);
CREATE INDEX cases_kind_newest ON cases (kind, created_at DESC, id DESC);
-- Cases, customers: a customer's own (kind, status and the SLA flag filter
-- its few rows).
CREATE INDEX cases_customer_newest ON cases (customer_id, created_at DESC, id DESC) WHERE customer_id IS NOT NULL;

-- A partner's accounts: the admin first, then the members as they joined.
CREATE INDEX principals_partner_members ON principals (partner_id, (role <> 'admin'), COALESCE(partner_since, created_at), id)
    WHERE partner_id IS NOT NULL;
DROP INDEX principals_partner;

-- Invitations a partner sent, and those awaiting an account's answer.
CREATE INDEX partner_invitations_partner_newest ON partner_invitations (partner_id, created_at DESC, id DESC);
CREATE INDEX partner_invitations_pending_newest ON partner_invitations (principal_id, created_at DESC, id DESC)
    WHERE status = 'pending';
DROP INDEX partner_invitations_partner;
DROP INDEX partner_invitations_invitee;

-- A partner's business plans and level applications (the newest plan of a
-- year is the first of that year in the first index).
CREATE INDEX partner_business_plans_partner_newest ON partner_business_plans (partner_id, created_at DESC, id DESC);
CREATE INDEX partner_level_applications_partner_newest ON partner_level_applications (partner_id, created_at DESC, id DESC);
DROP INDEX partner_business_plans_partner;
DROP INDEX partner_level_applications_partner;

-- The orders waiting for a partner to pay, soonest deadline first.
CREATE INDEX orders_payment_requests ON orders (reseller_id, payment_deadline, id)
    WHERE channel = 'cloud' AND status = 'pending_partner_payment';
-- A customer's cloud orders are served by orders_customer_newest
-- (customer_id, channel, created_at DESC, id DESC), as its marketplace
-- orders are; a partner's customers by customers_partner_newest.
DROP INDEX orders_customer_cloud_newest;
DROP INDEX customers_partner;

-- +goose Down
CREATE INDEX customers_partner ON customers (partner_id);
CREATE INDEX orders_customer_cloud_newest ON orders (customer_id, created_at DESC, id DESC) WHERE channel = 'cloud';
DROP INDEX orders_payment_requests;
CREATE INDEX partner_level_applications_partner ON partner_level_applications (partner_id, created_at DESC);
CREATE INDEX partner_business_plans_partner ON partner_business_plans (partner_id, year, created_at DESC);
DROP INDEX partner_level_applications_partner_newest;
DROP INDEX partner_business_plans_partner_newest;
CREATE INDEX partner_invitations_invitee ON partner_invitations (principal_id, created_at DESC);
CREATE INDEX partner_invitations_partner ON partner_invitations (partner_id, created_at DESC);
DROP INDEX partner_invitations_pending_newest;
DROP INDEX partner_invitations_partner_newest;
CREATE INDEX principals_partner ON principals (partner_id) WHERE partner_id IS NOT NULL;
DROP INDEX principals_partner_members;
DROP INDEX cases_customer_newest;
DROP INDEX cases_kind_newest;
DROP INDEX cases_partner_status_newest;
