package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"partnerops/cases"
	"partnerops/rules"
)

// ErrVendorOpportunityHeld refuses to share a vendor opportunity a partner
// holds already (its invitation runs, or it accepted it).
var ErrVendorOpportunityHeld = errors.New("the vendor opportunity is shared with or accepted by a partner")

// RecordOpportunityCustomer records the customer an opportunity case is
// about (replacing what an earlier submission recorded) and returns the
// other partners' opportunity cases about the same customer that are open
// (under review, approved, in a stage) or won: the likely duplicates, by
// certificate number or by the name's key. Running it again changes nothing.
func (s *Store) RecordOpportunityCustomer(ctx context.Context, caseID, partnerID string, customer rules.CustomerOfOpportunity) ([]string, error) {
	nameKey := rules.CustomerNameKey(customer.Name)
	var duplicates []string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := upsertOpportunityCustomer(ctx, tx, caseID, partnerID, customer); err != nil {
			return err
		}
		duplicates = []string{}
		return sqlx.SelectContext(ctx, tx, &duplicates, `
			SELECT c.id FROM opportunity_customers oc JOIN cases c ON c.id = oc.case_id
			WHERE (oc.name_key = $1 OR oc.certificate_number = NULLIF($2, ''))
			  AND oc.partner_id <> $3 AND oc.case_id <> $4 AND c.kind = 'opportunity'
			  AND ((c.closed_at IS NULL AND c.status <> 'invited') OR c.status = 'won')
			ORDER BY c.created_at, c.id LIMIT 10`, nameKey, customer.CertificateNumber, partnerID, caseID)
	})
	return duplicates, err
}

func upsertOpportunityCustomer(ctx context.Context, tx *sqlx.Tx, caseID, partnerID string, customer rules.CustomerOfOpportunity) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO opportunity_customers (case_id, partner_id, name_key, certificate_number)
		VALUES ($1, $2, $3, NULLIF($4, ''))
		ON CONFLICT (case_id) DO UPDATE SET name_key = EXCLUDED.name_key, certificate_number = EXCLUDED.certificate_number`,
		caseID, partnerID, rules.CustomerNameKey(customer.Name), customer.CertificateNumber)
	return err
}

// OpportunityFilter narrows a partner's opportunity list; zero values do not filter.
type OpportunityFilter struct {
	Status string
	Stage  string
}

// PartnerOpportunities returns page p of a partner's opportunity cases,
// newest first, and the next page's cursor. The list and its stage filter
// have their index (migration 00012); a status filters the list's few rows
// or goes through cases_partner_status_newest.
func (s *Store) PartnerOpportunities(ctx context.Context, partnerID string, f OpportunityFilter, p Page) ([]cases.Case, string, error) {
	q := listQuery{from: `SELECT ` + caseColumns + ` FROM cases`, order: newestFirst("created_at", "id")}
	q.and("partner_id = %s", partnerID)
	if f.Status != "" {
		q.and("status = %s", f.Status)
	}
	q.and("kind = %s", string(cases.KindOpportunity))
	if f.Stage != "" {
		q.and("details ->> 'stage' = %s", f.Stage)
	}
	rows, next, err := selectPage(ctx, s, q, p, func(r caseRow) []any { return []any{r.CreatedAt, r.ID} })
	return listOf(rows, caseRow.toCase), next, err
}

// VendorOpportunity is an opportunity the vendor found and shares with
// partners, one at a time.
type VendorOpportunity struct {
	ID           string            `db:"id"`
	CustomerName string            `db:"customer_name"`
	Opportunity  rules.Opportunity `db:"-"`
	Raw          []byte            `db:"opportunity"`
	Status       string            `db:"status"`
	CaseID       sql.NullString    `db:"case_id"`
	CreatedBy    string            `db:"created_by"`
	CreatedAt    time.Time         `db:"created_at"`
	UpdatedAt    time.Time         `db:"updated_at"`
}

const vendorOpportunityColumns = `id, customer_name, opportunity, status, case_id, created_by, created_at, updated_at`

func (v VendorOpportunity) decoded() (VendorOpportunity, error) {
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return v, json.Unmarshal(v.Raw, &v.Opportunity)
}

// CreateVendorOpportunity records a vendor opportunity, available to share;
// with an Idempotency-Key a repeat answers the first one.
func (s *Store) CreateVendorOpportunity(ctx context.Context, v VendorOpportunity, idem *Idempotency) (VendorOpportunity, error) {
	raw, err := json.Marshal(v.Opportunity)
	if err != nil {
		return VendorOpportunity{}, err
	}
	out, _, err := createIdempotently(ctx, s, idem, v.ID, readVendorOpportunity, func(tx *sqlx.Tx) (VendorOpportunity, error) {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO vendor_opportunities (id, customer_name, opportunity, status, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, 'available', $4, $5, $5)`,
			v.ID, v.Opportunity.Customer.Name, raw, v.CreatedBy, v.CreatedAt); err != nil {
			return VendorOpportunity{}, err
		}
		return readVendorOpportunity(ctx, tx, v.ID)
	})
	return out, err
}

func readVendorOpportunity(ctx context.Context, q sqlx.QueryerContext, id string) (VendorOpportunity, error) {
	var v VendorOpportunity
	if err := sqlx.GetContext(ctx, q, &v, `SELECT `+vendorOpportunityColumns+` FROM vendor_opportunities WHERE id = $1`, id); err != nil {
		return VendorOpportunity{}, notFoundIfNoRows(err)
	}
	return v.decoded()
}

// GetVendorOpportunity reads one vendor opportunity.
func (s *Store) GetVendorOpportunity(ctx context.Context, id string) (VendorOpportunity, error) {
	return readVendorOpportunity(ctx, s.db, id)
}

// VendorOpportunities returns page p of the vendor opportunities (in status,
// if given), newest first, and the next page's cursor.
func (s *Store) VendorOpportunities(ctx context.Context, status string, p Page) ([]VendorOpportunity, string, error) {
	q := listQuery{from: `SELECT ` + vendorOpportunityColumns + ` FROM vendor_opportunities`, order: newestFirst("created_at", "id")}
	if status != "" {
		q.and("status = %s", status)
	}
	rows, next, err := selectPage(ctx, s, q, p, func(r VendorOpportunity) []any { return []any{r.CreatedAt, r.ID} })
	if err != nil {
		return nil, "", err
	}
	for i := range rows {
		if rows[i], err = rows[i].decoded(); err != nil {
			return nil, "", err
		}
	}
	return rows, next, nil
}

// ShareVendorOpportunity opens the invitation case nc for the vendor
// opportunity id, which must be available: in one transaction with the
// Idempotency-Key claim, the case and its start are written, the
// opportunity is held by the case and its customer recorded. A repeat with
// the key answers the first invitation; an opportunity a partner holds is
// ErrVendorOpportunityHeld.
func (s *Store) ShareVendorOpportunity(ctx context.Context, id string, nc NewCase, idem *Idempotency) (cases.Case, CaseStart, error) {
	o, _, err := createIdempotently(ctx, s, idem, nc.ID, readOpenedCase, func(tx *sqlx.Tx) (openedCase, error) {
		var held VendorOpportunity
		if err := sqlx.GetContext(ctx, tx, &held, `SELECT `+vendorOpportunityColumns+` FROM vendor_opportunities WHERE id = $1 FOR UPDATE`, id); err != nil {
			return openedCase{}, notFoundIfNoRows(err)
		}
		if held.Status != "available" {
			return openedCase{}, ErrVendorOpportunityHeld
		}
		held, err := held.decoded()
		if err != nil {
			return openedCase{}, err
		}
		if err := requireCertified(ctx, tx, nc.PartnerID, GatedVendorShare); err != nil {
			return openedCase{}, err
		}
		st, err := insertCase(ctx, tx, nc)
		if err != nil {
			return openedCase{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE vendor_opportunities SET status = 'shared', case_id = $2, updated_at = $3 WHERE id = $1`,
			id, nc.ID, nc.CreatedAt); err != nil {
			return openedCase{}, err
		}
		if err := upsertOpportunityCustomer(ctx, tx, nc.ID, nc.PartnerID, held.Opportunity.Customer); err != nil {
			return openedCase{}, err
		}
		return openedCase{nc.Case, st}, nil
	})
	if err != nil {
		return cases.Case{}, CaseStart{}, err
	}
	return o.c, o.start, nil
}

// SettleVendorOpportunity records the answer to the invitation caseID: the
// partner accepted it (the vendor opportunity is accepted), or it declined
// or expired (available again, for ops to share with another partner).
// Running it again changes nothing.
func (s *Store) SettleVendorOpportunity(ctx context.Context, caseID string, accepted bool, at time.Time) error {
	query := `UPDATE vendor_opportunities SET status = 'available', case_id = NULL, updated_at = $2
		WHERE case_id = $1 AND status = 'shared'`
	if accepted {
		query = `UPDATE vendor_opportunities SET status = 'accepted', updated_at = $2 WHERE case_id = $1 AND status = 'shared'`
	}
	if _, err := s.db.ExecContext(ctx, query, caseID, at); err != nil {
		return fmt.Errorf("settle vendor opportunity of %s: %w", caseID, err)
	}
	return nil
}
