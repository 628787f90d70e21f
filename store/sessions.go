package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"
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
// ErrNotFound when there is none, it expired or was revoked, or its
// principal's token was revoked (a session lives only while its owner does).
func (s *Store) SessionBySecret(ctx context.Context, secret string, now time.Time) (Session, error) {
	var row struct {
		Principal
		CSRFToken string    `db:"csrf_token"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT p.id, p.name, p.role, p.partner_id, p.customer_id, p.created_at, s.csrf_token, s.expires_at
		FROM console_sessions s JOIN principals p ON p.id = s.principal_id
		WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND p.revoked_at IS NULL`, hashToken(secret), now.UTC())
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

// endSessions ends, inside tx, the live sessions of the principals the
// condition selects (a condition on principals p, its arguments from $2):
// whatever revokes a token or takes an account out of its partner ends its
// console sessions in the same transaction.
func endSessions(ctx context.Context, tx *sqlx.Tx, at time.Time, principals string, args ...any) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE console_sessions s SET revoked_at = GREATEST($1, s.created_at)
		FROM principals p WHERE p.id = s.principal_id AND s.revoked_at IS NULL AND `+principals,
		append([]any{at.UTC()}, args...)...)
	return err
}

// LiveSession is a console session as staff see it: whose, since when,
// until when; ID names it (the hex of its key, never the cookie's value).
type LiveSession struct {
	ID            string    `db:"id"`
	PrincipalID   string    `db:"principal_id"`
	PrincipalName string    `db:"principal_name"`
	Role          string    `db:"role"`
	PartnerID     *string   `db:"partner_id"`
	CreatedAt     time.Time `db:"created_at"`
	ExpiresAt     time.Time `db:"expires_at"`
}

// LiveSessions are the sessions not ended, newest first, at most limit.
func (s *Store) LiveSessions(ctx context.Context, now time.Time, limit int) ([]LiveSession, error) {
	list := []LiveSession{}
	err := s.db.SelectContext(ctx, &list, `
		SELECT encode(s.id_hash, 'hex') AS id, p.id AS principal_id, p.name AS principal_name, p.role, p.partner_id,
		       s.created_at, s.expires_at
		FROM console_sessions s JOIN principals p ON p.id = s.principal_id
		WHERE s.revoked_at IS NULL AND s.expires_at > $1 AND p.revoked_at IS NULL
		ORDER BY s.created_at DESC LIMIT $2`, now.UTC(), limit)
	return list, err
}

// RevokeSessionByID ends the session staff name by its ID (LiveSession.ID);
// one unknown or already ended is ErrNotFound.
func (s *Store) RevokeSessionByID(ctx context.Context, id string, now time.Time) error {
	key, err := hex.DecodeString(id)
	if err != nil {
		return ErrNotFound
	}
	res, err := s.db.ExecContext(ctx, `
		UPDATE console_sessions SET revoked_at = GREATEST($2, created_at) WHERE id_hash = $1 AND revoked_at IS NULL`, key, now.UTC())
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}
