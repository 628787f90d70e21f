package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"partnerops/rules"
	"partnerops/store"
)

// Calendar answers deadline questions from the business calendar: the
// statutory days, and ops' own days over them, which ops keep in the database.
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
	policy, cal, err := a.policyAndCalendar(ctx, req.Policy)
	if err != nil {
		return time.Time{}, err
	}
	return policy.DueAt(cal, req.From), nil
}

// Window is a deadline and when to remind of it.
type Window struct {
	RemindAt time.Time `json:"remind_at"`
	DueAt    time.Time `json:"due_at"`
}

// WindowAt is DueAt with its reminder (rules.SLAPolicy.RemindAt).
func (a *Calendar) WindowAt(ctx context.Context, req DueAtRequest) (Window, error) {
	policy, cal, err := a.policyAndCalendar(ctx, req.Policy)
	if err != nil {
		return Window{}, err
	}
	return Window{RemindAt: policy.RemindAt(cal, req.From), DueAt: policy.DueAt(cal, req.From)}, nil
}

// ExtendRequest asks how far a deadline Due under Policy moves for a pause
// of its clock from PausedAt to ResumedAt.
type ExtendRequest struct {
	Due       time.Time `json:"due"`
	PausedAt  time.Time `json:"paused_at"`
	ResumedAt time.Time `json:"resumed_at"`
	Policy    string    `json:"policy"`
}

// ExtendForPause is the deadline moved by the working time a pause lasted
// (rules.SLAPolicy.Extended), on the calendar as it stands now.
func (a *Calendar) ExtendForPause(ctx context.Context, req ExtendRequest) (time.Time, error) {
	policy, cal, err := a.policyAndCalendar(ctx, req.Policy)
	if err != nil {
		return time.Time{}, err
	}
	return policy.Extended(cal, req.Due, req.PausedAt, req.ResumedAt), nil
}

// policyAndCalendar parses an SLA policy (a refused one fails for good) and
// reads the business calendar.
func (a *Calendar) policyAndCalendar(ctx context.Context, raw string) (rules.SLAPolicy, *rules.Calendar, error) {
	policy, err := rules.ParseSLAPolicy(raw)
	if err != nil {
		return policy, nil, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidPolicy", err)
	}
	days, err := a.Store.CalendarDays(ctx)
	if err != nil {
		return policy, nil, fmt.Errorf("read business calendar: %w", err)
	}
	cal, err := rules.NewBusinessCalendar(a.Location, days)
	return policy, cal, err
}
