-- Partners and their member accounts: partner types and solution-provider
-- levels as constraints, the partner's own settings, the business plans and
-- level applications of the leading level, and personal accounts that exist
-- before a partner's admin invites them (invitations, then membership).

-- +goose Up
-- Only solution providers have a level: certified, preferred or leading.
ALTER TABLE partners
    ADD CONSTRAINT partners_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    ADD CONSTRAINT partners_level_known CHECK (level IN ('certified', 'preferred', 'leading')),
    ADD CONSTRAINT partners_level_only_solution_providers
        CHECK ((type = 'solution_provider') = (level IS NOT NULL));

-- Who registered the partner (NULL for partners created by the demo or
-- tools); the partner's own switches, and who last changed them.
ALTER TABLE partners
    ADD COLUMN created_by                 text REFERENCES principals (id),
    ADD COLUMN auto_incentive_application boolean NOT NULL DEFAULT false,
    ADD COLUMN settings_updated_at        timestamptz,
    ADD COLUMN settings_updated_by        text REFERENCES principals (id);

-- A personal account (role member) exists before it is associated with a
-- partner, and again after its admin removes it: its partner may be NULL.
-- A company (admin) account always has its partner, and is the only one.
ALTER TABLE principals DROP CONSTRAINT principals_check;
ALTER TABLE principals
    ADD CONSTRAINT principals_admin_has_partner CHECK (role <> 'admin' OR partner_id IS NOT NULL),
    ADD CONSTRAINT principals_partner_only_members CHECK (partner_id IS NULL OR role IN ('admin', 'member')),
    -- when the account joined its partner; NULL means since it was created
    ADD COLUMN partner_since timestamptz,
    ADD CONSTRAINT principals_partner_since CHECK (partner_since IS NULL OR partner_id IS NOT NULL);
CREATE UNIQUE INDEX principals_one_admin ON principals (partner_id) WHERE role = 'admin';
CREATE INDEX principals_partner ON principals (partner_id) WHERE partner_id IS NOT NULL;

-- A partner admin invites a personal account; the account accepts or declines.
CREATE TABLE partner_invitations (
    id           text PRIMARY KEY,
    partner_id   text NOT NULL REFERENCES partners (id),
    principal_id text NOT NULL REFERENCES principals (id),
    status       text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    invited_by   text NOT NULL REFERENCES principals (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    responded_at timestamptz,
    CHECK ((status = 'pending') = (responded_at IS NULL))
);
CREATE UNIQUE INDEX partner_invitations_one_pending ON partner_invitations (partner_id, principal_id)
    WHERE status = 'pending';
CREATE INDEX partner_invitations_invitee ON partner_invitations (principal_id, created_at DESC);
CREATE INDEX partner_invitations_partner ON partner_invitations (partner_id, created_at DESC);

-- The signed market-expansion business plan (a commitment letter with the
-- year's solution revenue target) that applying for the leading level needs.
CREATE TABLE partner_business_plans (
    id                      text PRIMARY KEY,
    partner_id              text NOT NULL REFERENCES partners (id),
    year                    integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    revenue_target_amount   bigint NOT NULL CHECK (revenue_target_amount > 0),
    revenue_target_currency text NOT NULL CHECK (revenue_target_currency ~ '^[A-Z]{3}$'),
    signed_by               text NOT NULL CHECK (char_length(signed_by) BETWEEN 1 AND 100),
    signed_at               timestamptz NOT NULL,
    document_url            text NOT NULL CHECK (char_length(document_url) BETWEEN 1 AND 500),
    created_by              text NOT NULL REFERENCES principals (id),
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_business_plans_partner ON partner_business_plans (partner_id, year, created_at DESC);

-- A solution provider's application for another level; ops review it.
CREATE TABLE partner_level_applications (
    id               text PRIMARY KEY,
    partner_id       text NOT NULL REFERENCES partners (id),
    level            text NOT NULL CHECK (level IN ('certified', 'preferred', 'leading')),
    status           text NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    business_plan_id text REFERENCES partner_business_plans (id),
    submitted_by     text NOT NULL REFERENCES principals (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (level <> 'leading' OR business_plan_id IS NOT NULL)
);
-- at most one application under review per partner
CREATE UNIQUE INDEX partner_level_applications_one_submitted ON partner_level_applications (partner_id)
    WHERE status = 'submitted';
CREATE INDEX partner_level_applications_partner ON partner_level_applications (partner_id, created_at DESC);

-- +goose Down
DROP TABLE partner_level_applications;
DROP TABLE partner_business_plans;
DROP TABLE partner_invitations;

-- The old schema cannot hold a personal account without a partner: refuse
-- to go down rather than delete accounts (and what they did).
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM principals WHERE role = 'member' AND partner_id IS NULL) THEN
        RAISE EXCEPTION 'personal accounts without a partner exist; associate or delete them before migrating down';
    END IF;
END
$$;
-- +goose StatementEnd
DROP INDEX principals_partner;
DROP INDEX principals_one_admin;
ALTER TABLE principals
    DROP CONSTRAINT principals_partner_since,
    DROP COLUMN partner_since,
    DROP CONSTRAINT principals_partner_only_members,
    DROP CONSTRAINT principals_admin_has_partner,
    ADD CONSTRAINT principals_check CHECK ((role IN ('admin', 'member')) = (partner_id IS NOT NULL));

ALTER TABLE partners
    DROP COLUMN created_by,
    DROP COLUMN settings_updated_by,
    DROP COLUMN settings_updated_at,
    DROP COLUMN auto_incentive_application,
    DROP CONSTRAINT partners_level_only_solution_providers,
    DROP CONSTRAINT partners_level_known,
    DROP CONSTRAINT partners_name_length;
