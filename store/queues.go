package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	"partnerops/cases"
)

// KindQueues counts one kind's open cases in each work queue.
type KindQueues struct {
	Kind             string `db:"kind"`
	Open             int    `db:"open"`
	Breached         int    `db:"breached"`
	DueToday         int    `db:"due_today"`
	DueThisWeek      int    `db:"due_this_week"`
	WaitingOnPartner int    `db:"waiting_on_partner"`
}

// QueueBounds are where the queues end: the end of today and of this week
// in the business time zone, and the statuses that wait on the partner.
type QueueBounds struct {
	EndOfToday, EndOfWeek time.Time
	AwaitingPartner       []string // "kind:status"
}

// Queues counts the open cases of each kind in each work queue, for the
// cases of partnerID ("" for all): open and breached, due by the end of
// today, due by the end of the week, waiting on the partner.
func (s *Store) Queues(ctx context.Context, partnerID string, b QueueBounds) ([]KindQueues, error) {
	rows := []KindQueues{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, count(*) AS open,
		       count(*) FILTER (WHERE sla_breached) AS breached,
		       count(*) FILTER (WHERE sla_due_at < $2) AS due_today,
		       count(*) FILTER (WHERE sla_due_at < $3) AS due_this_week,
		       count(*) FILTER (WHERE kind || ':' || status = ANY($4)) AS waiting_on_partner
		FROM cases WHERE closed_at IS NULL AND ($1 = '' OR partner_id = $1)
		GROUP BY kind ORDER BY kind`, partnerID, b.EndOfToday, b.EndOfWeek, pq.Array(b.AwaitingPartner))
	return rows, err
}

// StatusCount is how many open cases of a kind are in a status.
type StatusCount struct {
	Kind   string `db:"kind"`
	Status string `db:"status"`
	Count  int    `db:"count"`
}

// OpenByKindAndStatus counts the open cases by kind and status.
func (s *Store) OpenByKindAndStatus(ctx context.Context) ([]StatusCount, error) {
	rows := []StatusCount{}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, status, count(*) AS count FROM cases WHERE closed_at IS NULL
		GROUP BY kind, status ORDER BY kind, status`)
	return rows, err
}

// WeekSLA is one week's cases resolved under an SLA, those resolved within
// it, and the SLA breaches of the week. Week is the Monday it starts on,
// in the business time zone.
type WeekSLA struct {
	Week     time.Time `db:"week"`
	Resolved int       `db:"resolved"`
	Within   int       `db:"within"`
	Breaches int       `db:"breaches"`
}

// WeeklySLA is the weeks from the one holding since to now, oldest first,
// each with its resolved cases (a case is resolved when it closes; within
// its SLA when it was never breached) and its breaches, the weeks starting
// on Monday in the time zone tz.
func (s *Store) WeeklySLA(ctx context.Context, since time.Time, tz string) ([]WeekSLA, error) {
	rows := []WeekSLA{}
	err := s.db.SelectContext(ctx, &rows, `
		WITH weeks AS (
			SELECT generate_series(date_trunc('week', $1::timestamptz AT TIME ZONE $2),
			                       date_trunc('week', now() AT TIME ZONE $2), interval '1 week') AS week
		), resolved AS (
			SELECT date_trunc('week', closed_at AT TIME ZONE $2) AS week, count(*) AS resolved,
			       count(*) FILTER (WHERE NOT sla_breached) AS within
			FROM cases WHERE closed_at IS NOT NULL AND sla_due_at IS NOT NULL AND closed_at >= $1 GROUP BY 1
		), breaches AS (
			SELECT date_trunc('week', at AT TIME ZONE $2) AS week, count(*) AS breaches
			FROM case_events WHERE type = 'sla_breached' AND at >= $1 GROUP BY 1
		)
		SELECT w.week, COALESCE(r.resolved, 0) AS resolved, COALESCE(r.within, 0) AS within,
		       COALESCE(b.breaches, 0) AS breaches
		FROM weeks w LEFT JOIN resolved r USING (week) LEFT JOIN breaches b USING (week)
		ORDER BY w.week`, since.UTC(), tz)
	return rows, err
}

// CaseNames are the names of the partners and customers of a list of
// cases, by ID.
func (s *Store) CaseNames(ctx context.Context, list []cases.Case) (partners, customers map[string]string, err error) {
	var partnerIDs, customerIDs []string
	for _, c := range list {
		partnerIDs = append(partnerIDs, c.PartnerID)
		if c.CustomerID != "" {
			customerIDs = append(customerIDs, c.CustomerID)
		}
	}
	if partners, err = s.namesOf(ctx, "partners", partnerIDs); err != nil {
		return nil, nil, err
	}
	customers, err = s.namesOf(ctx, "customers", customerIDs)
	return partners, customers, err
}

// namesOf reads the names of the rows of table (partners or customers) by ID.
func (s *Store) namesOf(ctx context.Context, table string, ids []string) (map[string]string, error) {
	var rows []NamedID
	names := map[string]string{}
	if len(ids) == 0 {
		return names, nil
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, name FROM `+table+` WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, err
	}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return names, nil
}

// NamedID is an ID and its name.
type NamedID struct {
	ID   string `db:"id"`
	Name string `db:"name"`
}

// PartnerNames lists every partner by name, for the console's partner filter.
func (s *Store) PartnerNames(ctx context.Context) ([]NamedID, error) {
	rows := []NamedID{}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, name FROM partners ORDER BY name, id`)
	return rows, err
}
