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
