package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// DaySource says where a day of the business calendar comes from.
type DaySource string

const (
	// Statutory days are the PRC statutory holidays and make-up working
	// days, as the State Council's yearly notice sets them
	// (github.com/6tail/lunar-go's HolidayUtil carries every notice since 2002).
	Statutory DaySource = "statutory"
	// Ops days are declared by ops; on a date both list, ops' day wins.
	Ops DaySource = "ops"
)

// SourcedDay is a day of the business calendar with where it comes from.
type SourcedDay struct {
	CalendarDay
	Source DaySource `json:"source" enum:"statutory,ops" doc:"statutory: the State Council's notice; ops: declared by ops (it overrides the statutory day of the same date)"`
}

// statutoryDays is every statutory day the library carries, by date.
var statutoryDays = sync.OnceValue(func() []CalendarDay {
	var days []CalendarDay
	for year := 2001; ; year++ {
		l := HolidayUtil.GetHolidaysByYear(year)
		if l.Len() == 0 && year > 2001 {
			return days
		}
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			d := CalendarDay{Date: h.GetDay(), Kind: Holiday, Name: h.GetName()}
			if h.IsWork() {
				d.Kind, d.Name = MakeUpWorkday, h.GetName()+"调休"
			}
			days = append(days, d)
		}
	}
})

// StatutoryYearCovered says whether the library carries the statutory
// schedule of year.
func StatutoryYearCovered(year int) bool {
	prefix := strconv.Itoa(year) + "-"
	return slices.ContainsFunc(statutoryDays(), func(d CalendarDay) bool { return strings.HasPrefix(d.Date, prefix) })
}

// BusinessDays is the business calendar's table: the statutory days, with
// ops' own days (ops) replacing the statutory day of the same date, sorted by date.
func BusinessDays(ops []CalendarDay) []SourcedDay {
	byDate := make(map[string]SourcedDay, len(statutoryDays())+len(ops))
	for _, d := range statutoryDays() {
		byDate[d.Date] = SourcedDay{CalendarDay: d, Source: Statutory}
	}
	for _, d := range ops {
		byDate[d.Date] = SourcedDay{CalendarDay: d, Source: Ops}
	}
	days := make([]SourcedDay, 0, len(byDate))
	for _, d := range byDate {
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, b SourcedDay) int { return strings.Compare(a.Date, b.Date) })
	return days
}

// NewBusinessCalendar is the calendar of loc on the statutory days and ops'
// own days over them.
func NewBusinessCalendar(loc *time.Location, ops []CalendarDay) (*Calendar, error) {
	sourced := BusinessDays(ops)
	days := make([]CalendarDay, len(sourced))
	for i, d := range sourced {
		days[i] = d.CalendarDay
	}
	return NewCalendar(loc, days)
}

// NextYearWarning is, from 1 December (in loc) on, the warning that next
// year's schedule is missing: the library carries no statutory day of it
// and ops declared none. Otherwise it is "".
func NextYearWarning(now time.Time, loc *time.Location, ops []CalendarDay) string {
	local := now.In(loc)
	if local.Month() != time.December {
		return ""
	}
	next := local.Year() + 1
	prefix := strconv.Itoa(next) + "-"
	if StatutoryYearCovered(next) || slices.ContainsFunc(ops, func(d CalendarDay) bool { return strings.HasPrefix(d.Date, prefix) }) {
		return ""
	}
	return fmt.Sprintf("The business calendar has no schedule of %d: no statutory holidays are known for it yet "+
		"(update github.com/6tail/lunar-go once the State Council publishes them) and ops declared none; "+
		"deadlines in %d count every Monday-Friday as a working day.", next, next)
}
