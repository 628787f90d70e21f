// Package store is the one way to PostgreSQL: every query partnerops runs is
// a method here, written with sqlx.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/XSAM/otelsql"
	"go.opentelemetry.io/otel/attribute"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq" // the PostgreSQL driver
)

// ErrNotFound is returned when the asked-for row does not exist (or is not
// the caller's to see).
var ErrNotFound = errors.New("not found")

// Store holds the connection pool.
type Store struct {
	db  *sqlx.DB
	url string // what Open connected to, for listeners (ListenDeliveries)
	// onList, set by this package's tests, sees the SQL of each list page
	// read, so that they can check its plan.
	onList func(query string, args []any)
}

// Pool sizes a process's connections to PostgreSQL.
type Pool struct {
	MaxOpen int // the most connections open at once
	MaxIdle int // the most kept open while idle; 0: MaxOpen
}

// DefaultPool keeps every connection it opens: a burst of work reuses
// them instead of opening (and forking) new PostgreSQL backends.
var DefaultPool = Pool{MaxOpen: 20}

// Open connects to PostgreSQL with the default pool and checks the
// connection.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenPool(ctx, url, DefaultPool)
}

// OpenPool connects to PostgreSQL, checks the connection, and refuses a
// pool larger than the server lets a client open (ErrPoolTooLarge).
func OpenPool(ctx context.Context, url string, pool Pool) (*Store, error) {
	if pool.MaxOpen <= 0 || pool.MaxIdle < 0 || pool.MaxIdle > pool.MaxOpen {
		return nil, fmt.Errorf("connection pool: %d open and %d idle connections; want at least 1 open and at most as many idle", pool.MaxOpen, pool.MaxIdle)
	}
	// every statement is a span of the trace of whatever ran it (telemetry)
	sqlDB, err := otelsql.Open("postgres", url, otelsql.WithAttributes(attribute.String("db.system", "postgresql")))
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	db := sqlx.NewDb(sqlDB, "postgres")
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := checkPool(ctx, db, pool.MaxOpen); err != nil {
		_ = db.Close()
		return nil, err
	}
	idle := pool.MaxIdle
	if idle == 0 {
		idle = pool.MaxOpen
	}
	db.SetMaxOpenConns(pool.MaxOpen)
	db.SetMaxIdleConns(idle)
	return &Store{db: db, url: url}, nil
}

// Close releases the pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// inTx runs fn in a transaction, committing when it returns nil. A
// transaction PostgreSQL aborted to break a deadlock or a serialization
// conflict is rolled back whole, so it is run again (a few times): the
// caller sees a definite answer, not a 500.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if attempt == maxTxAttempts || !retryable(err) {
			return err
		}
	}
}

const maxTxAttempts = 4

func (s *Store) tryTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// retryable reports a deadlock or serialization failure.
func retryable(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "40P01" || pqErr.Code == "40001")
}

func notFoundIfNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
