package store

import (
	"context"
	"time"
)

// Notification is a message in the outbox.
type Notification struct {
	ID        int64     `db:"id" json:"id"`
	CaseID    string    `db:"case_id" json:"case_id"`
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

// Notifications returns a recipient's newest notifications.
func (s *Store) Notifications(ctx context.Context, r Recipient, limit int) ([]Notification, error) {
	list := []Notification{}
	err := s.db.SelectContext(ctx, &list, `
		SELECT id, case_id, audience, kind, message, created_at FROM notifications
		WHERE audience = $1 AND ($2 = '' OR partner_id = $2) AND ($3 = '' OR customer_id = $3)
		ORDER BY id DESC LIMIT $4`, r.Audience, r.PartnerID, r.CustomerID, limit)
	return list, err
}
