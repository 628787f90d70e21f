package rules

import (
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func mustCalendar(t *testing.T, loc *time.Location, days ...CalendarDay) *Calendar {
	t.Helper()
	c, err := NewCalendar(loc, days)
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	return c
}

func TestCalendarDayValidate(t *testing.T) {
	tests := []struct {
		name   string
		day    CalendarDay
		fields []string
	}{
		{"holiday", CalendarDay{"2026-10-01", Holiday, "国庆节"}, nil},
		{"make-up workday without name", CalendarDay{"2026-09-27", MakeUpWorkday, ""}, nil},
		{"name of 100 Chinese runes", CalendarDay{"2026-10-01", Holiday, strings.Repeat("节", 100)}, nil},
		{"name of 101 runes", CalendarDay{"2026-10-01", Holiday, strings.Repeat("节", 101)}, []string{"name"}},
		{"missing date", CalendarDay{"", Holiday, ""}, []string{"date"}},
		{"single-digit month", CalendarDay{"2026-1-01", Holiday, ""}, []string{"date"}},
		{"no such day", CalendarDay{"2026-02-30", Holiday, ""}, []string{"date"}},
		{"slashes", CalendarDay{"2026/10/01", Holiday, ""}, []string{"date"}},
		{"with time", CalendarDay{"2026-10-01T00:00:00Z", Holiday, ""}, []string{"date"}},
		{"missing kind", CalendarDay{"2026-10-01", "", ""}, []string{"kind"}},
		{"unknown kind", CalendarDay{"2026-10-01", "weekend", ""}, []string{"kind"}},
		{"everything wrong", CalendarDay{"tomorrow", "x", strings.Repeat("a", 101)}, []string{"date", "kind", "name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFields(t, tt.day.Validate(), tt.fields)
		})
	}
}

func TestNewCalendarErrors(t *testing.T) {
	if _, err := NewCalendar(nil, nil); err == nil {
		t.Error("nil location: want error")
	}
	if _, err := NewCalendar(time.UTC, []CalendarDay{{"2026-13-01", Holiday, ""}}); err == nil {
		t.Error("invalid day: want error")
	}
	dup := []CalendarDay{{"2026-10-01", Holiday, ""}, {"2026-10-01", MakeUpWorkday, ""}}
	if _, err := NewCalendar(time.UTC, dup); err == nil {
		t.Error("duplicate date: want error")
	}
	c, err := NewCalendar(time.UTC, nil)
	if err != nil || c.Location() != time.UTC {
		t.Errorf("empty table: got %v, %v", c, err)
	}
}

func TestIsWorkingDay(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	cal := mustCalendar(t, sh,
		CalendarDay{"2026-10-01", Holiday, "国庆节"},        // Thursday
		CalendarDay{"2026-10-10", MakeUpWorkday, "国庆调休"}, // Saturday
		CalendarDay{"2026-10-04", Holiday, "国庆节"},        // Sunday: already off
	)
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"ordinary Monday", time.Date(2026, 10, 12, 9, 0, 0, 0, sh), true},
		{"ordinary Friday", time.Date(2026, 10, 9, 9, 0, 0, 0, sh), true},
		{"ordinary Saturday", time.Date(2026, 10, 17, 9, 0, 0, 0, sh), false},
		{"ordinary Sunday", time.Date(2026, 10, 18, 9, 0, 0, 0, sh), false},
		{"weekday holiday", time.Date(2026, 10, 1, 9, 0, 0, 0, sh), false},
		{"weekend holiday", time.Date(2026, 10, 4, 9, 0, 0, 0, sh), false},
		{"make-up Saturday", time.Date(2026, 10, 10, 9, 0, 0, 0, sh), true},
		{"holiday starts at local midnight", time.Date(2026, 10, 1, 0, 0, 0, 0, sh), false},
		{"day before holiday ends at 23:59:59.999", time.Date(2026, 9, 30, 23, 59, 59, 999999999, sh), true},
		// 2026-11-27 is a Friday; 20:00Z is 04:00 Saturday in Shanghai.
		{"UTC Friday evening is Shanghai Saturday", time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC), false},
		// 2026-11-29 is a Sunday; 16:00Z is 00:00 Monday in Shanghai.
		{"UTC Sunday 16:00 is Shanghai Monday", time.Date(2026, 11, 29, 16, 0, 0, 0, time.UTC), true},
		{"UTC Sunday 15:59:59 is still Shanghai Sunday", time.Date(2026, 11, 29, 15, 59, 59, 0, time.UTC), false},
		// 2026-10-01 00:30 Shanghai is 2026-09-30 16:30Z: the holiday, whatever UTC says.
		{"holiday seen from UTC", time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.IsWorkingDay(tt.t); got != tt.want {
				t.Errorf("IsWorkingDay(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

func TestEndOfWorkingDays(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	at := func(y int, m time.Month, d, h, min, s int) time.Time { return time.Date(y, m, d, h, min, s, 0, sh) }
	endOf := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, sh).UTC() }
	friday := at(2026, 11, 27, 15, 0, 0) // Friday afternoon

	tests := []struct {
		name string
		days []CalendarDay
		from time.Time
		n    int
		want time.Time
	}{
		{"Friday afternoon, 3 days -> Wednesday", nil, friday, 3, endOf(2026, 12, 2)},
		{"Friday afternoon, 1 day -> Monday", nil, friday, 1, endOf(2026, 11, 30)},
		{"Friday at 00:00 same as afternoon", nil, at(2026, 11, 27, 0, 0, 0), 3, endOf(2026, 12, 2)},
		{"Friday at 23:59:59 same as afternoon", nil, at(2026, 11, 27, 23, 59, 59), 3, endOf(2026, 12, 2)},
		{"Monday morning, 3 days -> Thursday", nil, at(2026, 11, 30, 8, 0, 0), 3, endOf(2026, 12, 3)},
		{"Monday, 5 days crosses the weekend", nil, at(2026, 11, 30, 8, 0, 0), 5, endOf(2026, 12, 7)},
		{"from Saturday, 1 day -> Monday", nil, at(2026, 11, 28, 10, 0, 0), 1, endOf(2026, 11, 30)},
		{"from Saturday, 3 days -> Wednesday", nil, at(2026, 11, 28, 10, 0, 0), 3, endOf(2026, 12, 2)},
		{"from Sunday, 5 days -> Friday", nil, at(2026, 11, 29, 10, 0, 0), 5, endOf(2026, 12, 4)},
		{"month and year end", nil, at(2026, 12, 30, 10, 0, 0), 3, endOf(2027, 1, 4)},
		{"holiday Monday pushes to Thursday",
			[]CalendarDay{{"2026-11-30", Holiday, "test"}}, friday, 3, endOf(2026, 12, 3)},
		{"two holidays in the window",
			[]CalendarDay{{"2026-11-30", Holiday, ""}, {"2026-12-02", Holiday, ""}}, friday, 3, endOf(2026, 12, 4)},
		{"holiday on the would-be due date",
			[]CalendarDay{{"2026-12-02", Holiday, ""}}, friday, 3, endOf(2026, 12, 3)},
		{"holiday on the start day changes nothing",
			[]CalendarDay{{"2026-11-27", Holiday, ""}}, friday, 3, endOf(2026, 12, 2)},
		{"make-up Saturday counts",
			[]CalendarDay{{"2026-11-28", MakeUpWorkday, "调休"}}, friday, 3, endOf(2026, 12, 1)},
		{"make-up Saturday is the first day",
			[]CalendarDay{{"2026-11-28", MakeUpWorkday, "调休"}}, friday, 1, endOf(2026, 11, 28)},
		{"weekend holiday changes nothing",
			[]CalendarDay{{"2026-11-28", Holiday, ""}, {"2026-11-29", Holiday, ""}}, friday, 3, endOf(2026, 12, 2)},
		{"holiday after the window changes nothing",
			[]CalendarDay{{"2026-12-03", Holiday, ""}}, friday, 3, endOf(2026, 12, 2)},
		{"Golden Week style: 7 days off, make-up weekends",
			[]CalendarDay{
				{"2026-09-27", MakeUpWorkday, ""}, // Sunday
				{"2026-10-01", Holiday, ""}, {"2026-10-02", Holiday, ""}, {"2026-10-05", Holiday, ""},
				{"2026-10-06", Holiday, ""}, {"2026-10-07", Holiday, ""},
				{"2026-10-10", MakeUpWorkday, ""}, // Saturday
			},
			at(2026, 9, 29, 12, 0, 0), 3, endOf(2026, 10, 9)}, // Wed 30, Thu 8, Fri 9
		// Thursday 2026-11-26 20:00Z is Friday 04:00 in Shanghai: the start day is Friday,
		// so one working day is Monday (read in UTC it would have been Friday).
		{"UTC instant already next day in Shanghai",
			nil, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC), 1, endOf(2026, 11, 30)},
		// Friday 2026-11-27 20:00Z is Saturday 04:00 in Shanghai.
		{"UTC Friday evening is Shanghai Saturday",
			nil, time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC), 3, endOf(2026, 12, 2)},
		{"UTC instant still same day in Shanghai",
			nil, time.Date(2026, 11, 26, 15, 59, 59, 0, time.UTC), 1, endOf(2026, 11, 27)},
		{"n=0 treated as 1", nil, friday, 0, endOf(2026, 11, 30)},
		{"negative n treated as 1", nil, friday, -4, endOf(2026, 11, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := mustCalendar(t, sh, tt.days...)
			got := cal.EndOfWorkingDays(tt.from, tt.n)
			if !got.Equal(tt.want) {
				t.Errorf("EndOfWorkingDays(%v, %d) = %v, want %v", tt.from, tt.n, got.In(sh), tt.want.In(sh))
			}
			if got.Location() != time.UTC {
				t.Errorf("result location = %v, want UTC", got.Location())
			}
			if got.Nanosecond() != 0 {
				t.Errorf("result has %d ns, want 0", got.Nanosecond())
			}
		})
	}
}

func TestEndOfWorkingDaysBriefExample(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	cal := mustCalendar(t, sh)
	from := time.Date(2026, 11, 27, 15, 0, 0, 0, sh)
	if from.Weekday() != time.Friday {
		t.Fatalf("2026-11-27 is %v, not Friday", from.Weekday())
	}
	got := cal.EndOfWorkingDays(from, 3)
	if want := "2026-12-02T15:59:59Z"; got.Format(time.RFC3339Nano) != want {
		t.Errorf("got %s, want %s", got.Format(time.RFC3339Nano), want)
	}
	if got.In(sh).Weekday() != time.Wednesday {
		t.Errorf("due on %v, want Wednesday", got.In(sh).Weekday())
	}
}

// The end of day must be computed on the local calendar, not by adding 24h,
// or it drifts by an hour across a DST change.
func TestEndOfWorkingDaysAcrossDST(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	cal := mustCalendar(t, ny)
	from := time.Date(2026, 10, 30, 12, 0, 0, 0, ny) // Friday; DST ends Sunday 2026-11-01
	got := cal.EndOfWorkingDays(from, 1).In(ny)
	if want := time.Date(2026, 11, 2, 23, 59, 59, 0, ny); !got.Equal(want) || got.Hour() != 23 {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The same instant gives different deadlines on calendars in different zones.
func TestEndOfWorkingDaysZoneOfCalendar(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	from := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC) // Thu in UTC, Fri in Shanghai
	gotUTC := mustCalendar(t, time.UTC).EndOfWorkingDays(from, 1)
	if want := time.Date(2026, 11, 27, 23, 59, 59, 0, time.UTC); !gotUTC.Equal(want) {
		t.Errorf("UTC calendar: got %v, want %v", gotUTC, want)
	}
	gotSH := mustCalendar(t, sh).EndOfWorkingDays(from, 1)
	if want := time.Date(2026, 11, 30, 23, 59, 59, 0, sh); !gotSH.Equal(want) {
		t.Errorf("Shanghai calendar: got %v, want %v", gotSH, want)
	}
}

// assertFields checks that errs names exactly the given fields, in order.
func assertFields(t *testing.T, errs FieldErrors, want []string) {
	t.Helper()
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
		if e.Message == "" {
			t.Errorf("field %s has an empty message", e.Field)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fields = %v, want %v (errors: %v)", got, want, errs)
	}
}

func TestWorkingDaysUntil(t *testing.T) {
	sh := mustLoad(t, DefaultTimeZone)
	cal := mustCalendar(t, sh,
		CalendarDay{Date: "2026-12-01", Kind: Holiday},       // Tuesday
		CalendarDay{Date: "2026-11-29", Kind: MakeUpWorkday}, // Sunday
	)
	fri := time.Date(2026, 11, 27, 10, 0, 0, 0, sh)
	for _, tc := range []struct {
		name     string
		now, due time.Time
		want     int
	}{
		{"due later today", fri, time.Date(2026, 11, 27, 23, 0, 0, 0, sh), 0},
		{"weekend skipped, make-up Sunday counted, holiday skipped", fri, time.Date(2026, 12, 2, 23, 59, 59, 0, sh), 3},
		{"due Monday", fri, time.Date(2026, 11, 30, 12, 0, 0, 0, sh), 2},
		{"passed earlier today", fri, time.Date(2026, 11, 27, 9, 0, 0, 0, sh), 0},
		{"passed two working days ago", fri, time.Date(2026, 11, 25, 18, 0, 0, 0, sh), -2},
		{"zone of the calendar, not of the times", fri.UTC(), time.Date(2026, 11, 30, 1, 0, 0, 0, sh).UTC(), 2},
	} {
		if got := cal.WorkingDaysUntil(tc.now, tc.due); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}

// A new entry changes the week: a make-up working day only on a weekend, a
// holiday only Monday to Friday; the other problems as Validate names them.
func TestCalendarDayValidateEntry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		day    CalendarDay
		fields []string
	}{
		{"holiday on a Thursday", CalendarDay{"2026-10-01", Holiday, "国庆节"}, nil},
		{"make-up day on a Sunday", CalendarDay{"2026-09-27", MakeUpWorkday, ""}, nil},
		{"make-up day on a Wednesday", CalendarDay{"2026-09-30", MakeUpWorkday, ""}, []string{"kind"}},
		{"holiday on a Saturday", CalendarDay{"2026-10-03", Holiday, ""}, []string{"kind"}},
		{"bad date, no weekday check", CalendarDay{"2026-02-30", MakeUpWorkday, ""}, []string{"date"}},
	} {
		t.Run(tc.name, func(t *testing.T) { assertFields(t, tc.day.ValidateEntry(), tc.fields) })
	}
}
