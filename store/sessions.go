package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Session is a console sign-in: the principal it stands for and the CSRF
// token its forms carry.
type Session struct {
	Principal Principal
	CSRFToken string
	ExpiresAt time.Time
}

// RandomToken is 32 random bytes, URL-safe.
func RandomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession signs the principal in for ttl: it returns the session's
// secret value for the cookie (stored only as a hash) and the session.
func (s *Store) CreateSession(ctx context.Context, p Principal, now time.Time, ttl time.Duration) (string, Session, error) {
	secret := RandomToken()
	sess := Session{Principal: p, CSRFToken: RandomToken(), ExpiresAt: now.Add(ttl).UTC()}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO console_sessions (id_hash, principal_id, csrf_token, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, hashToken(secret), p.ID, sess.CSRFToken, now.UTC(), sess.ExpiresAt)
	if err != nil {
		return "", Session{}, err
	}
	return secret, sess, nil
}

// SessionBySecret is the live session whose cookie value is secret:
// ErrNotFound when there is none, or it expired or was revoked.
func (s *Store) SessionBySecret(ctx context.Context, secret string, now time.Time) (Session, error) {
	var row struct {
		Principal
		CSRFToken string    `db:"csrf_token"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT p.id, p.name, p.role, p.partner_id, p.customer_id, p.created_at, s.csrf_token, s.expires_at
		FROM console_sessions s JOIN principals p ON p.id = s.principal_id
		WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`, hashToken(secret), now.UTC())
	if err != nil {
		return Session{}, notFoundIfNoRows(err)
	}
	return Session{Principal: row.Principal, CSRFToken: row.CSRFToken, ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// RevokeSession ends the session whose cookie value is secret (signing
// out); ending one already ended changes nothing.
func (s *Store) RevokeSession(ctx context.Context, secret string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE console_sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL`, hashToken(secret), now.UTC())
	return err
}
