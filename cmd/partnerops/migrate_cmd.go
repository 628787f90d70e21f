package main

import (
	"context"
	"fmt"
	"os"

	"partnerops/config"
	"partnerops/store"
)

type migrateCmd struct {
	Up     migrateUpCmd     `cmd:"" help:"Apply every pending migration."`
	Down   migrateDownCmd   `cmd:"" help:"Roll back the newest applied migration."`
	Status migrateStatusCmd `cmd:"" help:"List the migrations and whether each is applied."`
}

type (
	migrateUpCmd struct {
		config.Database `embed:""`
	}
	migrateDownCmd struct {
		config.Database `embed:""`
	}
	migrateStatusCmd struct {
		config.Database `embed:""`
	}
)

func (c *migrateUpCmd) Run() error {
	return withStore(c.Database, func(ctx context.Context, st *store.Store) error {
		if err := st.MigrateUp(ctx); err != nil {
			return err
		}
		fmt.Println("migrations applied")
		return nil
	})
}

func (c *migrateDownCmd) Run() error {
	return withStore(c.Database, func(ctx context.Context, st *store.Store) error {
		if err := st.MigrateDown(ctx); err != nil {
			return err
		}
		fmt.Println("newest migration rolled back")
		return nil
	})
}

func (c *migrateStatusCmd) Run() error {
	return withStore(c.Database, func(ctx context.Context, st *store.Store) error {
		return st.MigrationStatus(ctx, os.Stdout)
	})
}

// withStore runs fn with a store open on db, for one-shot commands.
func withStore(db config.Database, fn func(context.Context, *store.Store) error) error {
	ctx, stop := signalContext()
	defer stop()
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(ctx, st)
}
