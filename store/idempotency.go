package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrIdempotencyConflict is returned when an idempotency key is reused with
// another request.
var ErrIdempotencyConflict = errors.New("idempotency key already used for another request")

// Idempotency ties a request that creates something to what it created.
type Idempotency struct {
	PrincipalID string
	Key         string
	Request     []byte // what identifies the request: method, path and body
}

// claimIdempotencyKey records, inside tx, that the key now stands for
// resourceID. When the key was claimed before, it returns the resource the
// earlier request created (and the caller answers with that instead), or
// ErrIdempotencyConflict when the earlier request was another one. A
// concurrent claim of the same key waits for the first to commit.
func claimIdempotencyKey(ctx context.Context, tx *sqlx.Tx, idem *Idempotency, resourceID string) (string, error) {
	hash := sha256.Sum256(idem.Request)
	res, err := tx.ExecContext(ctx, `
		INSERT INTO idempotency_keys (principal_id, key, request_hash, resource_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, idem.PrincipalID, idem.Key, hash[:], resourceID)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return "", nil
	}
	var existing struct {
		Hash       []byte `db:"request_hash"`
		ResourceID string `db:"resource_id"`
	}
	if err := tx.GetContext(ctx, &existing, `
		SELECT request_hash, resource_id FROM idempotency_keys WHERE principal_id = $1 AND key = $2`,
		idem.PrincipalID, idem.Key); err != nil {
		return "", err
	}
	if string(existing.Hash) != string(hash[:]) {
		return "", ErrIdempotencyConflict
	}
	return existing.ResourceID, nil
}

// createIdempotently runs create, which writes the record id, in one
// transaction with the idempotency key idem (nil: none). A key used before
// with the same request returns what that request created, through read
// (replayed true), and creates nothing; with another request,
// ErrIdempotencyConflict.
func createIdempotently[T any](ctx context.Context, s *Store, idem *Idempotency, id string,
	read func(ctx context.Context, q sqlx.QueryerContext, id string) (T, error),
	create func(tx *sqlx.Tx) (T, error),
) (out T, replayed bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		replayed = false // a transaction run again starts afresh
		if idem != nil {
			existing, err := claimIdempotencyKey(ctx, tx, idem, id)
			if err != nil {
				return err
			}
			if existing != "" {
				replayed = true
				out, err = read(ctx, tx, existing)
				return err
			}
		}
		out, err = create(tx)
		return err
	})
	return out, replayed, err
}

// PruneIdempotencyKeys deletes up to limit idempotency keys claimed before
// before, oldest first, and says how many it deleted. A request repeated
// with a pruned key creates anew: keys are kept for as long as clients
// retry (PARTNEROPS_IDEMPOTENCY_RETENTION).
func (s *Store) PruneIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := s.db.ExecContext(ctx, `
		DELETE FROM idempotency_keys WHERE (principal_id, key) IN (
			SELECT principal_id, key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)`, before, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
