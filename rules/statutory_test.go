package rules

import (
	"strings"
	"testing"
	"time"
)

func TestBusinessDaysStatutoryBaseAndOpsOverride(t *testing.T) {
	ops := []CalendarDay{
		{"2026-10-08", Holiday, "company day"},     // an ordinary day ops take off
		{"2026-10-10", Holiday, "no make-up here"}, // ops override the statutory make-up Saturday
	}
	byDate := map[string]SourcedDay{}
	days := BusinessDays(ops)
	for i, d := range days {
		if i > 0 && days[i-1].Date >= d.Date {
			t.Fatalf("not sorted or duplicated at %s", d.Date)
		}
		byDate[d.Date] = d
	}
	for date, want := range map[string]SourcedDay{
		"2026-10-01": {CalendarDay{"2026-10-01", Holiday, "国庆节"}, Statutory},
		"2026-02-14": {CalendarDay{"2026-02-14", MakeUpWorkday, "春节调休"}, Statutory},
		"2026-10-08": {ops[0], Ops},
		"2026-10-10": {ops[1], Ops},
		"2002-10-01": {CalendarDay{"2002-10-01", Holiday, "国庆节"}, Statutory},
	} {
		if got := byDate[date]; got != want {
			t.Errorf("%s: %+v, want %+v", date, got, want)
		}
	}
	for _, year := range []int{2002, 2025, 2026, 2027} {
		if !StatutoryYearCovered(year) {
			t.Errorf("the library carries no schedule of %d", year)
		}
	}
	if StatutoryYearCovered(2100) {
		t.Error("2100 is covered")
	}
}

func TestStatutoryDeadlines(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	cal, err := NewBusinessCalendar(sh, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		from, due time.Time
	}{
		{"before Spring Festival: the make-up Saturday counts", time.Date(2026, 2, 12, 15, 0, 0, 0, sh), time.Date(2026, 2, 24, 23, 59, 59, 0, sh)},
		{"before National Day", time.Date(2026, 9, 29, 15, 0, 0, 0, sh), time.Date(2026, 10, 9, 23, 59, 59, 0, sh)},
		{"due on National Day's make-up Saturday", time.Date(2026, 9, 30, 9, 0, 0, 0, sh), time.Date(2026, 10, 10, 23, 59, 59, 0, sh)},
		{"over New Year 2027", time.Date(2026, 12, 30, 9, 0, 0, 0, sh), time.Date(2027, 1, 5, 23, 59, 59, 0, sh)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.EndOfWorkingDays(tt.from, 3); !got.Equal(tt.due) {
				t.Errorf("due %v, want %v", got.In(sh), tt.due)
			}
		})
	}
	// Ops' own day wins: with the make-up Saturday declared off, the ticket
	// filed on the eve of National Day is due on Monday the 12th.
	overridden, err := NewBusinessCalendar(sh, []CalendarDay{{"2026-10-10", Holiday, ""}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := overridden.EndOfWorkingDays(time.Date(2026, 9, 30, 9, 0, 0, 0, sh), 3), time.Date(2026, 10, 12, 23, 59, 59, 0, sh); !got.Equal(want) {
		t.Errorf("with ops' override: due %v, want %v", got.In(sh), want)
	}
}

func TestNextYearWarning(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	if w := NextYearWarning(time.Date(2099, 11, 30, 23, 0, 0, 0, sh), sh, nil); w != "" {
		t.Errorf("in November: %q", w)
	}
	// 1 December in Shanghai is still 30 November in UTC.
	w := NextYearWarning(time.Date(2099, 11, 30, 17, 0, 0, 0, time.UTC), sh, nil)
	if !strings.Contains(w, "no schedule of 2100") {
		t.Errorf("from 1 December without next year's schedule: %q", w)
	}
	if w := NextYearWarning(time.Date(2099, 12, 5, 0, 0, 0, 0, sh), sh, []CalendarDay{{"2100-01-01", Holiday, "元旦"}}); w != "" {
		t.Errorf("with next year's days declared by ops: %q", w)
	}
	if w := NextYearWarning(time.Date(2026, 12, 5, 0, 0, 0, 0, sh), sh, nil); w != "" {
		t.Errorf("2027 is carried by the library: %q", w)
	}
}

func TestSLAPolicyExtended(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	cal := mustCalendar(t, sh)
	due := time.Date(2026, 12, 2, 23, 59, 59, 0, sh) // Wednesday
	wd := SLAPolicy{WorkingDays: 3}
	tests := []struct {
		name             string
		pausedAt, resume time.Time
		want             time.Time
	}{
		{"within a day: no move", time.Date(2026, 11, 30, 10, 0, 0, 0, sh), time.Date(2026, 11, 30, 18, 0, 0, 0, sh), due},
		{"Monday to Friday: four working days", time.Date(2026, 11, 30, 10, 0, 0, 0, sh), time.Date(2026, 12, 4, 11, 0, 0, 0, sh), time.Date(2026, 12, 8, 23, 59, 59, 0, sh)},
		{"over a weekend: Monday only", time.Date(2026, 11, 27, 16, 0, 0, 0, sh), time.Date(2026, 11, 30, 9, 0, 0, 0, sh), time.Date(2026, 12, 3, 23, 59, 59, 0, sh)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wd.Extended(cal, due, tt.pausedAt, tt.resume); !got.Equal(tt.want) {
				t.Errorf("extended to %v, want %v", got.In(sh), tt.want)
			}
		})
	}
	wall := SLAPolicy{Duration: time.Minute}
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, sh)
	if got := wall.Extended(nil, due, start, start.Add(90*time.Second)); !got.Equal(due.Add(90 * time.Second)) {
		t.Errorf("wall-clock: %v", got)
	}
}
