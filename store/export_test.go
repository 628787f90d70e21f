package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// DB exposes the pool to this package's tests and benchmarks, for bulk
// fixtures no method of the store writes.
func (s *Store) DB() *sqlx.DB { return s.db }

// InTx exposes the store's transaction runner to this package's tests.
func (s *Store) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error { return s.inTx(ctx, fn) }
