package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
	"partnerops/store"
)

// dayKind is a calendar day's kind in a request: rules.Holiday or
// rules.MakeUpWorkday.
type dayKind rules.DayKind

func (dayKind) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Enum: []any{string(rules.Holiday), string(rules.MakeUpWorkday)},
		Description: "holiday: a day off even Monday-Friday; workday: a Saturday or Sunday that is a working day"}
}

type DatePath struct {
	Date string `path:"date" doc:"The civil date, YYYY-MM-DD" example:"2026-10-01"`
}

type putCalendarDayInput struct {
	DatePath
	Body struct {
		Kind dayKind `json:"kind"`
		Name string  `json:"name,omitempty" doc:"What the day is, e.g. 国庆节"`
	}
}

// Resolve checks the day by the rules, naming every bad field at once.
func (in *putCalendarDayInput) Resolve(huma.Context) []error {
	return ruleErrors(in.day().ValidateEntry())
}

func (in *putCalendarDayInput) day() rules.CalendarDay {
	return rules.CalendarDay{Date: in.Date, Kind: rules.DayKind(in.Body.Kind), Name: in.Body.Name}
}

// Resolve checks the date by the rules.
func (in *DatePath) Resolve(huma.Context) []error {
	return ruleErrors(rules.CalendarDay{Date: in.Date, Kind: rules.Holiday}.Validate())
}

type calendarDaysOutput struct {
	Body struct {
		Days    []rules.SourcedDay `json:"days"`
		Warning string             `json:"warning,omitempty" doc:"From 1 December: next year's schedule is missing (no statutory day known, none declared by ops)"`
	}
}

func (s *Server) calendarRoutes() {
	register(s, huma.Operation{
		OperationID: "listCalendarDays", Method: http.MethodGet, Path: "/v1/calendar/days", Tags: []string{"calendar"},
		Summary: "The business calendar", Description: "The holidays and make-up working days every SLA is counted on: " +
			"the PRC statutory days of every year known (source statutory), and ops' own days over them (source ops).",
	}, readCalendar, s.listCalendarDays)
	register(s, huma.Operation{
		OperationID: "putCalendarDay", Method: http.MethodPut, Path: "/v1/calendar/days/{date}", Tags: []string{"calendar"},
		Summary: "Declare a holiday or a make-up working day", Description: "Staff only. It overrides the statutory day of the same date. Deadlines already set do not move.",
		Errors: []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
	}, staffCalendar, s.putCalendarDay)
	register(s, huma.Operation{
		OperationID: "deleteCalendarDay", Method: http.MethodDelete, Path: "/v1/calendar/days/{date}", Tags: []string{"calendar"},
		Summary: "Remove a day ops declared", Description: "The statutory day of the date, if any, applies again.", DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, staffCalendar, s.deleteCalendarDay)
}

// listCalendarDays serves GET /v1/calendar/days.
func (s *Server) listCalendarDays(ctx context.Context, _ *struct{}) (*calendarDaysOutput, error) {
	days, err := s.store.CalendarDays(ctx)
	if err != nil {
		return nil, err
	}
	out := &calendarDaysOutput{}
	out.Body.Days = rules.BusinessDays(days)
	out.Body.Warning = rules.NextYearWarning(s.now(), s.location, days)
	return out, nil
}

// calendarWarning is the business calendar's warning ("" when none, or when
// the database cannot say: readiness reports that on its own).
func (s *Server) calendarWarning(ctx context.Context) string {
	if s.location == nil { // an API built without the business time zone (tests of its own answers) has no calendar
		return ""
	}
	days, err := s.store.CalendarDays(ctx)
	if err != nil {
		return ""
	}
	return rules.NextYearWarning(s.now(), s.location, days)
}

// putCalendarDay serves PUT /v1/calendar/days/{date}.
func (s *Server) putCalendarDay(ctx context.Context, in *putCalendarDayInput) (*bodyOf[rules.CalendarDay], error) {
	day := in.day()
	if err := s.store.PutCalendarDay(ctx, day); err != nil {
		return nil, err
	}
	return &bodyOf[rules.CalendarDay]{Body: day}, nil
}

// deleteCalendarDay serves DELETE /v1/calendar/days/{date}.
func (s *Server) deleteCalendarDay(ctx context.Context, in *DatePath) (*struct{}, error) {
	err := s.store.DeleteCalendarDay(ctx, in.Date)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("calendar day " + in.Date)
	}
	return nil, err
}
