-- Partner exit and deregistration: a partner's standing in the program,
-- the exit case that holds it while the partner leaves, tokens that stop
-- working, and money withdrawn to the partner before it goes.

-- +goose Up
-- status: active (in the program), exiting (an exit case runs: no new
-- process may start), exited (left the program: no level, no rights, only
-- the admin's token still works, to deregister), deregistered (the account
-- is closed for good: every token revoked, personal data anonymised).
-- exit_case_id is the exit case while one runs, and the one that ended the
-- membership once exited; an active partner has none (a withdrawn or
-- refused exit clears it).
ALTER TABLE partners
    ADD COLUMN status          text NOT NULL DEFAULT 'active',
    ADD COLUMN exit_case_id    text REFERENCES cases (id),
    ADD COLUMN exited_at       timestamptz,
    ADD COLUMN deregistered_at timestamptz,
    ADD CONSTRAINT partners_status_known CHECK (status IN ('active', 'exiting', 'exited', 'deregistered')),
    ADD CONSTRAINT partners_exit_case CHECK ((status = 'active') = (exit_case_id IS NULL)),
    ADD CONSTRAINT partners_exited_at CHECK ((status IN ('exited', 'deregistered')) = (exited_at IS NOT NULL)),
    ADD CONSTRAINT partners_deregistered_at CHECK ((status = 'deregistered') = (deregistered_at IS NOT NULL)),
    -- an exited partner's level ends with its program rights
    DROP CONSTRAINT partners_level_only_solution_providers,
    ADD CONSTRAINT partners_level_only_solution_providers
        CHECK (level IS NULL OR (type = 'solution_provider' AND status IN ('active', 'exiting'))),
    ADD CONSTRAINT partners_solution_providers_have_a_level
        CHECK (type <> 'solution_provider' OR level IS NOT NULL OR status IN ('exited', 'deregistered'));

-- A revoked token no longer authenticates anyone (401). A principal is
-- never deleted: the ledger, audit trail and case timelines name it.
ALTER TABLE principals ADD COLUMN revoked_at timestamptz;

-- withdrawal: staff pay a partner's balance back out of the program
-- (partner -> vendor funding, the reverse of a deposit), so an exiting
-- partner leaves nothing on account.
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'customer_debit', 'incentive_payout', 'reversal', 'withdrawal'));

-- +goose Down
-- Withdrawals are ledger history: refuse to go down rather than lose them.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM money_postings WHERE kind = 'withdrawal') THEN
        RAISE EXCEPTION 'withdrawals are recorded; the old schema cannot hold them';
    END IF;
    IF EXISTS (SELECT 1 FROM partners WHERE status IN ('exited', 'deregistered')) THEN
        RAISE EXCEPTION 'exited partners exist; the old schema cannot hold them';
    END IF;
END
$$;
-- +goose StatementEnd
ALTER TABLE money_postings
    DROP CONSTRAINT money_postings_kind_check,
    ADD CONSTRAINT money_postings_kind_check CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                             'partner_debit', 'customer_debit', 'incentive_payout', 'reversal'));
ALTER TABLE principals DROP COLUMN revoked_at;
ALTER TABLE partners
    DROP CONSTRAINT partners_solution_providers_have_a_level,
    DROP CONSTRAINT partners_level_only_solution_providers,
    ADD CONSTRAINT partners_level_only_solution_providers
        CHECK ((type = 'solution_provider') = (level IS NOT NULL)),
    DROP COLUMN deregistered_at,
    DROP COLUMN exited_at,
    DROP COLUMN exit_case_id,
    DROP COLUMN status;
