package store

import (
	"context"

	"partnerops/rules"
)

// CalendarDays returns every holiday and make-up working day.
func (s *Store) CalendarDays(ctx context.Context) ([]rules.CalendarDay, error) {
	days := []rules.CalendarDay{}
	err := s.db.SelectContext(ctx, &days, `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM calendar_days ORDER BY day`)
	return days, err
}

// PutCalendarDay adds a day to the calendar or changes it.
func (s *Store) PutCalendarDay(ctx context.Context, d rules.CalendarDay) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
		ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name`, d.Date, d.Kind, d.Name)
	return err
}

// DeleteCalendarDay makes a day ordinary again; ErrNotFound if it was.
func (s *Store) DeleteCalendarDay(ctx context.Context, date string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM calendar_days WHERE day = $1`, date)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
