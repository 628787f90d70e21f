-- Money: partner and customer accounts, an append-only double-entry ledger,
-- deposits and account adjustments (调账).
--
-- Every movement is a posting: two ledger entries that sum to zero (one
-- account -N, another +N), written in the transaction that updates the two
-- balances. Money comes into the system through the vendor's funding account
-- (vendor_funding -N, partner +N: a deposit), so every sum stays zero, and a
-- partner's payments for orders go to the vendor's revenue account. Each
-- partner has its own pair of vendor accounts per currency, so movements of
-- different partners never share (and never wait on) an account.
--
-- Amounts are integer minor units (bigint) of a currency; balances never go
-- negative (vendor_funding excepted: it is the mirror of money received) and
-- the CHECK below is the last guard behind the store's own check.

-- +goose Up
CREATE TABLE money_accounts (
    id          text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('vendor_funding', 'vendor_revenue', 'partner', 'customer')),
    partner_id  text NOT NULL REFERENCES partners (id),
    customer_id text REFERENCES customers (id),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance     bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT money_accounts_customer_kind CHECK ((kind = 'customer') = (customer_id IS NOT NULL)),
    CONSTRAINT money_accounts_balance_not_negative CHECK (kind = 'vendor_funding' OR balance >= 0)
);
-- One account per owner and currency; a customer's account belongs to the
-- partner that funds it.
CREATE UNIQUE INDEX money_accounts_owner ON money_accounts (kind, partner_id, COALESCE(customer_id, ''), currency);
CREATE INDEX money_accounts_customer ON money_accounts (customer_id) WHERE customer_id IS NOT NULL;

-- A posting is one movement. Its reference is its idempotency key: posting
-- the same reference twice moves money once. Deposits and adjustments use
-- "txn:<partner>:<transaction ID>", so a transaction ID is unique among a
-- partner's deposits and adjustments.
CREATE TABLE money_postings (
    id                text PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('deposit', 'allocate', 'reclaim', 'reclaim_on_unbind',
                                                    'partner_debit', 'reversal')),
    reference         text NOT NULL UNIQUE CHECK (reference <> ''),
    partner_id        text NOT NULL REFERENCES partners (id),
    debit_account_id  text NOT NULL REFERENCES money_accounts (id),
    credit_account_id text NOT NULL REFERENCES money_accounts (id),
    amount            bigint NOT NULL CHECK (amount > 0),
    currency          text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- a reversal (compensation) names the posting it undoes; at most one each
    reverses          text UNIQUE REFERENCES money_postings (id),
    memo              text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (debit_account_id <> credit_account_id),
    CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);

CREATE TABLE ledger_entries (
    id            bigserial PRIMARY KEY,
    posting_id    text NOT NULL REFERENCES money_postings (id),
    account_id    text NOT NULL REFERENCES money_accounts (id),
    partner_id    text NOT NULL REFERENCES partners (id),
    amount        bigint NOT NULL CHECK (amount <> 0), -- signed: negative leaves the account
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance_after bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_posting ON ledger_entries (posting_id);
CREATE INDEX ledger_entries_partner ON ledger_entries (partner_id, id DESC);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);

CREATE TABLE money_deposits (
    id               text PRIMARY KEY,
    partner_id       text NOT NULL REFERENCES partners (id),
    posting_id       text NOT NULL UNIQUE REFERENCES money_postings (id),
    amount           bigint NOT NULL CHECK (amount > 0),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    transaction_id   text NOT NULL CHECK (char_length(transaction_id) BETWEEN 1 AND 64),
    memo             text NOT NULL DEFAULT '' CHECK (char_length(memo) <= 255),
    recorded_by_id   text NOT NULL REFERENCES principals (id),
    recorded_by_name text NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, transaction_id)
);
CREATE INDEX money_deposits_partner_newest ON money_deposits (partner_id, recorded_at DESC, id DESC);

CREATE TABLE account_adjustments (
    id               text PRIMARY KEY,
    partner_id       text NOT NULL REFERENCES partners (id),
    customer_id      text NOT NULL REFERENCES customers (id),
    posting_id       text NOT NULL UNIQUE REFERENCES money_postings (id),
    operation        text NOT NULL CHECK (operation IN ('allocate', 'reclaim', 'reclaim_on_unbind')),
    amount           bigint NOT NULL CHECK (amount > 0),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    apply_scenes     text[] NOT NULL CHECK (cardinality(apply_scenes) <= 20
                                            AND (operation = 'reclaim_on_unbind' OR cardinality(apply_scenes) >= 1)),
    transaction_id   text NOT NULL CHECK (char_length(transaction_id) BETWEEN 1 AND 64),
    memo             text NOT NULL DEFAULT '' CHECK (char_length(memo) <= 255),
    operated_by_id   text NOT NULL REFERENCES principals (id),
    operated_by_name text NOT NULL,
    operated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, transaction_id)
);
CREATE INDEX account_adjustments_partner_newest ON account_adjustments (partner_id, operated_at DESC, id DESC);
CREATE INDEX account_adjustments_customer_newest ON account_adjustments (customer_id, operated_at DESC, id DESC);

-- Money records are append-only: a correction is a new posting (a
-- reversal), never an edit. Any UPDATE, DELETE or TRUNCATE is refused.
-- +goose StatementBegin
CREATE FUNCTION money_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION money_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION money_refuse_change();
CREATE TRIGGER money_postings_append_only BEFORE UPDATE OR DELETE ON money_postings
    FOR EACH ROW EXECUTE FUNCTION money_refuse_change();
CREATE TRIGGER money_postings_no_truncate BEFORE TRUNCATE ON money_postings
    FOR EACH STATEMENT EXECUTE FUNCTION money_refuse_change();
CREATE TRIGGER money_deposits_append_only BEFORE UPDATE OR DELETE ON money_deposits
    FOR EACH ROW EXECUTE FUNCTION money_refuse_change();
CREATE TRIGGER account_adjustments_append_only BEFORE UPDATE OR DELETE ON account_adjustments
    FOR EACH ROW EXECUTE FUNCTION money_refuse_change();

-- Double entry, checked at commit: a posting has at least two entries, all
-- in its currency, summing to zero, whoever wrote them.
-- +goose StatementBegin
CREATE FUNCTION money_check_posting_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid        text;
    n          bigint;
    total      numeric;
    currencies bigint;
    posted     text;
BEGIN
    IF TG_TABLE_NAME = 'money_postings' THEN
        pid := NEW.id;
    ELSE
        pid := NEW.posting_id;
    END IF;
    SELECT currency INTO posted FROM money_postings WHERE id = pid;
    SELECT count(*), COALESCE(sum(amount), 0), count(*) FILTER (WHERE currency <> posted)
      INTO n, total, currencies
      FROM ledger_entries WHERE posting_id = pid;
    IF n < 2 OR total <> 0 OR currencies <> 0 THEN
        RAISE EXCEPTION 'posting % is not balanced: % entries summing to %, % in another currency', pid, n, total, currencies
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER money_postings_balanced AFTER INSERT ON money_postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION money_check_posting_balanced();
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION money_check_posting_balanced();

-- +goose Down
DROP TABLE account_adjustments;
DROP TABLE money_deposits;
DROP TABLE ledger_entries;
DROP TABLE money_postings;
DROP TABLE money_accounts;
DROP FUNCTION money_check_posting_balanced();
DROP FUNCTION money_refuse_change();
