-- Personal data in Temporal histories is encrypted (package historykeys):
-- each partner's payloads under its own data key, the payloads of no
-- partner (renewal runs, sweeps) under the system key. A data key is kept
-- here wrapped (AES-GCM) by the key-encryption key of the configuration
-- that kek_id names. Deregistering a partner deletes its row in the same
-- transaction: its histories can no longer be read by anyone.

-- +goose Up
CREATE TABLE history_keys (
    id         text PRIMARY KEY,
    -- NULL: the system key (id 'hk_system')
    partner_id text UNIQUE REFERENCES partners (id),
    kek_id     text NOT NULL,
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT history_keys_owner CHECK ((partner_id IS NULL) = (id = 'hk_system'))
);
CREATE INDEX history_keys_kek ON history_keys (kek_id);

-- +goose Down
DROP TABLE history_keys;
