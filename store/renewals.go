package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/events"
	"partnerops/rules"
)

// PostingRenewal is a group's renewal charged to the payer's account:
// customer -> vendor revenue, once per group and term.
const PostingRenewal PostingKind = "renewal"

// Why a group is not renewed.
var (
	ErrNotPrimary     = errors.New("not a primary resource: renew a group by its primary resource's ID")
	ErrInUnpaidOrder  = errors.New("a resource of the group is inside an unpaid order; pay or cancel the order first")
	ErrNotRenewable   = errors.New("the group's primary is closed (released after its retention) or billed on demand; it cannot be renewed")
	ErrTermRenewed    = errors.New("the group was renewed for this term already")
	ErrChargeTooLarge = errors.New("the group's charge for this period passes the largest movement allowed")
	ErrAutoRenewalOff = errors.New("the group's auto-renewal is off")
)

// RenewalRequest asks to renew one group.
type RenewalRequest struct {
	PrimaryID string
	// CustomerID, when set, is whose the resource must be (else ErrNotFound).
	CustomerID string
	// Term, when set, is the term the caller saw due: the group is renewed
	// only while its primary still expires then (ErrTermRenewed after).
	Term time.Time
	// Auto renews by the group's auto-renewal setting and counts it down;
	// otherwise by Period.
	Auto   bool
	Period rules.RenewalPeriod
	// RunID is the renewal run's case, for a renewal it made.
	RunID     string
	ActorID   string
	ActorRole string
	Location  *time.Location // the business time zone months are counted in
	RenewedAt time.Time
}

// Renewal is one renewal of a group for one term.
type Renewal struct {
	ID         string         `db:"id"`
	PrimaryID  string         `db:"primary_id"`
	CustomerID string         `db:"customer_id"`
	PartnerID  string         `db:"partner_id"`
	Term       time.Time      `db:"term_expires_at"`
	NewExpiry  time.Time      `db:"new_expires_at"`
	PeriodUnit string         `db:"period_unit"`
	Period     int            `db:"period"`
	Amount     int64          `db:"amount"`
	Currency   string         `db:"currency"`
	PostingID  string         `db:"posting_id"`
	RunID      sql.NullString `db:"run_id"`
	RenewedBy  string         `db:"renewed_by_id"`
	RenewedAt  time.Time      `db:"renewed_at"`
	Resources  []string       `db:"-"`
	// CustomerName names the customer in its partner's notice.
	CustomerName string `db:"-"`
}

// Charge is the renewal's amount.
func (r Renewal) Charge() rules.Money { return rules.Money{Amount: r.Amount, Currency: r.Currency} }

// RenewGroup renews a group in one transaction: it charges the payer's
// account (the customer's, within its partner's books: for a resale
// customer the money its partner allocated, earmarked for the primary's
// type first, then unrestricted) under the group's term
// reference, extends every resource of the group by the period from its own
// expiry, counts the auto-renewal down (Auto), records the renewal and
// notifies the customer and the partner. Either all of it commits or none:
// a group is charged exactly once per term however often this runs. A short
// balance is an *InsufficientBalanceError and writes nothing.
func (s *Store) RenewGroup(ctx context.Context, req RenewalRequest) (Renewal, error) {
	var out Renewal
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = renewGroup(ctx, tx, req)
		return err
	})
	out.Term, out.NewExpiry, out.RenewedAt = out.Term.UTC(), out.NewExpiry.UTC(), out.RenewedAt.UTC()
	return out, err
}

func renewGroup(ctx context.Context, tx *sqlx.Tx, req RenewalRequest) (Renewal, error) {
	var p Resource
	q := `SELECT ` + resourceColumns + ` FROM resources r LEFT JOIN resources g ON g.id = r.primary_id WHERE r.id = $1`
	args := []any{req.PrimaryID}
	if req.CustomerID != "" {
		q += ` AND r.customer_id = $2`
		args = append(args, req.CustomerID)
	}
	if err := tx.GetContext(ctx, &p, q+` FOR NO KEY UPDATE OF r`, args...); err != nil {
		return Renewal{}, notFoundIfNoRows(err)
	}
	period := req.Period
	switch {
	case p.PrimaryID.Valid:
		return Renewal{}, ErrNotPrimary
	case !req.Term.IsZero() && !p.ExpiresAt.Equal(req.Term):
		return Renewal{}, ErrTermRenewed
	case p.Billing != "period" || (p.Status != rules.ResourceInUse && p.Status != rules.ResourceExpired && p.Status != rules.ResourceFrozen):
		return Renewal{}, ErrNotRenewable
	case req.Auto && p.AutoRenewal() == nil:
		return Renewal{}, ErrAutoRenewalOff
	case req.Auto:
		period = p.AutoRenewal().RenewalPeriod
	}
	var group []struct {
		ID      string         `db:"id"`
		Price   int64          `db:"monthly_price"`
		Unpaid  bool           `db:"unpaid"`
		Partner sql.NullString `db:"partner_id"`
		Name    string         `db:"customer_name"`
	}
	if err := tx.SelectContext(ctx, &group, `
		SELECT r.id, r.monthly_price, COALESCE(o.status IN ('pending_payment', 'pending_partner_payment'), false) AS unpaid,
		       c.partner_id, c.name AS customer_name
		FROM resources r JOIN customers c ON c.id = r.customer_id LEFT JOIN orders o ON o.id = r.order_id
		WHERE (r.id = $1 OR r.primary_id = $1) AND r.status <> 'closed'
		ORDER BY r.primary_id NULLS FIRST, r.id`, p.ID); err != nil {
		return Renewal{}, err
	}
	prices := make([]rules.Money, len(group))
	ids := make([]string, len(group))
	for i, m := range group {
		if m.Unpaid {
			return Renewal{}, ErrInUnpaidOrder
		}
		prices[i] = rules.Money{Amount: m.Price, Currency: p.Currency}
		ids[i] = m.ID
	}
	partnerID := group[0].Partner
	if !partnerID.Valid {
		return Renewal{}, ErrNoAccount
	}
	charge, ok := period.Charge(prices)
	if !ok {
		return Renewal{}, ErrChargeTooLarge
	}
	reference := rules.TermReference(p.ID, p.ExpiresAt)
	// The group is its primary's product: money earmarked for it pays first.
	posting, replayed, err := chargeCustomer(ctx, tx, PostingRenewal, reference, partnerID.String, p.CustomerID, p.Type,
		charge, fmt.Sprintf("renewal of %s for %d %s", p.ID, period.Period, period.Unit))
	if err != nil {
		return Renewal{}, err
	}
	if replayed { // charged and extended by a transaction that committed: nothing more to do
		return Renewal{}, ErrTermRenewed
	}
	newExpiry := period.Extend(p.ExpiresAt, req.Location)
	if _, err := tx.ExecContext(ctx, `
		UPDATE resources SET expires_at = (expires_at AT TIME ZONE $2 + make_interval(months => $3)) AT TIME ZONE $2,
			status = CASE WHEN status IN ('expired', 'frozen') THEN 'in_use' ELSE status END, updated_at = $4
		WHERE (id = $1 OR primary_id = $1) AND status <> 'closed'`,
		p.ID, req.Location.String(), period.Months(), req.RenewedAt); err != nil {
		return Renewal{}, err
	}
	next := p.AutoRenewal()
	if req.Auto {
		next = next.After()
	}
	unit, n, count := sql.NullString{}, sql.NullInt64{}, sql.NullInt64{}
	if next != nil {
		unit, n, count = sql.NullString{String: next.Unit, Valid: true}, sql.NullInt64{Int64: int64(next.Period), Valid: true},
			sql.NullInt64{Int64: int64(next.Count), Valid: true}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resources SET auto_renew_unit = $2, auto_renew_period = $3, auto_renew_count = $4,
		renewal_error = NULL, renewal_error_at = NULL WHERE id = $1`, p.ID, unit, n, count); err != nil {
		return Renewal{}, err
	}
	r := Renewal{
		ID: NewID("rnw"), PrimaryID: p.ID, CustomerID: p.CustomerID, PartnerID: partnerID.String,
		Term: p.ExpiresAt, NewExpiry: newExpiry, PeriodUnit: period.Unit, Period: period.Period,
		Amount: charge.Amount, Currency: charge.Currency, PostingID: posting.ID,
		RunID: sql.NullString{String: req.RunID, Valid: req.RunID != ""}, RenewedBy: req.ActorID, RenewedAt: req.RenewedAt,
		Resources: ids, CustomerName: group[0].Name,
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO resource_renewals (id, primary_id, customer_id, partner_id, term_expires_at, new_expires_at, period_unit,
		                               period, amount, currency, posting_id, run_id, renewed_by_id, renewed_by_role, renewed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.ID, r.PrimaryID, r.CustomerID, r.PartnerID, r.Term, r.NewExpiry, r.PeriodUnit, r.Period, r.Amount, r.Currency,
		r.PostingID, r.RunID, req.ActorID, req.ActorRole, r.RenewedAt); err != nil {
		return Renewal{}, err
	}
	toCustomer, toPartner := renewalNotices(r, req.Location)
	_, err = tx.ExecContext(ctx, `
		INSERT INTO notifications (renewal_id, audience, partner_id, customer_id, kind, message, created_at)
		VALUES ($1, 'customer', NULL, $2, 'resources_renewed', $3, $5), ($1, 'partner', $4, NULL, 'resources_renewed', $6, $5)`,
		r.ID, r.CustomerID, toCustomer, r.PartnerID, r.RenewedAt, toPartner)
	return r, err
}

// renewalNotices are the messages a renewal sends its customer and
// partner, the new expiry in the business time zone loc.
func renewalNotices(r Renewal, loc *time.Location) (customer, partner string) {
	what := fmt.Sprintf("%s and its group (%d resources) renewed for %d %s(s) until %s; %s charged",
		r.PrimaryID, len(r.Resources), r.Period, r.PeriodUnit, r.NewExpiry.In(loc).Format("2006-01-02 15:04 MST"), r.Charge())
	return "Your resource " + what + " to your account.", "Customer " + r.CustomerName + "'s resource " + what + " to its account."
}

// RecordRenewalShortfall notes on a group's primary why the sweep could not
// renew it (the payer is short of funds); the next day's run tries again,
// until the last day of the group's retention (retention). The customer
// and its partner are told, at most once a business day (in loc).
func (s *Store) RecordRenewalShortfall(ctx context.Context, primaryID, reason string, at time.Time, retention rules.Retention, loc *time.Location) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var g struct {
			Type       rules.ResourceType `db:"type"`
			ExpiresAt  time.Time          `db:"expires_at"`
			CustomerID string             `db:"customer_id"`
			Customer   string             `db:"customer_name"`
			PartnerID  sql.NullString     `db:"partner_id"`
			Told       bool               `db:"told"`
		}
		if err := tx.GetContext(ctx, &g, `
			SELECT r.type, r.expires_at, r.customer_id, c.name AS customer_name, c.partner_id,
			       COALESCE((r.renewal_error_at AT TIME ZONE $3)::date = ($2::timestamptz AT TIME ZONE $3)::date, false) AS told
			FROM resources r JOIN customers c ON c.id = r.customer_id WHERE r.id = $1 FOR NO KEY UPDATE OF r`,
			primaryID, at, loc.String()); err != nil {
			return notFoundIfNoRows(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET renewal_error = $2, renewal_error_at = $3 WHERE id = $1`,
			primaryID, reason, at); err != nil {
			return err
		}
		if g.PartnerID.Valid {
			if err := raiseEvents(ctx, tx, []events.Raised{events.FromRenewalShortfall(g.PartnerID.String,
				events.RenewalShortfall{ResourceID: primaryID, CustomerID: g.CustomerID, Reason: reason}, at)}); err != nil {
				return err
			}
		}
		if g.Told {
			return nil
		}
		lastDay := g.ExpiresAt.Add(retention.Period(g.Type)).In(loc).Format("2006-01-02 15:04 MST")
		what := fmt.Sprintf("%s (%s) could not be renewed: %s. Auto-renewal tries again daily until %s; "+
			"topped up by then, it renews from its old expiry (%s), else it is released.",
			primaryID, g.Type, reason, lastDay, g.ExpiresAt.In(loc).Format("2006-01-02 15:04 MST"))
		_, err := tx.ExecContext(ctx, `
			INSERT INTO notifications (resource_id, audience, partner_id, customer_id, kind, message, created_at)
			SELECT $1::text, 'customer', NULL, $2::text, 'renewal_short_of_funds', $3::text, $6::timestamptz
			UNION ALL SELECT $1, 'partner', $4::text, NULL, 'renewal_short_of_funds', $5, $6 WHERE $4::text IS NOT NULL`,
			primaryID, g.CustomerID, "Your resource "+what, g.PartnerID, "Customer "+g.Customer+"'s resource "+what, at)
		return err
	})
}

// DueGroups returns up to limit groups past after (by term, then primary
// ID) whose primary has auto-renewal on and is either in use, expiring
// after asOf and within rules.RenewalWindow of it, or expired (or frozen)
// and still within its type's retention period (retention): range scans of
// the partial indexes resources_auto_renew_due and
// resources_auto_renew_retained. A group renewed leaves the range (its term
// moved past it), one short of funds stays for the next day until its
// retention ends.
func (s *Store) DueGroups(ctx context.Context, asOf time.Time, retention rules.Retention, after *rules.DueGroup, limit int) ([]rules.DueGroup, error) {
	from := rules.DueGroup{Term: asOf.Add(-retention.Longest())}
	if after != nil {
		from = *after
	}
	types, days := retention.Columns()
	groups := []rules.DueGroup{}
	err := s.db.SelectContext(ctx, &groups, `
		(SELECT id, expires_at FROM resources
		 WHERE primary_id IS NULL AND auto_renew_unit IS NOT NULL AND status = 'in_use' AND billing = 'period'
		   AND expires_at > $1 AND expires_at <= $2 AND (expires_at, id) > ($3, $4)
		 ORDER BY expires_at, id LIMIT $5)
		UNION ALL
		(SELECT r.id, r.expires_at FROM resources r JOIN unnest($7::text[], $8::int[]) AS k (type, days) ON k.type = r.type
		 WHERE r.primary_id IS NULL AND r.auto_renew_unit IS NOT NULL AND r.status IN ('expired', 'frozen') AND r.billing = 'period'
		   AND r.expires_at > $6 AND r.expires_at <= $2 AND (r.expires_at, r.id) > ($3, $4)
		   AND r.expires_at + make_interval(days => k.days) > $1
		 ORDER BY r.expires_at, r.id LIMIT $5)
		ORDER BY expires_at, id LIMIT $5`,
		asOf, asOf.Add(rules.RenewalWindow), from.Term, from.PrimaryID, limit, asOf.Add(-retention.Longest()),
		pq.Array(types), pq.Array(days))
	for i := range groups {
		groups[i].Term = groups[i].Term.UTC()
	}
	return groups, err
}

// ReleaseRetained releases (closes) up to limit yearly/monthly resources
// that expired (expired or frozen) and whose retention ended by asOf, and
// returns how many. Run until it returns fewer than limit.
func (s *Store) ReleaseRetained(ctx context.Context, asOf time.Time, retention rules.Retention, limit int) (int, error) {
	types, days := retention.Columns()
	res, err := s.db.ExecContext(ctx, `
		UPDATE resources SET status = 'closed', updated_at = now()
		WHERE id IN (SELECT r.id FROM resources r JOIN unnest($3::text[], $4::int[]) AS k (type, days) ON k.type = r.type
		             WHERE r.status IN ('expired', 'frozen') AND r.billing = 'period' AND r.expires_at <= $1
		               AND r.expires_at + make_interval(days => k.days) <= $1
		             ORDER BY r.expires_at, r.id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
		asOf, limit, pq.Array(types), pq.Array(days))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RunRenewals counts the renewals run runID made of the due groups past
// after (nil: from the first) up to and including last, in DueGroups'
// order: what a batch renewed, including groups an attempt renewed and
// died before reporting.
func (s *Store) RunRenewals(ctx context.Context, runID string, after *rules.DueGroup, last rules.DueGroup) (int, error) {
	from := rules.DueGroup{}
	if after != nil {
		from = *after
	}
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM resource_renewals WHERE run_id = $1
		AND (term_expires_at, primary_id) > ($2, $3) AND (term_expires_at, primary_id) <= ($4, $5)`,
		runID, from.Term, from.PrimaryID, last.Term, last.PrimaryID)
	return n, err
}

// ApplyExpiryPolicies applies, to up to limit yearly/monthly resources in
// use whose expiry is at or before asOf, each one's expiry policy
// (rules.ExpiryPolicy.Expired), and returns how many it changed. Run until
// it returns fewer than limit.
func (s *Store) ApplyExpiryPolicies(ctx context.Context, asOf time.Time, limit int) (int, error) {
	total := 0
	for _, name := range rules.ExpiryPolicies() {
		status, billing := rules.ExpiryPolicy(name).Expired()
		res, err := s.db.ExecContext(ctx, `
			UPDATE resources SET status = $3, billing = $4, updated_at = now()
			WHERE id IN (SELECT id FROM resources WHERE status = 'in_use' AND billing = 'period' AND expires_at <= $1
			             AND expiry_policy = $2 ORDER BY expires_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)`,
			asOf, name, status, billing, limit-total)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += int(n)
		if total >= limit {
			break
		}
	}
	return total, nil
}

// GroupRenewals returns the renewals of a group, newest term first (at
// most limit).
func (s *Store) GroupRenewals(ctx context.Context, primaryID string, limit int) ([]Renewal, error) {
	list := []Renewal{}
	err := s.db.SelectContext(ctx, &list, `SELECT id, primary_id, customer_id, partner_id, term_expires_at, new_expires_at,
		period_unit, period, amount, currency, posting_id, run_id, renewed_by_id, renewed_at
		FROM resource_renewals WHERE primary_id = $1 ORDER BY term_expires_at DESC LIMIT $2`, primaryID, limit)
	for i := range list {
		list[i].Term, list[i].NewExpiry, list[i].RenewedAt = list[i].Term.UTC(), list[i].NewExpiry.UTC(), list[i].RenewedAt.UTC()
	}
	return list, err
}
