package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTicketSLA is the ticket SLA when none is configured: three working days.
const DefaultTicketSLA = "3wd"

// DefaultOpportunityReviewSLA is the review SLA of an opportunity when
// none is configured: two working days.
const DefaultOpportunityReviewSLA = "2wd"

// DefaultOpportunityFixWindow is how long a partner has to fix an
// action_required opportunity when none is configured: ten working days.
const DefaultOpportunityFixWindow = "10wd"

// DefaultInvitationExpiry is how long a partner invited to a vendor
// opportunity has to answer when none is configured: the vendor's three
// working days.
const DefaultInvitationExpiry = "3wd"

// Bounds of the working-days form of an SLA policy.
const (
	MinSLAWorkingDays = 1
	MaxSLAWorkingDays = 60
)

// SLAPolicy is how long a ticket may stay open. Exactly one field is set:
// WorkingDays counts whole working days on the business calendar; Duration is
// wall-clock time, meant for demos and tests where days are too long to wait.
type SLAPolicy struct {
	WorkingDays int
	Duration    time.Duration
}

// ParseSLAPolicy accepts "3wd" (working days on the business calendar, 1..60)
// or a positive Go duration such as "90s" or "2h" (wall-clock, meant for demos
// and tests). Surrounding spaces are ignored. Anything else is an error that
// says which forms are accepted.
func ParseSLAPolicy(s string) (SLAPolicy, error) {
	s = strings.TrimSpace(s)
	if num, ok := strings.CutSuffix(s, "wd"); ok {
		if num == "" || !allDigits(num) {
			return SLAPolicy{}, slaSyntaxError(s)
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < MinSLAWorkingDays || n > MaxSLAWorkingDays {
			return SLAPolicy{}, fmt.Errorf("invalid SLA policy %q: working days must be between %d and %d",
				s, MinSLAWorkingDays, MaxSLAWorkingDays)
		}
		return SLAPolicy{WorkingDays: n}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return SLAPolicy{}, slaSyntaxError(s)
	}
	if d <= 0 {
		return SLAPolicy{}, fmt.Errorf("invalid SLA policy %q: a duration must be positive, such as \"90s\" or \"2h\"", s)
	}
	return SLAPolicy{Duration: d}, nil
}

func slaSyntaxError(s string) error {
	return fmt.Errorf("invalid SLA policy %q: want working days such as %q (%d..%d) or a positive Go duration such as \"90s\" or \"2h\"",
		s, DefaultTicketSLA, MinSLAWorkingDays, MaxSLAWorkingDays)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String gives the form ParseSLAPolicy reads back: "3wd" or "1m30s".
// The zero policy gives "".
func (p SLAPolicy) String() string {
	switch {
	case p.WorkingDays > 0:
		return strconv.Itoa(p.WorkingDays) + "wd"
	case p.Duration > 0:
		return p.Duration.String()
	}
	return ""
}

// DueAt is when a ticket opened at from is due, in UTC:
// cal.EndOfWorkingDays(from, WorkingDays) for the working-days form, or
// from.Add(Duration) for the wall-clock form (cal is then unused and may be nil).
// The zero policy is due at from.
func (p SLAPolicy) DueAt(cal *Calendar, from time.Time) time.Time {
	if p.WorkingDays > 0 {
		return cal.EndOfWorkingDays(from, p.WorkingDays)
	}
	return from.Add(p.Duration).UTC()
}

// Extended is the deadline due moved for a pause of its clock from pausedAt
// to resumedAt. In the working-days form it moves by the working days the
// pause reached into (those after the day it began, up to and including the
// day it ended, as WorkingDaysUntil counts them), so it stays at the end of a
// working day and a pause within one day moves nothing; in the wall-clock
// form it moves by the time paused (cal is then unused and may be nil).
func (p SLAPolicy) Extended(cal *Calendar, due, pausedAt, resumedAt time.Time) time.Time {
	if p.WorkingDays > 0 {
		if n := cal.WorkingDaysUntil(pausedAt, resumedAt); n > 0 {
			return cal.EndOfWorkingDays(due, n)
		}
		return due
	}
	return due.Add(resumedAt.Sub(pausedAt)).UTC()
}

// RemindAt is when to remind someone of a deadline opened at from, in UTC:
// one working day before it (the end of the working day before the last)
// in the working-days form from two days on, else halfway to it.
func (p SLAPolicy) RemindAt(cal *Calendar, from time.Time) time.Time {
	if p.WorkingDays > 1 {
		return cal.EndOfWorkingDays(from, p.WorkingDays-1)
	}
	due := p.DueAt(cal, from)
	return from.Add(due.Sub(from) / 2).UTC()
}
