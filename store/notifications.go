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

// Notifications returns the newest notifications for an audience; for the
// partner audience, only those of partnerID.
func (s *Store) Notifications(ctx context.Context, audience, partnerID string, limit int) ([]Notification, error) {
	list := []Notification{}
	err := s.db.SelectContext(ctx, &list, `
		SELECT id, case_id, audience, kind, message, created_at FROM notifications
		WHERE audience = $1 AND ($2 = '' OR partner_id = $2)
		ORDER BY id DESC LIMIT $3`, audience, partnerID, limit)
	return list, err
}
