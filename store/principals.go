package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
)

// Principal is whoever holds a token.
type Principal struct {
	ID         string         `db:"id"`
	Name       string         `db:"name"`
	Role       string         `db:"role"`
	PartnerID  sql.NullString `db:"partner_id"`
	CustomerID sql.NullString `db:"customer_id"`
	CreatedAt  time.Time      `db:"created_at"`
	// A delegated token (delegated_tokens.go): the partner's account that
	// obtained it and the partner; both NULL for every other principal.
	DelegatedBy        sql.NullString `db:"delegated_by"`
	DelegatedPartnerID sql.NullString `db:"delegated_partner_id"`
}

// IsDelegated reports whether the principal is a delegated token: a
// partner's member acting for a customer, not the customer itself.
func (p Principal) IsDelegated() bool { return p.DelegatedBy.Valid }

// IsStaff reports whether the principal is vendor staff.
func (p Principal) IsStaff() bool { return p.Role == cases.RoleOps || p.Role == cases.RoleSupervisor }

// IsPartnerMember reports whether the principal acts for a partner.
func (p Principal) IsPartnerMember() bool {
	return p.Role == cases.RoleAdmin || p.Role == cases.RoleMember
}

// NewPrincipal is what creating a principal needs.
type NewPrincipal struct {
	Name       string
	Role       string
	PartnerID  string
	CustomerID string
}

// tokenPrefix marks partnerops tokens so a leaked one is recognisable.
const tokenPrefix = "po_"

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreatePrincipal stores a new principal and returns its token, which is
// kept only as a hash: this is the one time it can be read.
func (s *Store) CreatePrincipal(ctx context.Context, np NewPrincipal) (Principal, string, error) {
	return createPrincipal(ctx, s.db, np)
}

// createPrincipal is CreatePrincipal with q, so a principal can be created
// in the transaction of what it belongs to (a partner, a customer).
func createPrincipal(ctx context.Context, q sqlx.QueryerContext, np NewPrincipal) (Principal, string, error) {
	token := tokenPrefix + RandomToken()
	var p Principal
	err := sqlx.GetContext(ctx, q, &p, `
		INSERT INTO principals (id, name, role, partner_id, customer_id, token_hash)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6)
		RETURNING id, name, role, partner_id, customer_id, created_at`,
		NewID("prn"), np.Name, np.Role, np.PartnerID, np.CustomerID, hashToken(token))
	return p, token, err
}

// PrincipalByToken finds the holder of a token; a revoked token (an exited
// or deregistered partner's) has none, nor a delegated token that has
// expired or whose partner no longer serves the customer in resale mode.
func (s *Store) PrincipalByToken(ctx context.Context, token string) (Principal, error) {
	var p Principal
	err := s.db.GetContext(ctx, &p, `
		SELECT d.id, d.name, d.role, d.partner_id, d.customer_id, d.created_at, d.delegated_by, d.delegated_partner_id
		FROM principals d WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND `+delegationLive, hashToken(token))
	return p, notFoundIfNoRows(err)
}
