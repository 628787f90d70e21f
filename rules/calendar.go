package rules

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	// Embed the zone database so DefaultTimeZone loads on hosts (e.g. minimal
	// containers) that have no /usr/share/zoneinfo.
	_ "time/tzdata"
)

// DefaultTimeZone is the time zone of the business calendar: deadlines fall at
// the end of a working day in China.
const DefaultTimeZone = "Asia/Shanghai"

// DayKind says how a calendar entry overrides the ordinary Monday-Friday week.
type DayKind string

const (
	// Holiday makes a date a day off even if it falls Monday-Friday.
	Holiday DayKind = "holiday"
	// MakeUpWorkday makes a Saturday or Sunday a working day (China's 调休,
	// the weekend days worked to make up for a long holiday).
	MakeUpWorkday DayKind = "workday"
)

// dateLayout is the form of CalendarDay.Date.
const dateLayout = "2006-01-02"

// maxCalendarDayNameRunes bounds CalendarDay.Name.
const maxCalendarDayNameRunes = 100

// CalendarDay is one row of the operator-maintained holiday table.
type CalendarDay struct {
	Date string  `json:"date" db:"day"` // YYYY-MM-DD, a civil date in the calendar's time zone
	Kind DayKind `json:"kind" db:"kind"`
	Name string  `json:"name" db:"name"` // e.g. "国庆节"; optional
}

// Validate checks that the date parses as YYYY-MM-DD, the kind is Holiday or
// MakeUpWorkday and the name is at most 100 characters.
func (d CalendarDay) Validate() FieldErrors {
	var errs FieldErrors
	if d.Date == "" {
		errs.add("date", "is required")
	} else if _, err := time.Parse(dateLayout, d.Date); err != nil {
		errs.add("date", "must be a real date in the form YYYY-MM-DD")
	}
	switch d.Kind {
	case Holiday, MakeUpWorkday:
	case "":
		errs.add("kind", fmt.Sprintf("is required (%q or %q)", Holiday, MakeUpWorkday))
	default:
		errs.add("kind", fmt.Sprintf("must be %q or %q", Holiday, MakeUpWorkday))
	}
	if utf8.RuneCountInString(d.Name) > maxCalendarDayNameRunes {
		errs.add("name", fmt.Sprintf("must be at most %d characters", maxCalendarDayNameRunes))
	}
	return errs
}

// ValidateEntry names the problems of d as a new entry of the calendar:
// those of Validate, and an entry that would change nothing: a make-up
// working day is a Saturday or Sunday, a holiday a Monday to Friday.
// (Tables read back keep weekend holidays of long breaks; they are only
// refused as new entries.)
func (d CalendarDay) ValidateEntry() FieldErrors {
	errs := d.Validate()
	day, err := time.Parse(dateLayout, d.Date)
	if len(errs) > 0 || err != nil {
		return errs
	}
	weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
	switch {
	case d.Kind == MakeUpWorkday && !weekend:
		errs.add("kind", fmt.Sprintf("a make-up working day is a Saturday or Sunday; %s is a %s, already a working day", d.Date, day.Weekday()))
	case d.Kind == Holiday && weekend:
		errs.add("kind", fmt.Sprintf("a holiday is a Monday to Friday; %s is a %s, already a day off", d.Date, day.Weekday()))
	}
	return errs
}

// civilDate is a date without time or zone.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

func civilDateOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, m, d}
}

// addDays normalises through time.Date, so month and year ends roll over.
func (d civilDate) addDays(n int) civilDate {
	return civilDateOf(time.Date(d.year, d.month, d.day+n, 12, 0, 0, 0, time.UTC))
}

func (d civilDate) weekday() time.Weekday {
	return time.Date(d.year, d.month, d.day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Calendar is the business calendar: a time zone plus the holiday and make-up
// workday table. It is immutable once built and safe for concurrent use.
type Calendar struct {
	loc  *time.Location
	days map[civilDate]DayKind
}

// NewCalendar builds a calendar for loc from the operator's table. It fails
// on a nil loc, on an invalid day and on a date listed more than once (the
// table would be ambiguous).
func NewCalendar(loc *time.Location, days []CalendarDay) (*Calendar, error) {
	if loc == nil {
		return nil, errors.New("calendar: nil time zone")
	}
	c := &Calendar{loc: loc, days: make(map[civilDate]DayKind, len(days))}
	for i, d := range days {
		if errs := d.Validate(); len(errs) > 0 {
			return nil, fmt.Errorf("calendar day %d (%q): %w", i, d.Date, errs)
		}
		t, _ := time.Parse(dateLayout, d.Date) // validated above
		key := civilDateOf(t)
		if _, dup := c.days[key]; dup {
			return nil, fmt.Errorf("calendar day %d: date %s is listed more than once", i, d.Date)
		}
		c.days[key] = d.Kind
	}
	return c, nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsWorkingDay reports whether the calendar date of t, in the calendar's time zone, is a working day:
// Monday-Friday unless a Holiday, Saturday/Sunday only when a MakeUpWorkday.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	return c.isWorkingDate(civilDateOf(t.In(c.loc)))
}

func (c *Calendar) isWorkingDate(d civilDate) bool {
	switch c.days[d] {
	case Holiday:
		return false
	case MakeUpWorkday:
		return true
	}
	wd := d.weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// EndOfWorkingDays returns the end (23:59:59 local, zero nanoseconds) of the
// n-th working day AFTER the calendar day of from, in the calendar's time zone,
// returned in UTC. The day of from itself never counts, whatever the hour, so
// a ticket opened late on Friday and one opened early on Friday get the same
// deadline. n < 1 is treated as 1 (it never panics).
//
// Example: from Friday 2026-11-27 15:00 Asia/Shanghai, n=3 gives Wednesday
// 2026-12-02 23:59:59 +08:00, that is 15:59:59Z.
func (c *Calendar) EndOfWorkingDays(from time.Time, n int) time.Time {
	if n < 1 {
		n = 1
	}
	d := civilDateOf(from.In(c.loc))
	// Terminates: the table is finite, so past its last entry every
	// Monday-Friday is a working day.
	for n > 0 {
		d = d.addDays(1)
		if c.isWorkingDate(d) {
			n--
		}
	}
	return time.Date(d.year, d.month, d.day, 23, 59, 59, 0, c.loc).UTC()
}

// WorkingDaysUntil counts the working days after the calendar day of now up
// to and including the calendar day of due, in the calendar's time zone: 0
// when due is today (or today is its last working day before it), negative
// when due has passed (the working days since, counted the same way).
//
// Example: now Friday 2026-11-27 10:00, due Wednesday 2026-12-02 23:59:59
// Asia/Shanghai gives 3 (Monday, Tuesday, Wednesday).
func (c *Calendar) WorkingDaysUntil(now, due time.Time) int {
	from, to := civilDateOf(now.In(c.loc)), civilDateOf(due.In(c.loc))
	sign := 1
	if due.Before(now) {
		from, to, sign = to, from, -1
	}
	n := 0
	// bounded by the days between the two dates
	for d := from; d != to; {
		d = d.addDays(1)
		if c.isWorkingDate(d) {
			n++
		}
	}
	return sign * n
}
