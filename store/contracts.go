package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
)

// ContractApplied is the status of a contract just applied for.
const ContractApplied = "applied"

// Contract is an online contract a customer (or its partner for it)
// applied for.
type Contract struct {
	ID            string         `db:"id"`
	CustomerID    string         `db:"customer_id"`
	PartnerID     sql.NullString `db:"partner_id"`
	Title         string         `db:"title"`
	Status        string         `db:"status"`
	AppliedBy     string         `db:"applied_by"`
	AppliedByRole string         `db:"applied_by_role"`
	AppliedByName string         `db:"applied_by_name"`
	CreatedAt     time.Time      `db:"created_at"`
}

const contractColumns = `id, customer_id, partner_id, title, status, applied_by, applied_by_role, applied_by_name, created_at`

// ApplyForContract records an application for the customer's online
// contract by the principal, with its audit entry, in one transaction. The
// caller decided who may apply on c's association as it read it; if that
// changed meanwhile, nothing is written and ErrAssociationChanged returned.
// With idem, a repeated request returns the contract the first created
// (created false), and another request with the same key
// ErrIdempotencyConflict.
func (s *Store) ApplyForContract(ctx context.Context, c Customer, title string, by Principal, idem *Idempotency) (Contract, bool, error) {
	id := NewID("ctr")
	read := func(ctx context.Context, q sqlx.QueryerContext, id string) (Contract, error) {
		var k Contract
		err := sqlx.GetContext(ctx, q, &k, `SELECT `+contractColumns+` FROM contracts WHERE id = $1`, id)
		return k, err
	}
	k, replayed, err := createIdempotently(ctx, s, idem, id, read, func(tx *sqlx.Tx) (Contract, error) {
		now, err := customer(ctx, tx, c.ID, true)
		if err != nil {
			return Contract{}, err
		}
		if now.PartnerID != c.PartnerID || now.AssociationMode != c.AssociationMode {
			return Contract{}, ErrAssociationChanged
		}
		var k Contract
		if err := tx.GetContext(ctx, &k, `
			INSERT INTO contracts (id, customer_id, partner_id, title, status, applied_by, applied_by_role, applied_by_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING `+contractColumns,
			id, c.ID, c.PartnerID, title, ContractApplied, by.ID, by.Role, by.Name); err != nil {
			return Contract{}, err
		}
		return k, recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: c.PartnerID.String, Action: "contract.applied", TargetKind: "contract", TargetID: id,
			Detail: map[string]any{"customer_id": c.ID, "title": title},
		})
	})
	k.CreatedAt = k.CreatedAt.UTC()
	return k, !replayed, err
}

// CustomerContracts returns page p of the customer's contracts, newest
// first, and the cursor of the next page ("" on the last).
func (s *Store) CustomerContracts(ctx context.Context, customerID string, p Page) ([]Contract, string, error) {
	q := listQuery{from: `SELECT ` + contractColumns + ` FROM contracts`, order: newestFirst("created_at", "id")}
	q.and("customer_id = %s", customerID)
	list, next, err := selectPage(ctx, s, q, p, func(k Contract) []any { return []any{k.CreatedAt, k.ID} })
	for i := range list {
		list[i].CreatedAt = list[i].CreatedAt.UTC()
	}
	return list, next, err
}

// CustomerContract reads one of the customer's contracts: ErrNotFound when
// the customer has no such contract.
func (s *Store) CustomerContract(ctx context.Context, customerID, id string) (Contract, error) {
	var k Contract
	err := s.db.GetContext(ctx, &k, `SELECT `+contractColumns+` FROM contracts WHERE id = $1 AND customer_id = $2`,
		id, customerID)
	k.CreatedAt = k.CreatedAt.UTC()
	return k, notFoundIfNoRows(err)
}
