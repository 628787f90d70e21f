package store

import "github.com/google/uuid"

// NewID returns a new identifier with a prefix naming what it identifies
// (cas_, prt_, ...). UUIDv7 keeps IDs roughly time-ordered.
func NewID(prefix string) string {
	return prefix + "_" + uuid.Must(uuid.NewV7()).String()
}
