package api

import (
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/present"
	"partnerops/rules"
	"partnerops/workflows"
)

// An action's form comes from its input type and reads back into the JSON
// the action route takes; errors land beside their fields.
func TestActionFormRoundTrip(t *testing.T) {
	form, ok := newActionForm(cases.KindCertification, workflows.ActionResubmit)
	if !ok || !form.Final {
		t.Fatalf("resubmit form %+v %v", form, ok)
	}
	values := map[string]string{"company_name": "Acme", "certificate_type": "0", "contact.email": "li@acme.example", "address": " 1 Road "}
	body, errs := inputOf(form.Fields, func(k string) string { return values[k] }, time.UTC)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := `{"address":" 1 Road ","certificate_type":0,"company_name":"Acme","contact":{"email":"li@acme.example"}}`
	if string(body) != want {
		t.Errorf("body %s, want %s", body, want)
	}
	values["certificate_type"] = "zero"
	if _, errs = inputOf(form.Fields, func(k string) string { return values[k] }, time.UTC); len(errs) != 1 || errs[0].Field != "certificate_type" {
		t.Errorf("a number that is not one: %v", errs)
	}
	rest := withErrors(form.Fields, rules.FieldErrors{{Field: "contact.email", Message: "is not an email"}, {Field: "elsewhere", Message: "x"}})
	if len(rest) != 1 || rest[0].Field != "elsewhere" || form.Fields[5].Fields[2].Error != "is not an email" {
		t.Errorf("errors placed %+v, left %v", form.Fields[5], rest)
	}

	resolve, _ := newActionForm(cases.KindCertification, workflows.ActionResolve)
	if f := resolve.Fields[0]; f.Name != "decision" || f.Control != "choice" || len(f.Choices) != 2 || resolve.Fields[1].Control != "textarea" {
		t.Errorf("resolve's fields %+v", resolve.Fields)
	}
}

func TestCountdownAndBusinessWeek(t *testing.T) {
	for _, tc := range []struct {
		days   int
		passed bool
		want   string
	}{{3, false, "3 working days left"}, {1, false, "1 working day left"}, {0, false, "due today"},
		{0, true, "overdue today"}, {-2, true, "2 working days overdue"}} {
		if got, _ := countdown(present.Default, tc.days, tc.passed); got != tc.want {
			t.Errorf("countdown(%d, %v) = %q, want %q", tc.days, tc.passed, got, tc.want)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	today, week := businessWeek(time.Date(2026, 11, 27, 23, 30, 0, 0, sh), sh) // a Friday
	if !today.Equal(time.Date(2026, 11, 28, 0, 0, 0, 0, sh)) || !week.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, sh)) {
		t.Errorf("today ends %v, the week %v", today, week)
	}
	_, week = businessWeek(time.Date(2026, 11, 29, 10, 0, 0, 0, sh), sh) // a Sunday: its week ends tonight
	if !week.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, sh)) {
		t.Errorf("Sunday's week ends %v", week)
	}
}

// A date-time field is a date picker: "2027-01-15" is the end of that day
// in the business time zone; an RFC 3339 instant stays as typed; anything
// else is named.
func TestDateFieldsTakeADay(t *testing.T) {
	form, ok := newActionForm(cases.KindIncentiveSettlement, "extend")
	if !ok {
		t.Fatal("no extend form")
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for typed, want := range map[string]string{
		"2027-01-15":                `"deadline":"2027-01-15T23:59:59+08:00"`,
		"2027-01-15T10:00:00Z":      `"deadline":"2027-01-15T10:00:00Z"`,
		"15/01/2027":                "",
		"2027-01-15T10:00:00+08:00": `"deadline":"2027-01-15T10:00:00+08:00"`,
	} {
		body, errs := inputOf(form.Fields, func(k string) string { return map[string]string{"deadline": typed, "reason": "x"}[k] }, sh)
		if want == "" {
			if len(errs) != 1 || errs[0].Field != "deadline" {
				t.Errorf("%q: errors %v, want one on deadline", typed, errs)
			}
			continue
		}
		if len(errs) > 0 || !strings.Contains(string(body), want) {
			t.Errorf("%q: body %s, errors %v; want %s", typed, body, errs, want)
		}
	}
}

// A case is at risk (amber) between on time and breached: not yet due,
// and less than the span left.
func TestAtRisk(t *testing.T) {
	now := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		due  time.Time
		want bool
	}{{now.Add(23 * time.Minute), true}, {now.Add(3 * time.Hour), true}, {now.Add(4 * time.Hour), false},
		{now.Add(18 * time.Hour), false}, {now.Add(-time.Minute), false}} {
		if got := atRisk(now, tc.due, DefaultAtRisk); got != tc.want {
			t.Errorf("due in %v: at risk %v, want %v", tc.due.Sub(now), got, tc.want)
		}
	}
}
