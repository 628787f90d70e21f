-- Rate limits held across API replicas: one counter per key (a token's
-- hash, a client address, a strict route with either) and fixed window.
-- Each request adds one hit with a single upsert, which is atomic, so every
-- replica counts against the same limit; a key's older windows are
-- deleted as it comes back.

-- +goose Up
CREATE TABLE rate_limit_hits (
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL CHECK (hits > 0),
    PRIMARY KEY (key, window_start)
);

-- +goose Down
DROP TABLE rate_limit_hits;
