package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"partnerops/rules"
	"partnerops/store"
)

// Calendar answers deadline questions from the business calendar, which
// operators keep in the database.
type Calendar struct {
	Store    *store.Store
	Location *time.Location
}

// DueAtRequest asks when something opened at From is due under Policy.
type DueAtRequest struct {
	From   time.Time `json:"from"`
	Policy string    `json:"policy"`
}

// DueAt computes a deadline on the calendar as it stands now; the workflow
// records the answer, so a later calendar change does not move a running
// deadline.
func (a *Calendar) DueAt(ctx context.Context, req DueAtRequest) (time.Time, error) {
	policy, err := rules.ParseSLAPolicy(req.Policy)
	if err != nil {
		return time.Time{}, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidPolicy", err)
	}
	days, err := a.Store.CalendarDays(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read business calendar: %w", err)
	}
	cal, err := rules.NewCalendar(a.Location, days)
	if err != nil {
		return time.Time{}, err
	}
	return policy.DueAt(cal, req.From), nil
}
