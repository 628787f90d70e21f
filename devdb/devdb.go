// Package devdb finds a PostgreSQL for `partnerops dev` when DATABASE_URL is
// not set: the local server on 127.0.0.1:5432, else a private cluster under
// the data directory run from the locally installed PostgreSQL binaries.
package devdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
	"github.com/lib/pq"
)

// DatabaseName is the database dev uses on whichever server it finds.
const DatabaseName = "partnerops"

const (
	localServer  = "postgres://postgres@127.0.0.1:5432/%s?sslmode=disable&connect_timeout=3"
	privatePort  = 55432
	privateURL   = "postgres://postgres:postgres@127.0.0.1:%d/%s?sslmode=disable"
	binariesGlob = "/usr/lib/postgresql/*/bin/pg_ctl"
)

// Database is the PostgreSQL dev runs against.
type Database struct {
	URL         string
	Description string
	stop        func() error
}

// Stop stops the private cluster, if dev started one.
func (d *Database) Stop() error {
	if d.stop == nil {
		return nil
	}
	return d.stop()
}

// Find returns the local server's partnerops database (creating it on first
// use), or starts a private cluster under dataDir, or says how to get one.
func Find(ctx context.Context, dataDir string) (*Database, error) {
	localErr := ensureDatabase(ctx, fmt.Sprintf(localServer, "postgres"))
	if localErr == nil {
		return &Database{URL: fmt.Sprintf(localServer, DatabaseName), Description: "local PostgreSQL on 127.0.0.1:5432"}, nil
	}
	bins, _ := filepath.Glob(binariesGlob)
	if len(bins) == 0 || os.Geteuid() == 0 {
		why := "no PostgreSQL binaries are installed"
		if len(bins) > 0 {
			why = "PostgreSQL refuses to run a private cluster as root"
		}
		return nil, fmt.Errorf("no PostgreSQL found: 127.0.0.1:5432 answered %v, and %s. "+
			"Set DATABASE_URL, or start a local PostgreSQL (Debian: apt-get install postgresql), "+
			"or run as a normal user with PostgreSQL installed", localErr, why)
	}
	sort.Strings(bins)
	return startPrivate(ctx, dataDir, filepath.Dir(filepath.Dir(bins[len(bins)-1])))
}

// ensureDatabase connects to the server's maintenance database and creates
// the partnerops database if it is missing.
func ensureDatabase(ctx context.Context, maintenanceURL string) error {
	db, err := sql.Open("postgres", maintenanceURL)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, DatabaseName).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(DatabaseName))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	return err
}

// startPrivate runs a cluster of the installed PostgreSQL under dataDir.
func startPrivate(ctx context.Context, dataDir, installDir string) (*Database, error) {
	root, err := filepath.Abs(filepath.Join(dataDir, "postgres"))
	if err != nil {
		return nil, err
	}
	pg := embeddedpostgres.NewDatabase(embeddedpostgres.DefaultConfig().
		Version(embeddedpostgres.PostgresVersion(filepath.Base(installDir))).
		BinariesPath(installDir).
		RuntimePath(filepath.Join(root, "runtime")).
		DataPath(filepath.Join(root, "data")).
		Port(privatePort).
		Database(DatabaseName).
		Logger(io.Discard))
	if err := pg.Start(); err != nil {
		return nil, fmt.Errorf("start a private PostgreSQL from %s: %w", installDir, err)
	}
	url := fmt.Sprintf(privateURL, privatePort, "postgres")
	if err := ensureDatabase(ctx, url); err != nil {
		_ = pg.Stop()
		return nil, err
	}
	return &Database{
		URL:         fmt.Sprintf(privateURL, privatePort, DatabaseName),
		Description: fmt.Sprintf("private PostgreSQL under %s (port %d)", root, privatePort),
		stop:        pg.Stop,
	}, nil
}
