package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Language is the principal's stated language for the console ("en",
// "zh-CN"), or "" when it stated none.
func (s *Store) Language(ctx context.Context, principalID string) (string, error) {
	var lang string
	err := s.db.GetContext(ctx, &lang, `SELECT language FROM principal_preferences WHERE principal_id = $1`, principalID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return lang, err
}

// SetLanguage states the principal's language for the console.
func (s *Store) SetLanguage(ctx context.Context, principalID, lang string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO principal_preferences (principal_id, language, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (principal_id) DO UPDATE SET language = EXCLUDED.language, updated_at = EXCLUDED.updated_at`,
		principalID, lang, now.UTC())
	return err
}
