package rules

import (
	"slices"
	"testing"
	"time"
)

func TestAutoRenewalNamesEveryBadField(t *testing.T) {
	for _, c := range []struct {
		in     AutoRenewal
		fields []string
	}{
		{AutoRenewal{RenewalPeriod{PeriodMonth, 1}, 0}, nil},
		{AutoRenewal{RenewalPeriod{PeriodMonth, 11}, 99}, nil},
		{AutoRenewal{RenewalPeriod{PeriodYear, 3}, 5}, nil},
		{AutoRenewal{RenewalPeriod{PeriodMonth, 12}, 0}, []string{"period"}},
		{AutoRenewal{RenewalPeriod{PeriodYear, 4}, 100}, []string{"period", "count"}},
		{AutoRenewal{RenewalPeriod{"week", 0}, -1}, []string{"period_unit", "period", "count"}},
	} {
		var fields []string
		for _, e := range c.in.Validate() {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, c.fields) {
			t.Errorf("%+v: fields %v, want %v", c.in, fields, c.fields)
		}
	}
}

func TestAutoRenewalCountsDown(t *testing.T) {
	a := AutoRenewal{RenewalPeriod{PeriodMonth, 1}, 2}
	next := a.After()
	if next == nil || next.Count != 1 {
		t.Fatalf("after one of two: %+v", next)
	}
	if last := next.After(); last != nil {
		t.Errorf("after the last renewal the setting stays on: %+v", last)
	}
	unlimited := AutoRenewal{RenewalPeriod{PeriodYear, 1}, 0}
	for range 200 {
		if n := unlimited.After(); n == nil || *n != unlimited {
			t.Fatalf("an unlimited setting changed: %+v", n)
		}
	}
}

func TestRenewalTerms(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	expiry := time.Date(2026, 1, 31, 16, 0, 0, 0, time.UTC) // 1 February 00:00 in Shanghai
	endOfJanuary := time.Date(2026, 1, 31, 9, 0, 0, 0, shanghai)
	if got, want := (RenewalPeriod{PeriodMonth, 1}).Extend(endOfJanuary, shanghai), time.Date(2026, 2, 28, 9, 0, 0, 0, shanghai); !got.Equal(want) {
		t.Errorf("a month after 31 January: %s, want the last day of February %s", got, want)
	}
	if got, want := (RenewalPeriod{PeriodMonth, 1}).Extend(expiry, shanghai), time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("a month after 1 Mar local: %s, want %s", got, want)
	}
	if got, want := (RenewalPeriod{PeriodYear, 2}).Extend(expiry, shanghai), time.Date(2028, 1, 31, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("two years: %s, want %s", got, want)
	}
	charge, ok := RenewalPeriod{PeriodYear, 1}.Charge([]Money{{1000, "CNY"}, {250, "CNY"}})
	if !ok || charge != (Money{15000, "CNY"}) {
		t.Errorf("a year of 1000+250 a month: %v %v", charge, ok)
	}
	if _, ok := (RenewalPeriod{PeriodYear, 3}).Charge([]Money{{MaxMoneyAmount / 10, "CNY"}}); ok {
		t.Error("a charge past a movement's limit was accepted")
	}
	for _, c := range []struct {
		before time.Duration
		due    bool
	}{{8 * 24 * time.Hour, false}, {RenewalWindow, true}, {time.Hour, true}, {0, false}, {-time.Hour, false}} {
		if got := RenewalDue(expiry, expiry.Add(-c.before)); got != c.due {
			t.Errorf("%s before expiry: due %v, want %v", c.before, got, c.due)
		}
	}
	if TermReference("ecs-1", expiry) == TermReference("ecs-1", expiry.Add(time.Microsecond)) {
		t.Error("two terms share a reference")
	}
}
