package rules

import (
	"strings"
	"testing"
	"time"
)

func TestParseSLAPolicy(t *testing.T) {
	tests := []struct {
		in   string
		want SLAPolicy
		str  string
	}{
		{"3wd", SLAPolicy{WorkingDays: 3}, "3wd"},
		{"1wd", SLAPolicy{WorkingDays: 1}, "1wd"},
		{"60wd", SLAPolicy{WorkingDays: 60}, "60wd"},
		{"03wd", SLAPolicy{WorkingDays: 3}, "3wd"},
		{" 3wd ", SLAPolicy{WorkingDays: 3}, "3wd"},
		{"90s", SLAPolicy{Duration: 90 * time.Second}, "1m30s"},
		{"1m30s", SLAPolicy{Duration: 90 * time.Second}, "1m30s"},
		{"2h", SLAPolicy{Duration: 2 * time.Hour}, "2h0m0s"},
		{"500ms", SLAPolicy{Duration: 500 * time.Millisecond}, "500ms"},
		{DefaultTicketSLA, SLAPolicy{WorkingDays: 3}, "3wd"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSLAPolicy(tt.in)
			if err != nil {
				t.Fatalf("ParseSLAPolicy(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseSLAPolicy(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("String() = %q, want %q", s, tt.str)
			}
			back, err := ParseSLAPolicy(got.String())
			if err != nil || back != got {
				t.Errorf("round trip of %q gave %+v, %v", got.String(), back, err)
			}
		})
	}
}

func TestParseSLAPolicyErrors(t *testing.T) {
	tests := []struct {
		in       string
		contains string
	}{
		{"0wd", "between 1 and 60"},
		{"61wd", "between 1 and 60"},
		{"99999999999999999999wd", "between 1 and 60"},
		{"-5s", "positive"},
		{"0s", "positive"},
		{"0", "positive"}, // time.ParseDuration accepts a bare "0"
		{"abc", `"3wd"`},
		{"3", `"3wd"`},
		{"", `"3wd"`},
		{"wd", `"3wd"`},
		{"-3wd", `"3wd"`},
		{"+3wd", `"3wd"`},
		{"3 wd", `"3wd"`},
		{"3WD", `"3wd"`},
		{"1.5wd", `"3wd"`},
		{"3d", `"3wd"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParseSLAPolicy(tt.in)
			if err == nil {
				t.Fatalf("ParseSLAPolicy(%q) = %+v, want error", tt.in, p)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if p != (SLAPolicy{}) {
				t.Errorf("on error got %+v, want zero policy", p)
			}
		})
	}
}

func TestSLAPolicyStringZero(t *testing.T) {
	if s := (SLAPolicy{}).String(); s != "" {
		t.Errorf("zero policy String() = %q, want empty", s)
	}
}

func TestSLAPolicyDueAt(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	cal := mustCalendar(t, sh, CalendarDay{"2026-11-30", Holiday, ""})
	plain := mustCalendar(t, sh)
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, sh)

	tests := []struct {
		name   string
		policy string
		cal    *Calendar
		from   time.Time
		want   string // RFC 3339 in UTC
	}{
		{"3wd from Friday afternoon", "3wd", plain, friday, "2026-12-02T15:59:59Z"},
		{"3wd with a holiday Monday", "3wd", cal, friday, "2026-12-03T15:59:59Z"},
		{"1wd from a UTC instant", "1wd", plain, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC), "2026-11-30T15:59:59Z"},
		{"90s ignores the calendar", "90s", plain, friday, "2026-11-27T07:01:30Z"},
		{"2h over the weekend is wall clock", "2h", cal, time.Date(2026, 11, 28, 23, 30, 0, 0, sh), "2026-11-28T17:30:00Z"},
		{"duration with nil calendar", "90s", nil, friday, "2026-11-27T07:01:30Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseSLAPolicy(tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			got := p.DueAt(tt.cal, tt.from)
			if got.Location() != time.UTC {
				t.Errorf("location = %v, want UTC", got.Location())
			}
			if s := got.Format(time.RFC3339Nano); s != tt.want {
				t.Errorf("DueAt = %s, want %s", s, tt.want)
			}
		})
	}
}
