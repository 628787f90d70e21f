package store

import (
	"context"
	"time"
)

// CancelOverdueOrders cancels up to limit self-paid cloud orders whose
// payment deadline is at or before now, as of their deadline, and says how
// many it cancelled: a sweep calls it until it cancels fewer than limit.
// Orders run by a partner payment case are left to their case, which
// cancels them on its own timer; an order being paid right now is skipped
// (its payment refuses it if it is late).
func (s *Store) CancelOverdueOrders(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := s.db.ExecContext(ctx, `
		UPDATE orders SET status = 'cancelled', cancelled_at = payment_deadline
		WHERE id IN (
			SELECT id FROM orders
			WHERE channel = 'cloud' AND status = 'pending_payment' AND case_id IS NULL AND payment_deadline <= $1
			ORDER BY payment_deadline, id LIMIT $2
			FOR UPDATE SKIP LOCKED)`, now, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
