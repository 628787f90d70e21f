package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// staffReads: the dashboard is staff's, supervisors' first.
var staffReads = policy{Verb: read, Roles: cases.StaffRoles}

// may applies a policy of the API to the viewer and an object, as the API's
// enforce middleware does for a route: the refusal, or nil.
func (s *Server) may(v *viewer, pol policy, obj object) error {
	if refusal := pol.decide(v.P, obj); refusal != nil {
		return refusal
	}
	if refusal := s.exists(v.ctx, pol, obj); refusal != nil {
		return refusal
	}
	return nil
}

// dashboardWeeks is how many weeks the dashboard's charts show.
const dashboardWeeks = 12

// chart is a bar chart drawn on the server as SVG.
type chart struct {
	Title, Unit   string
	Width, Height int
	Bars          []bar
	Max           string // the top of the scale
}

type bar struct {
	X, Y, W, H     int
	Label, Value   string
	LabelX, ValueY int
	Empty          bool // no value this week
}

// barChart lays values out as bars; a negative value is "no value".
func barChart(title, unit string, labels []string, values []float64, max float64, format func(float64) string) chart {
	const width, height, top, bottom, left = 560, 200, 16, 28, 8
	c := chart{Title: title, Unit: unit, Width: width, Height: height, Max: format(max)}
	slot := (width - left) / max1(len(values))
	for i, v := range values {
		b := bar{X: left + i*slot + 4, W: slot - 8, Label: labels[i], LabelX: left + i*slot + slot/2}
		if v < 0 {
			b.Empty, b.Y, b.Value, b.ValueY = true, height-bottom, "—", height-bottom-4
		} else {
			b.H = int(float64(height-top-bottom) * v / max)
			b.Y = height - bottom - b.H
			b.Value, b.ValueY = format(v), b.Y-4
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

func max1(n int) int { return max(n, 1) }

// dashboardPage serves GET /console/dashboard: open cases by kind and
// status, SLA compliance and breaches per week.
func (s *Server) dashboardPage(c *fiber.Ctx, v *viewer) error {
	if err := s.may(v, staffReads, object{}); err != nil {
		return s.consoleError(c, v, err)
	}
	open, err := s.store.OpenByKindAndStatus(v.ctx)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	since := time.Now().In(s.location).AddDate(0, 0, -7*(dashboardWeeks-1))
	weeks, err := s.store.WeeklySLA(v.ctx, since, s.location.String())
	if err != nil {
		return s.consoleError(c, v, err)
	}
	labels := make([]string, len(weeks))
	compliance, breaches := make([]float64, len(weeks)), make([]float64, len(weeks))
	most := 1.0
	for i, w := range weeks {
		labels[i] = w.Week.Format("01-02")
		compliance[i] = -1
		if w.Resolved > 0 {
			compliance[i] = 100 * float64(w.Within) / float64(w.Resolved)
		}
		breaches[i] = float64(w.Breaches)
		most = max(most, breaches[i])
	}
	outbox, err := s.store.PendingCaseStartCounts(v.ctx)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	percent := func(x float64) string { return strconv.Itoa(int(x+0.5)) + "%" }
	count := func(x float64) string { return strconv.Itoa(int(x)) }
	data := struct {
		Open            []store.StatusCount
		Compliance      chart
		Breaches        chart
		Weeks           []store.WeekSLA
		CalendarWarning string
		Outbox          store.CaseStartCounts // case starts failing or parked
	}{
		Open: open, Weeks: weeks, Outbox: outbox, CalendarWarning: s.calendarWarning(v.ctx),
		Compliance: barChart(v.Print.T("dashboard.compliance"), v.Print.T("dashboard.compliance_unit"), labels, compliance, 100, percent),
		Breaches:   barChart(v.Print.T("dashboard.breaches_per_week"), v.Print.T("dashboard.breaches"), labels, breaches, most, count),
	}
	return s.render(c, http.StatusOK, "dashboard", v, v.Print.T("nav.dashboard"), data)
}

// calendarPage serves GET /console/calendar?year=: the business calendar's
// days of the year, with forms to add and remove them (staff).
func (s *Server) calendarPage(c *fiber.Ctx, v *viewer) error {
	return s.showCalendar(c, v, http.StatusOK, nil, nil, "")
}

// showCalendar shows the year's days; errs beside the fields of the day
// typed, or the day being removed, to confirm.
func (s *Server) showCalendar(c *fiber.Ctx, v *viewer, status int, errs rules.FieldErrors, typed *rules.CalendarDay, removing string) error {
	year := time.Now().In(s.location).Year()
	if y, err := strconv.Atoi(c.Query("year", c.FormValue("year"))); err == nil && y > 1900 && y < 3000 {
		year = y
	}
	out, err := s.listCalendarDays(v.ctx, nil)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	data := struct {
		Year, Prev, Next int
		Days             []rules.SourcedDay
		Warning          string
		Errors           map[string]string
		Typed            rules.CalendarDay
		Removing         *rules.CalendarDay
		CanEdit          bool
		CSRF             string
	}{Year: year, Prev: year - 1, Next: year + 1, Errors: map[string]string{}, CSRF: v.CSRF,
		CanEdit: staffCalendar.decide(v.P, object{Kind: objCalendar}) == nil, Warning: out.Body.Warning}
	for _, d := range out.Body.Days {
		if strings.HasPrefix(d.Date, strconv.Itoa(year)+"-") {
			data.Days = append(data.Days, d)
		}
		if d.Date == removing {
			data.Removing = &d.CalendarDay
		}
	}
	for _, e := range errs {
		data.Errors[e.Field] = e.Message
	}
	if typed != nil {
		data.Typed = *typed
	}
	return s.render(c, status, "calendar", v, v.Print.T("calendar.title", "Year", year), data)
}

// calendarPut serves POST /console/calendar: the API's PUT
// /v1/calendar/days/{date}, its rules and its policy.
func (s *Server) calendarPut(c *fiber.Ctx, v *viewer) error {
	if err := s.may(v, staffCalendar, object{Kind: objCalendar}); err != nil {
		return s.consoleError(c, v, err)
	}
	in := &putCalendarDayInput{DatePath: DatePath{Date: strings.TrimSpace(c.FormValue("date"))}}
	in.Body.Kind, in.Body.Name = dayKind(c.FormValue("kind")), strings.TrimSpace(c.FormValue("name"))
	day := in.day()
	fields := day.ValidateEntry()
	if len(fields) == 0 && c.FormValue("replace") != "yes" {
		// replacing an entry is asked for, not done silently
		out, err := s.listCalendarDays(v.ctx, nil)
		if err != nil {
			return s.consoleError(c, v, err)
		}
		for _, d := range out.Body.Days {
			if d.Date == day.Date {
				fields = append(fields, rules.FieldError{Field: "replace", Message: v.Print.T("calendar.replace_asked", "Kind", label(v.Print, string(d.Kind)), "Name", d.Name)})
			}
		}
	}
	if len(fields) > 0 {
		return s.showCalendar(c, v, http.StatusUnprocessableEntity, fields, &day, "")
	}
	if _, err := s.putCalendarDay(v.ctx, in); err != nil {
		return s.consoleError(c, v, err)
	}
	return c.Redirect("/console/calendar?year="+in.Date[:4], http.StatusSeeOther)
}

// calendarDelete serves POST /console/calendar/{date}/delete: the API's
// DELETE /v1/calendar/days/{date}.
func (s *Server) calendarDelete(c *fiber.Ctx, v *viewer) error {
	if err := s.may(v, staffCalendar, object{Kind: objCalendar}); err != nil {
		return s.consoleError(c, v, err)
	}
	in := &DatePath{Date: c.Params("date")}
	if errs := in.Resolve(nil); len(errs) > 0 {
		return s.consoleError(c, v, invalid(rules.FieldErrors{{Field: "date", Message: errs[0].Error()}}))
	}
	if c.FormValue("confirm") != "yes" {
		return s.showCalendar(c, v, http.StatusOK, nil, nil, in.Date)
	}
	if _, err := s.deleteCalendarDay(v.ctx, in); err != nil {
		return s.consoleError(c, v, err)
	}
	return c.Redirect("/console/calendar?year="+in.Date[:4], http.StatusSeeOther)
}

// paymentRequestsPage serves GET /console/payment-requests: the API's
// payment requests of the viewer's partner.
func (s *Server) paymentRequestsPage(c *fiber.Ctx, v *viewer) error {
	obj := readPartnerMoney.pathObject(func(string) string { return v.P.PartnerID.String })
	if err := s.may(v, readPartnerMoney, obj); err != nil || !v.P.PartnerID.Valid {
		return s.consoleError(c, v, forbidden("payment requests are a partner's: sign in as one of its members"))
	}
	out, err := s.listPaymentRequests(v.ctx, &partnerPageInput{PartnerPath: PartnerPath{PartnerID: v.P.PartnerID.String},
		PageParams: PageParams{Limit: store.DefaultPageSize, Cursor: c.Query("cursor")}})
	if err != nil {
		return s.consoleError(c, v, err)
	}
	type requestView struct {
		cloudOrderView
		Deadline when
	}
	data := struct {
		Requests []requestView
		NextURL  string
	}{}
	for _, o := range out.Body.PaymentRequests {
		data.Requests = append(data.Requests, requestView{o, v.at(o.PaymentDeadline)})
	}
	if out.Body.NextCursor != "" {
		data.NextURL = "/console/payment-requests?cursor=" + out.Body.NextCursor
	}
	return s.render(c, http.StatusOK, "payment_requests", v, v.Print.T("nav.payment_requests"), data)
}
