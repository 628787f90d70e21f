package store

import (
	"context"
	"database/sql"
	"time"
)

// Partner is an organisation in the partner program.
type Partner struct {
	ID        string         `db:"id" json:"id"`
	Name      string         `db:"name" json:"name"`
	Type      string         `db:"type" json:"type"`
	Level     sql.NullString `db:"level" json:"-"`
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
}

// CreatePartner stores a new partner.
func (s *Store) CreatePartner(ctx context.Context, name, partnerType, level string) (Partner, error) {
	var p Partner
	err := s.db.GetContext(ctx, &p, `
		INSERT INTO partners (id, name, type, level) VALUES ($1, $2, $3, NULLIF($4, ''))
		RETURNING id, name, type, level, created_at`, NewID("prt"), name, partnerType, level)
	return p, err
}

// Partner reads one partner.
func (s *Store) Partner(ctx context.Context, id string) (Partner, error) {
	var p Partner
	err := s.db.GetContext(ctx, &p, `SELECT id, name, type, level, created_at FROM partners WHERE id = $1`, id)
	return p, notFoundIfNoRows(err)
}
