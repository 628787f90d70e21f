package rules

import (
	"testing"
	"time"
)

// The reminder before a deadline falls when the configured share of its
// window has passed; an unset or impossible share is the default (80%).
func TestIncentiveReminderAt(t *testing.T) {
	start := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	deadline := start.Add(100 * time.Hour)
	for _, tc := range []struct {
		percent int
		want    time.Duration
	}{
		{0, 80 * time.Hour}, {80, 80 * time.Hour}, {50, 50 * time.Hour}, {1, time.Hour}, {99, 99 * time.Hour},
		{100, 80 * time.Hour}, {-5, 80 * time.Hour},
	} {
		if got := IncentiveReminderAt(start, deadline, tc.percent); !got.Equal(start.Add(tc.want)) {
			t.Errorf("%d%%: reminded at %v, want %v", tc.percent, got, start.Add(tc.want))
		}
	}
}
