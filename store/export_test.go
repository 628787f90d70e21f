package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// ExitListLimit is how many of each kind of obligation an exit lists.
const ExitListLimit = exitListLimit

// DB exposes the pool to this package's tests and benchmarks, for bulk
// fixtures no method of the store writes.
func (s *Store) DB() *sqlx.DB { return s.db }

// InTx exposes the store's transaction runner to this package's tests.
func (s *Store) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error { return s.inTx(ctx, fn) }

// ReclaimOnUnbind runs reclaimOnUnbind in a transaction of its own, so the
// tests can call it twice with one reference.
func (s *Store) ReclaimOnUnbind(ctx context.Context, partnerID, customerID, reference string, by Operator) (adjs []Adjustment, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		adjs, err = reclaimOnUnbind(ctx, tx, partnerID, customerID, reference, by)
		return err
	})
	return adjs, err
}

// OnList has fn see the SQL and arguments of each list page the store reads.
func (s *Store) OnList(fn func(query string, args []any)) { s.onList = fn }

// Cursor is the cursor of a list page ending at a row with these key values.
func Cursor(values ...any) string { return encodeCursor(values) }
