package rules

import (
	"fmt"
	"time"
)

// A renewal period is months (1 to 11) or years (1 to 3), as the reference
// renewal API allows.
const (
	PeriodMonth = "month"
	PeriodYear  = "year"

	MaxPeriodMonths = 11
	MaxPeriodYears  = 3
	// MaxAutoRenewCount bounds the renewals an auto-renewal setting makes;
	// 0 means unlimited.
	MaxAutoRenewCount = 99
	// RenewalWindow is how long before expiry auto-renewal charges.
	RenewalWindow = 7 * 24 * time.Hour
	// RenewalHour is the local hour the daily renewal run starts at.
	RenewalHour = 3
)

// RenewalPeriod is how far one renewal extends a group.
type RenewalPeriod struct {
	Unit   string `json:"period_unit" enum:"month,year" doc:"month (1-11) or year (1-3)"`
	Period int    `json:"period" minimum:"1" maximum:"11" doc:"How many months (1-11) or years (1-3)"`
}

// Validate names the bad fields of the period.
func (p RenewalPeriod) Validate() FieldErrors {
	var errs FieldErrors
	switch p.Unit {
	case PeriodMonth:
		if p.Period < 1 || p.Period > MaxPeriodMonths {
			errs.add("period", fmt.Sprintf("must be 1 to %d months; got %d", MaxPeriodMonths, p.Period))
		}
	case PeriodYear:
		if p.Period < 1 || p.Period > MaxPeriodYears {
			errs.add("period", fmt.Sprintf("must be 1 to %d years; got %d", MaxPeriodYears, p.Period))
		}
	default:
		errs.add("period_unit", "must be month or year")
		if p.Period < 1 || p.Period > MaxPeriodMonths {
			errs.add("period", fmt.Sprintf("must be 1 to %d", MaxPeriodMonths))
		}
	}
	return errs
}

// Months is the period in months.
func (p RenewalPeriod) Months() int {
	if p.Unit == PeriodYear {
		return 12 * p.Period
	}
	return p.Period
}

// Extend is the expiry after renewing a term that ends at expiry by the
// period: the same wall-clock time in loc, Months() calendar months later,
// on the same day of the month or the month's last day when it has fewer
// (a month after 31 January is 28 or 29 February), as PostgreSQL adds a
// month interval.
func (p RenewalPeriod) Extend(expiry time.Time, loc *time.Location) time.Time {
	local := expiry.In(loc)
	y, m, d := local.Date()
	first := time.Date(y, m+time.Month(p.Months()), 1, local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), loc)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1).UTC()
}

// Charge is what renewing a group whose monthly prices are given costs for
// the period. All prices are in one currency (the schema keeps a group in
// one); ok is false when the sum would pass a movement's limit.
func (p RenewalPeriod) Charge(monthlyPrices []Money) (Money, bool) {
	var total Money
	for _, price := range monthlyPrices {
		total.Currency = price.Currency
		if price.Amount > (MaxMoneyAmount-total.Amount)/int64(p.Months()) {
			return Money{}, false
		}
		total.Amount += price.Amount * int64(p.Months())
	}
	return total, total.Amount > 0
}

// AutoRenewal is a group's auto-renewal setting: renew by the period, count
// times more (0: unlimited).
type AutoRenewal struct {
	RenewalPeriod
	Count int `json:"count" minimum:"0" maximum:"99" doc:"How many renewals it makes; 0 is unlimited"`
}

// Validate names every bad field of the setting.
func (a AutoRenewal) Validate() FieldErrors {
	errs := a.RenewalPeriod.Validate()
	if a.Count < 0 || a.Count > MaxAutoRenewCount {
		errs.add("count", fmt.Sprintf("must be 0 (unlimited) to %d; got %d", MaxAutoRenewCount, a.Count))
	}
	return errs
}

// After is the setting once it made a renewal: one fewer left, and nil
// (off) when that was the last; an unlimited one stays as it is.
func (a AutoRenewal) After() *AutoRenewal {
	switch a.Count {
	case 0:
		return &a
	case 1:
		return nil
	}
	a.Count--
	return &a
}

// RenewalDue says whether auto-renewal renews a term ending at expiry at
// instant now: from RenewalWindow before the expiry until the expiry itself.
func RenewalDue(expiry, now time.Time) bool {
	return now.Before(expiry) && !now.Before(expiry.Add(-RenewalWindow))
}

// TermReference is the ledger reference of a group's renewal for the term
// that ends at expiry: the same group and term never moves money twice.
func TermReference(primaryID string, expiry time.Time) string {
	return "renewal:" + primaryID + "/" + expiry.UTC().Format(time.RFC3339Nano)
}

// DueGroup is a group auto-renewal renews now: its primary and its term.
// A renewal run goes through the due groups in this order (term, then
// primary ID) and carries the last one it reached.
type DueGroup struct {
	PrimaryID string    `db:"id" json:"primary_id"`
	Term      time.Time `db:"expires_at" json:"term"`
}
