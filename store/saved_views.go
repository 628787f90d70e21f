package store

import (
	"context"
	"time"
)

// SavedView is a named view of the case list a staff member keeps: the
// list's query string.
type SavedView struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Query     string    `db:"query"`
	CreatedAt time.Time `db:"created_at"`
}

// SaveView keeps a view under its name for principalID, replacing the
// one of the same name.
func (s *Store) SaveView(ctx context.Context, principalID, name, query string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO saved_views (principal_id, name, query) VALUES ($1, $2, $3)
		ON CONFLICT (principal_id, name) DO UPDATE SET query = EXCLUDED.query`, principalID, name, query)
	return err
}

// SavedViews are principalID's views, by name.
func (s *Store) SavedViews(ctx context.Context, principalID string) ([]SavedView, error) {
	rows := []SavedView{}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, name, query, created_at FROM saved_views WHERE principal_id = $1 ORDER BY name, id`, principalID)
	return rows, err
}

// DeleteView removes one of principalID's views (another's is not found).
func (s *Store) DeleteView(ctx context.Context, principalID string, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM saved_views WHERE principal_id = $1 AND id = $2`, principalID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
