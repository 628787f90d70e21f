package store

import (
	"context"
	"database/sql"
	"time"
)

// Customer is a cloud account, a partner's sub-customer when associated.
type Customer struct {
	ID              string         `db:"id"`
	Name            string         `db:"name"`
	PartnerID       sql.NullString `db:"partner_id"`
	AssociationMode sql.NullString `db:"association_mode"`
	CreatedAt       time.Time      `db:"created_at"`
}

// CreateCustomer stores a customer associated with a partner in a mode
// (consultative or resale); an empty partnerID makes a direct customer.
func (s *Store) CreateCustomer(ctx context.Context, name, partnerID, mode string) (Customer, error) {
	var c Customer
	err := s.db.GetContext(ctx, &c, `
		INSERT INTO customers (id, name, partner_id, association_mode)
		VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''))
		RETURNING id, name, partner_id, association_mode, created_at`, NewID("cus"), name, partnerID, mode)
	return c, err
}

// Customer reads one customer.
func (s *Store) Customer(ctx context.Context, id string) (Customer, error) {
	var c Customer
	err := s.db.GetContext(ctx, &c, `
		SELECT id, name, partner_id, association_mode, created_at FROM customers WHERE id = $1`, id)
	return c, notFoundIfNoRows(err)
}
