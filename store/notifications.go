package store

import (
	"context"
	"time"
)

// Notification is a message in the outbox.
type Notification struct {
	ID        int64     `db:"id" json:"id"`
	CaseID    string    `db:"case_id" json:"case_id,omitempty" doc:"The case whose step sent it; absent for a renewal's"`
	RenewalID string    `db:"renewal_id" json:"renewal_id,omitempty" doc:"The resource renewal that sent it, if a renewal did"`
	Audience  string    `db:"audience" json:"audience"`
	Kind      string    `db:"kind" json:"kind"`
	Message   string    `db:"message" json:"message"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Recipient is whom notifications are read for: an audience, narrowed to
// one partner or one customer for those audiences.
type Recipient struct {
	Audience   string
	PartnerID  string
	CustomerID string
}

// Notifications returns page p of a recipient's notifications, newest
// first, and the cursor of the next page ("" on the last).
func (s *Store) Notifications(ctx context.Context, r Recipient, p Page) ([]Notification, string, error) {
	q := listQuery{
		from:  `SELECT id, COALESCE(case_id, '') AS case_id, COALESCE(renewal_id, '') AS renewal_id, audience, kind, message, created_at FROM notifications`,
		order: keyset{columns: []keyColumn{{"id", keyInt}}, desc: true},
	}
	q.and("audience = %s", r.Audience)
	if r.PartnerID != "" {
		q.and("partner_id = %s", r.PartnerID)
	}
	if r.CustomerID != "" {
		q.and("customer_id = %s", r.CustomerID)
	}
	return selectPage(ctx, s, q, p, func(n Notification) []any { return []any{n.ID} })
}
