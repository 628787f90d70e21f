package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/cases"
)

// Errors of binding a customer.
var (
	// ErrXAccountTaken: a customer with this xaccount_id is bound under the
	// platform identifier already.
	ErrXAccountTaken = errors.New("a customer with this xaccount_id is already bound under this xaccount_type")
	// ErrCloudAccountTaken: the existing cloud account is bound to another customer.
	ErrCloudAccountTaken = errors.New("this cloud account is already bound to a customer")
	// ErrAssociationChanged: the customer's association with its partner
	// changed while a request decided on it; deciding again may give another
	// answer.
	ErrAssociationChanged = errors.New("the customer's association with its partner changed meanwhile")
)

// Customer is a cloud account, a partner's sub-customer when associated.
// Customers bound from a partner's sales platform also have the binding
// fields; others (created directly) have them NULL.
type Customer struct {
	ID              string         `db:"id"`
	Name            string         `db:"name"`
	PartnerID       sql.NullString `db:"partner_id"`
	PartnerName     sql.NullString `db:"partner_name"`
	PartnerType     sql.NullString `db:"partner_type"`
	AssociationMode sql.NullString `db:"association_mode"`

	XAccountType      sql.NullString `db:"xaccount_type"`
	XAccountID        sql.NullString `db:"xaccount_id"`
	CertificateNumber sql.NullString `db:"certificate_number"`
	CertificateType   sql.NullInt64  `db:"certificate_type"`
	AccountOrigin     sql.NullString `db:"account_origin"`
	CloudAccountID    sql.NullString `db:"cloud_account_id"`
	BoundBy           sql.NullString `db:"bound_by"`
	BoundByRole       sql.NullString `db:"bound_by_role"`
	BoundByName       sql.NullString `db:"bound_by_name"`

	CreatedAt time.Time `db:"created_at"`
}

// IsSubCustomer reports whether the customer is associated with a partner.
func (c Customer) IsSubCustomer() bool { return c.PartnerID.Valid }

const customerSelect = `
	SELECT c.id, c.name, c.partner_id, p.name AS partner_name, p.type AS partner_type, c.association_mode,
	       c.xaccount_type, c.xaccount_id, c.certificate_number, c.certificate_type, c.account_origin,
	       c.cloud_account_id, c.bound_by, c.bound_by_role, c.bound_by_name, c.created_at
	FROM customers c LEFT JOIN partners p ON p.id = c.partner_id`

// CreateCustomer stores a customer associated with a partner in a mode
// (consultative or resale); an empty partnerID makes a direct customer. It
// binds no platform account: see BindCustomer. A partner leaving the
// program gets no new customer (*PartnerExitingError).
func (s *Store) CreateCustomer(ctx context.Context, name, partnerID, mode string) (Customer, error) {
	id := NewID("cus")
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if partnerID != "" {
			if err := holdActivePartner(ctx, tx, partnerID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO customers (id, name, partner_id, association_mode)
			VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''))`, id, name, partnerID, mode)
		return err
	})
	if err != nil {
		return Customer{}, err
	}
	return s.Customer(ctx, id)
}

// Customer reads one customer, with its partner's name and type.
func (s *Store) Customer(ctx context.Context, id string) (Customer, error) {
	return customer(ctx, s.db, id, false)
}

// customer reads one customer with q; lock takes a share lock on its row so
// that its association cannot change until the transaction ends.
func customer(ctx context.Context, q sqlx.QueryerContext, id string, lock bool) (Customer, error) {
	query := customerSelect + ` WHERE c.id = $1`
	if lock {
		query += ` FOR SHARE OF c`
	}
	var c Customer
	err := sqlx.GetContext(ctx, q, &c, query, id)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, notFoundIfNoRows(err)
}

// PartnerCustomers returns page p of a partner's sub-customers, newest
// first, and the cursor of the next page ("" on the last).
func (s *Store) PartnerCustomers(ctx context.Context, partnerID string, p Page) ([]Customer, string, error) {
	q := listQuery{from: customerSelect, order: newestFirst("c.created_at", "c.id")}
	q.and("c.partner_id = %s", partnerID)
	list, next, err := selectPage(ctx, s, q, p, func(c Customer) []any { return []any{c.CreatedAt, c.ID} })
	for i := range list {
		list[i].CreatedAt = list[i].CreatedAt.UTC()
	}
	return list, next, err
}

// NewBoundCustomer is a customer of a partner's sales platform to bind to a
// cloud account, already validated (rules.CustomerBinding).
type NewBoundCustomer struct {
	Name              string
	PartnerID         string
	AssociationMode   string
	XAccountType      string
	XAccountID        string
	CertificateNumber string
	CertificateType   *int   // nil: not given
	AccountOrigin     string // "new" or "existing"
	CloudAccountID    string // existing accounts; a new account gets one here
	By                Principal
}

// newAccountOrigin is the origin of cloud accounts created at binding.
const newAccountOrigin = "new"

// BindCustomer stores the customer bound to its cloud account (creating the
// account ID for a new one), a customer principal for it, and the audit
// entry of who bound it, in one transaction. It returns the customer, its
// principal and the principal's token (the one time it can be read).
// ErrXAccountTaken or ErrCloudAccountTaken when the binding exists already;
// *PartnerExitingError when the partner is leaving the program.
func (s *Store) BindCustomer(ctx context.Context, nc NewBoundCustomer) (Customer, Principal, string, error) {
	var c Customer
	var p Principal
	var token string
	id := NewID("cus")
	cloudAccountID := nc.CloudAccountID
	if nc.AccountOrigin == newAccountOrigin {
		cloudAccountID = NewID("acc")
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := holdActivePartner(ctx, tx, nc.PartnerID); err != nil {
			return err
		}
		if err := requireCertified(ctx, tx, nc.PartnerID, GatedAssociation); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO customers (id, name, partner_id, association_mode, xaccount_type, xaccount_id,
			                       certificate_number, certificate_type, account_origin, cloud_account_id,
			                       bound_by, bound_by_role, bound_by_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			id, nc.Name, nc.PartnerID, nc.AssociationMode, nc.XAccountType, nc.XAccountID,
			nc.CertificateNumber, nc.CertificateType, nc.AccountOrigin, cloudAccountID,
			nc.By.ID, nc.By.Role, nc.By.Name)
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23505" {
			switch pqErr.Constraint {
			case "customers_xaccount":
				return ErrXAccountTaken
			case "customers_cloud_account":
				return ErrCloudAccountTaken
			}
		}
		if err != nil {
			return err
		}
		if p, token, err = createPrincipal(ctx, tx, NewPrincipal{
			Name: nc.Name, Role: cases.RoleCustomer, CustomerID: id,
		}); err != nil {
			return err
		}
		if err := recordAudit(ctx, tx, AuditEntry{
			PrincipalID: nc.By.ID, PartnerID: nc.PartnerID, Action: "customer.bound", TargetKind: "customer", TargetID: id,
			Detail: map[string]any{
				"xaccount_type": nc.XAccountType, "xaccount_id": nc.XAccountID, "association_mode": nc.AssociationMode,
				"account_origin": nc.AccountOrigin, "cloud_account_id": cloudAccountID, "principal_id": p.ID,
			},
		}); err != nil {
			return err
		}
		c, err = customer(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return Customer{}, Principal{}, "", err
	}
	return c, p, token, nil
}
