package store

import "github.com/jmoiron/sqlx"

// DB exposes the pool to this package's tests and benchmarks, for bulk
// fixtures no method of the store writes.
func (s *Store) DB() *sqlx.DB { return s.db }
