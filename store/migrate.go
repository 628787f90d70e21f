package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/pressly/goose/v3"

	"partnerops/migrations"
)

func migrationProvider(db *sql.DB) (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
}

// MigrateUp applies every pending migration.
func (s *Store) MigrateUp(ctx context.Context) error {
	p, err := migrationProvider(s.db.DB)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// MigrateDown rolls back the newest applied migration.
func (s *Store) MigrateDown(ctx context.Context) error {
	p, err := migrationProvider(s.db.DB)
	if err != nil {
		return err
	}
	_, err = p.Down(ctx)
	return err
}

// MigrationStatus writes one line per migration: applied or pending.
func (s *Store) MigrationStatus(ctx context.Context, w io.Writer) error {
	p, err := migrationProvider(s.db.DB)
	if err != nil {
		return err
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return err
	}
	for _, st := range statuses {
		applied := "pending"
		if st.State == goose.StateApplied {
			applied = "applied " + st.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%-40s %s\n", st.Source.Path, applied)
	}
	return nil
}
