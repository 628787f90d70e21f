package rules

import (
	"testing"
	"time"
)

func TestInvitationReminderAt(t *testing.T) {
	shared := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		expires time.Time
		want    time.Time
	}{
		{"three working days over a weekend: a day before", shared.Add(5 * 24 * time.Hour), shared.Add(4 * 24 * time.Hour)},
		{"just over two days: a day before", shared.Add(49 * time.Hour), shared.Add(25 * time.Hour)},
		{"two days: halfway", shared.Add(48 * time.Hour), shared.Add(24 * time.Hour)},
		{"one minute: halfway", shared.Add(time.Minute), shared.Add(30 * time.Second)},
	} {
		if got := InvitationReminderAt(shared, tc.expires); !got.Equal(tc.want) {
			t.Errorf("%s: reminded at %s, want %s", tc.name, got, tc.want)
		}
	}
}
