package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Notification is a message in the outbox.
type Notification struct {
	ID        int64  `db:"id" json:"id"`
	CaseID    string `db:"case_id" json:"case_id,omitempty" doc:"The case whose step sent it; absent for a renewal's"`
	RenewalID string `db:"renewal_id" json:"renewal_id,omitempty" doc:"The resource renewal that sent it, if a renewal did"`
	// ResourceID is the group's primary a failed auto-renewal attempt is about.
	ResourceID string    `db:"resource_id" json:"resource_id,omitempty" doc:"The group (its primary resource) a failed auto-renewal attempt is about"`
	Audience   string    `db:"audience" json:"audience"`
	Kind       string    `db:"kind" json:"kind"`
	Message    string    `db:"message" json:"message"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
	// ReadAt is when someone of its audience marked it read.
	ReadAt *time.Time `db:"read_at" json:"read_at,omitempty"`
}

// Recipient is whom notifications are read for: an audience, narrowed to
// one partner or one customer for those audiences; Kind narrows them to
// one kind when set.
type Recipient struct {
	Audience   string
	PartnerID  string
	CustomerID string
	Kind       string
}

// EscalationKind is the kind of the notifications that escalate a missed
// deadline to supervisors.
const EscalationKind = "sla_breached"

// Notifications returns page p of a recipient's notifications, newest
// first, and the cursor of the next page ("" on the last).
func (s *Store) Notifications(ctx context.Context, r Recipient, p Page) ([]Notification, string, error) {
	q := listQuery{
		from:  `SELECT id, COALESCE(case_id, '') AS case_id, COALESCE(renewal_id, '') AS renewal_id, COALESCE(resource_id, '') AS resource_id, audience, kind, message, created_at, read_at FROM notifications`,
		order: keyset{columns: []keyColumn{{"id", keyInt}}, desc: true},
	}
	r.filter(&q)
	return selectPage(ctx, s, q, p, func(n Notification) []any { return []any{n.ID} })
}

// filter narrows q to the recipient's notifications.
func (r Recipient) filter(q *listQuery) {
	q.and("audience = %s", r.Audience)
	if r.PartnerID != "" {
		q.and("partner_id = %s", r.PartnerID)
	}
	if r.CustomerID != "" {
		q.and("customer_id = %s", r.CustomerID)
	}
	if r.Kind != "" {
		q.and("kind = %s", r.Kind)
	}
}

// NotificationKinds are the kinds of the recipient's notifications (any
// Kind of r aside), in order.
func (s *Store) NotificationKinds(ctx context.Context, r Recipient) ([]string, error) {
	r.Kind = ""
	q := listQuery{}
	r.filter(&q)
	var kinds []string
	err := s.db.SelectContext(ctx, &kinds, `SELECT DISTINCT kind FROM notifications WHERE `+strings.Join(q.where, " AND ")+` ORDER BY kind`, q.args...)
	return kinds, err
}

// MarkAllNotificationsRead marks every unread notification of the
// recipient read (of r.Kind, when set) and says how many it marked.
func (s *Store) MarkAllNotificationsRead(ctx context.Context, r Recipient, now time.Time) (int64, error) {
	q := listQuery{}
	r.filter(&q)
	q.args = append(q.args, now.UTC())
	res, err := s.db.ExecContext(ctx, fmt.Sprintf(`UPDATE notifications SET read_at = $%d WHERE read_at IS NULL AND %s`,
		len(q.args), strings.Join(q.where, " AND ")), q.args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// MarkNotificationRead marks the recipient's notification id read (once:
// marking it again keeps the first time) and returns it; ErrNotFound when
// it is not the recipient's.
func (s *Store) MarkNotificationRead(ctx context.Context, r Recipient, id int64, now time.Time) (Notification, error) {
	q := listQuery{}
	q.and("id = %s", id)
	r.filter(&q)
	q.args = append(q.args, now.UTC())
	var n Notification
	err := s.db.GetContext(ctx, &n, fmt.Sprintf(`UPDATE notifications SET read_at = COALESCE(read_at, $%d) WHERE %s
		RETURNING id, COALESCE(case_id, '') AS case_id, COALESCE(renewal_id, '') AS renewal_id, COALESCE(resource_id, '') AS resource_id, audience, kind, message, created_at, read_at`,
		len(q.args), strings.Join(q.where, " AND ")), q.args...)
	return n, notFoundIfNoRows(err)
}
