// Package migrations holds the PostgreSQL schema as goose migrations, embedded
// in the binary so `partnerops migrate` and `partnerops dev` need no files.
package migrations

import "embed"

// FS is every migration, in goose's numbered order.
//
//go:embed *.sql
var FS embed.FS
