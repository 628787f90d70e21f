package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/rules"
)

// A customer's yearly/monthly resources, in groups of a primary and its
// secondaries (migration 00014 enforces the grouping). Billing owns them: a
// real deployment syncs them from it through ResourceSource; here staff
// and the demo record them through the same method.

// ResourceSource is the one boundary resources come in through: what
// billing (or staff, or the demo) knows about a customer's resource.
type ResourceSource interface {
	PutResource(ctx context.Context, customerID string, r rules.NewResource) (Resource, error)
}

var _ ResourceSource = (*Store)(nil)

// Resource is a resource as the store reads it, with its group's
// auto-renewal (kept on the primary).
type Resource struct {
	ID              string         `db:"id"`
	CustomerID      string         `db:"customer_id"`
	Type            string         `db:"type"`
	Region          string         `db:"region"`
	PrimaryID       sql.NullString `db:"primary_id"`
	Status          string         `db:"status"`
	Billing         string         `db:"billing"`
	ExpiresAt       time.Time      `db:"expires_at"`
	ExpiryPolicy    string         `db:"expiry_policy"`
	MonthlyPrice    int64          `db:"monthly_price"`
	Currency        string         `db:"currency"`
	OrderID         sql.NullString `db:"order_id"`
	AutoRenewUnit   sql.NullString `db:"auto_renew_unit"`
	AutoRenewPeriod sql.NullInt64  `db:"auto_renew_period"`
	AutoRenewCount  sql.NullInt64  `db:"auto_renew_count"`
	RenewalError    sql.NullString `db:"renewal_error"`
	RenewalErrorAt  sql.NullTime   `db:"renewal_error_at"`
	CreatedAt       time.Time      `db:"created_at"`
	UpdatedAt       time.Time      `db:"updated_at"`
}

// AutoRenewal is the group's setting, nil when off.
func (r Resource) AutoRenewal() *rules.AutoRenewal {
	if !r.AutoRenewUnit.Valid {
		return nil
	}
	return &rules.AutoRenewal{
		RenewalPeriod: rules.RenewalPeriod{Unit: r.AutoRenewUnit.String, Period: int(r.AutoRenewPeriod.Int64)},
		Count:         int(r.AutoRenewCount.Int64),
	}
}

// GroupID is the ID of the resource's group: its primary's.
func (r Resource) GroupID() string {
	if r.PrimaryID.Valid {
		return r.PrimaryID.String
	}
	return r.ID
}

func (r *Resource) utc() {
	r.ExpiresAt, r.CreatedAt, r.UpdatedAt = r.ExpiresAt.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if r.RenewalErrorAt.Valid {
		r.RenewalErrorAt.Time = r.RenewalErrorAt.Time.UTC()
	}
}

// resourceColumns reads r (the resource) with its group's auto-renewal
// and last renewal error from g (its primary, when it is a secondary).
const resourceColumns = `r.id, r.customer_id, r.type, r.region, r.primary_id, r.status, r.billing, r.expires_at,
	r.expiry_policy, r.monthly_price, r.currency, r.order_id,
	COALESCE(g.auto_renew_unit, r.auto_renew_unit) AS auto_renew_unit,
	COALESCE(g.auto_renew_period, r.auto_renew_period) AS auto_renew_period,
	COALESCE(g.auto_renew_count, r.auto_renew_count) AS auto_renew_count,
	COALESCE(g.renewal_error, r.renewal_error) AS renewal_error,
	COALESCE(g.renewal_error_at, r.renewal_error_at) AS renewal_error_at,
	r.created_at, r.updated_at`

const resourcesFrom = `SELECT ` + resourceColumns + ` FROM resources r LEFT JOIN resources g ON g.id = r.primary_id`

// ErrResourceExists is a resource ID recorded before.
var ErrResourceExists = errors.New("a resource with this ID exists")

// ErrNoSuchPrimary is a secondary naming a primary the customer does not have.
var ErrNoSuchPrimary = errors.New("the customer has no such primary resource")

// GroupError is a secondary whose primary's type or place breaks the
// grouping rules (rules.GroupProblem).
type GroupError struct{ Problem string }

func (e *GroupError) Error() string { return "primary_id " + e.Problem }

// PutResource records a customer's resource. A secondary's primary must be
// the customer's, of the type the grouping rules allow, and a primary
// itself (*GroupError); the schema checks the same again.
func (s *Store) PutResource(ctx context.Context, customerID string, nr rules.NewResource) (Resource, error) {
	var r Resource
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if nr.PrimaryID != "" {
			var p Resource
			err := tx.GetContext(ctx, &p, resourcesFrom+` WHERE r.id = $1 AND r.customer_id = $2 FOR SHARE OF r`, nr.PrimaryID, customerID)
			if err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return ErrNoSuchPrimary
				}
				return err
			}
			if problem := rules.GroupProblem(nr.Type, rules.ResourceType(p.Type), !p.PrimaryID.Valid); problem != "" {
				return &GroupError{problem}
			}
			if p.Currency != nr.MonthlyPrice.Currency {
				return &GroupError{"must name a resource priced in " + nr.MonthlyPrice.Currency + ": a group is charged in one currency"}
			}
		}
		primaryType := sql.NullString{}
		if nr.PrimaryID != "" {
			primaryType = sql.NullString{String: string(mustPrimaryType(nr.Type)), Valid: true}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO resources (id, customer_id, type, region, primary_id, primary_type, expires_at, expiry_policy,
			                       monthly_price, currency, order_id)
			VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, $9, $10, NULLIF($11, ''))`,
			nr.ID, customerID, nr.Type, nr.Region, nr.PrimaryID, primaryType, nr.ExpiresAt, nr.ExpiryPolicy,
			nr.MonthlyPrice.Amount, nr.MonthlyPrice.Currency, nr.OrderID)
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23505" {
			return ErrResourceExists
		}
		if errors.As(err, &pqErr) && pqErr.Code == "23503" && pqErr.Constraint == "resources_order_id_fkey" {
			return ErrNoSuchOrder
		}
		if err != nil {
			return err
		}
		return tx.GetContext(ctx, &r, resourcesFrom+` WHERE r.id = $1`, nr.ID)
	})
	r.utc()
	return r, err
}

// ErrNoSuchOrder is a resource naming an order that does not exist.
var ErrNoSuchOrder = errors.New("no such order")

// mustPrimaryType is the type a secondary of type t has as its primary
// (Validate and GroupProblem checked it has one).
func mustPrimaryType(t rules.ResourceType) rules.ResourceType {
	primary, _, _ := rules.PrimaryTypeOf(t)
	return primary
}

// ResourceFilter narrows a customer's resources.
type ResourceFilter struct {
	Type           string
	Status         string
	ExpiringBefore *time.Time
}

// CustomerResources returns page p of the customer's resources, soonest
// expiry first. Each filter is served by an index on (customer_id, …,
// expires_at, id); expiring_before bounds the same range.
func (s *Store) CustomerResources(ctx context.Context, customerID string, f ResourceFilter, p Page) ([]Resource, string, error) {
	q := listQuery{from: resourcesFrom, order: keyset{columns: []keyColumn{{"r.expires_at", keyTime}, {"r.id", keyText}}}}
	q.and("r.customer_id = %s", customerID)
	if f.Type != "" {
		q.and("r.type = %s", f.Type)
	}
	if f.Status != "" {
		q.and("r.status = %s", f.Status)
	}
	if f.ExpiringBefore != nil {
		q.and("r.expires_at < %s", *f.ExpiringBefore)
	}
	list, next, err := selectPage(ctx, s, q, p, func(r Resource) []any { return []any{r.ExpiresAt, r.ID} })
	for i := range list {
		list[i].utc()
	}
	return list, next, err
}

// CustomerResource reads one of the customer's resources (ErrNotFound
// when the customer has no such resource).
func (s *Store) CustomerResource(ctx context.Context, customerID, id string) (Resource, error) {
	var r Resource
	err := s.db.GetContext(ctx, &r, resourcesFrom+` WHERE r.id = $1 AND r.customer_id = $2`, id, customerID)
	r.utc()
	return r, notFoundIfNoRows(err)
}

// ResourceGroup reads a group: its primary first, then its secondaries by ID.
func (s *Store) ResourceGroup(ctx context.Context, primaryID string) ([]Resource, error) {
	var group []Resource
	err := s.db.SelectContext(ctx, &group, resourcesFrom+` WHERE r.id = $1 OR r.primary_id = $1 ORDER BY r.primary_id NULLS FIRST, r.id`, primaryID)
	for i := range group {
		group[i].utc()
	}
	return group, err
}

// SetAutoRenewal sets (a nil setting: cancels) the auto-renewal of the
// group of the customer's resource id: setting a secondary sets its
// primary's group (reference: setting a secondary renews its primary too).
// It returns the group.
func (s *Store) SetAutoRenewal(ctx context.Context, customerID, id string, a *rules.AutoRenewal) ([]Resource, error) {
	var groupID string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var r Resource
		if err := tx.GetContext(ctx, &r, resourcesFrom+` WHERE r.id = $1 AND r.customer_id = $2`, id, customerID); err != nil {
			return notFoundIfNoRows(err)
		}
		groupID = r.GroupID()
		unit, period, count := sql.NullString{}, sql.NullInt64{}, sql.NullInt64{}
		if a != nil {
			unit = sql.NullString{String: a.Unit, Valid: true}
			period = sql.NullInt64{Int64: int64(a.Period), Valid: true}
			count = sql.NullInt64{Int64: int64(a.Count), Valid: true}
		}
		_, err := tx.ExecContext(ctx, `UPDATE resources SET auto_renew_unit = $2, auto_renew_period = $3, auto_renew_count = $4,
			updated_at = now() WHERE id = $1`, groupID, unit, period, count)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.ResourceGroup(ctx, groupID)
}
