package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/present"
	"partnerops/store"
	"partnerops/workflows"
)

// casePageData is a case as its page shows it.
type casePageData struct {
	Case      cases.Case
	Headline  string
	Partner   string
	Customer  string
	Details   []detailItem
	Due       *when
	Countdown string
	Overdue   bool
	AtRisk    bool
	Pauses    []pause
	// Attachments: a certification's materials, shown to those who may read them.
	Attachments []store.Attachment
	Events      []eventView
	Forms       []actionForm
	Done        string
	// Stale says what happened to the case since the form sent back was
	// shown, when that action is no longer one to take.
	Stale string
	// Assignee is the staff member working the case; Staff whom staff may
	// give it to; Refused why an assignment was not made.
	Assignee string
	Staff    []store.NamedID
	Refused  string
	Activity []activityView
	// CommentError is why the comment sent was refused, and Comment what
	// was typed; Commenter: the viewer may comment (staff and partner
	// members).
	CommentError, Comment string
	Commenter             bool
}

// activityView is an assignment or a comment as the timeline shows it.
type activityView struct {
	store.Activity
	At when
}

// pause is a time the SLA clock stood still; Until is nil while it does.
type pause struct {
	From  when
	Until *when
}

type eventView struct {
	cases.Event
	At     when
	Detail []detailItem
}

// casePage serves GET /console/cases/{id}: what the API's GET
// /v1/cases/{id} and its events answer, readable, with a form for each
// action the viewer may take now.
func (s *Server) casePage(c *fiber.Ctx, v *viewer) error {
	return s.showCase(c, v, http.StatusOK, nil)
}

// showCase renders the case page; failed is the form sent back with its
// errors, shown in place of the empty one.
func (s *Server) showCase(c *fiber.Ctx, v *viewer, status int, failed *actionForm) error {
	row, err := s.visibleCase(v.ctx, c.Params("case_id"), readCase)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	live := s.liveCase(v.ctx, row, v.P.Role)
	events, _, err := s.store.CaseEvents(v.ctx, row.ID, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return s.consoleError(c, v, err)
	}
	rows, err := s.caseRows(v, []cases.Case{live}, time.Now())
	if err != nil {
		return s.consoleError(c, v, err)
	}
	var details map[string]any
	_ = json.Unmarshal(live.Details, &details) // the workflow wrote it as an object
	data := casePageData{
		Case: live, Headline: headline(v.Print, live.Kind, details), Partner: rows[0].Partner, Customer: rows[0].Customer,
		Details: detailItems(v, details), Due: rows[0].Due, Countdown: rows[0].Countdown, Overdue: rows[0].Overdue, AtRisk: rows[0].AtRisk,
		Pauses: pauses(v, live.Kind, events), Done: c.Query("done"),
	}
	if err := s.caseWork(c, v, &data); err != nil {
		return s.consoleError(c, v, err)
	}
	if row.Kind == cases.KindCertification && allowed(v.ctx, readMaterials, caseObject(row)) == nil {
		if data.Attachments, err = s.store.Attachments(v.ctx, row.ID); err != nil {
			return s.consoleError(c, v, err)
		}
	}
	for _, e := range events {
		data.Events = append(data.Events, eventView{Event: e, At: v.at(e.At), Detail: detailItems(v, e.Detail)})
	}
	if failed != nil && !slices.Contains(live.Actions, failed.Name) && len(events) > 0 {
		last := events[len(events)-1]
		data.Stale = v.Print.T("case.stale", "Action", label(v.Print, failed.Name), "Event", label(v.Print, last.Type),
			"Who", last.Actor.Name, "At", v.Print.Time(last.At), "Status", label(v.Print, live.Status))
	}
	for _, name := range live.Actions {
		if failed != nil && failed.Name == name {
			data.Forms = append(data.Forms, *failed)
			continue
		}
		if form, ok := newActionForm(live.Kind, name); ok {
			prefill(form.Fields, prefillValues(live.Kind, name, details), s.location)
			data.Forms = append(data.Forms, form)
		}
	}
	return s.render(c, status, "case", v, label(v.Print, string(live.Kind))+" "+live.ID, data)
}

func newActionForm(kind cases.Kind, name string) (actionForm, bool) {
	t, ok := workflows.ActionInput(kind, name)
	if !ok {
		return actionForm{}, false
	}
	return actionForm{Name: name, Label: name, Final: workflows.FinalAction(kind, name), Fields: formFields(t)}, true
}

// caseActionForm serves POST /console/cases/{id}/actions/{action}: the
// form's answer goes to the API's own action handler (the route POST
// /v1/cases/{id}/actions/{action}), which applies the policy and asks the
// case's workflow. Bad input shows the form again with each error beside
// its field.
func (s *Server) caseActionForm(c *fiber.Ctx, v *viewer) error {
	id, name := c.Params("case_id"), c.Params("action")
	row, err := s.visibleCase(v.ctx, id, actOnCase)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	form, ok := newActionForm(row.Kind, name)
	if !ok {
		return s.consoleError(c, v, problem(http.StatusNotFound, "unknown-action", fmt.Sprintf("%s cases have no action %q", row.Kind, name)))
	}
	body, errs := inputOf(form.Fields, func(k string) string { return c.FormValue(k) }, s.location)
	form.Confirmed = c.FormValue("confirm") == "yes"
	if form.Final && !form.Confirmed {
		form.Confirm = v.Print.T("case.confirm_missing")
	}
	if len(errs) == 0 && form.Confirm == "" {
		in := &caseActionInput{CasePath: CasePath{CaseID: id}, Action: name, Body: (*actionBody)(&body)}
		if _, err = s.caseAction(v.ctx, in); err == nil {
			return c.Redirect("/console/cases/"+id+"?done="+name, http.StatusSeeOther)
		}
		var p *Problem
		if !errors.As(err, &p) || p.Status >= 500 || p.Status == http.StatusNotFound {
			return s.consoleError(c, v, err)
		}
		errs, form.Error = p.Errors, p.Detail
	}
	if rest := withErrors(form.Fields, errs); len(rest) > 0 {
		form.Error = rest.Error()
	}
	return s.showCase(c, v, http.StatusUnprocessableEntity, &form)
}

// pauses are the spans of the timeline the case spent in a status that
// stops its SLA clock.
func pauses(v *viewer, kind cases.Kind, events []cases.Event) []pause {
	var out []pause
	for _, e := range events {
		paused := workflows.Declared().PausesSLA(kind, e.Status)
		open := len(out) > 0 && out[len(out)-1].Until == nil
		switch {
		case paused && !open:
			out = append(out, pause{From: v.at(e.At)})
		case !paused && open:
			until := v.at(e.At)
			out[len(out)-1].Until = &until
		}
	}
	return out
}

// headline is a case's summary in one line, by kind; kinds without their
// own read as their details.
func headline(pr present.Printer, kind cases.Kind, d map[string]any) string {
	str := func(path ...string) string {
		var cur any = d
		for _, p := range path {
			m, _ := cur.(map[string]any)
			cur = m[p]
		}
		if cur == nil {
			return ""
		}
		return fmt.Sprint(cur)
	}
	switch kind {
	case cases.KindCertification:
		return pr.T("headline.certification", "Company", str("business_info", "company_name"),
			"Certificate", str("business_info", "certificate_number"), "Submission", str("submissions"))
	case cases.KindPartnerPayment:
		m, _ := d["amount"].(map[string]any)
		return pr.T("headline.partner_payment", "Amount", moneyOf(pr, m), "Product", str("product"),
			"Order", str("order_id"), "Scenario", label(pr, str("scenario")))
	}
	return ""
}

// moneyOf reads {amount, currency} as money.
func moneyOf(pr present.Printer, m map[string]any) string {
	amount, ok := m["amount"].(float64)
	currency, ok2 := m["currency"].(string)
	if !ok || !ok2 || len(m) != 2 {
		return ""
	}
	return pr.Money(int64(amount), currency)
}

// detailItem is one entry of a readable rendering of JSON details.
type detailItem struct {
	Label    string
	Value    string
	Children []detailItem
}

// detailItems renders any details readably: names as words, times in the
// business time zone, money as an amount, nested objects indented.
func detailItems(v *viewer, d map[string]any) []detailItem {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var items []detailItem
	for _, k := range keys {
		if item, ok := detailItemOf(v, label(v.Print, k), d[k]); ok {
			items = append(items, item)
		}
	}
	return items
}

func detailItemOf(v *viewer, name string, value any) (detailItem, bool) {
	item := detailItem{Label: name}
	switch x := value.(type) {
	case nil:
		return item, false
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			w := v.at(t)
			item.Value = w.String() + " " + w.Zone()
		} else if v.Print.Has("code." + x) {
			item.Value = v.Print.T("code." + x) // a code: its label
		} else {
			item.Value = x
		}
	case bool:
		item.Value = map[bool]string{true: v.Print.T("yes"), false: v.Print.T("no")}[x]
	case float64:
		item.Value = fmt.Sprint(x)
	case map[string]any:
		if m := moneyOf(v.Print, x); m != "" {
			item.Value = m
		} else {
			item.Children = detailItems(v, x)
		}
	case []any:
		var scalars []string
		for i, e := range x {
			if m, ok := e.(map[string]any); ok {
				item.Children = append(item.Children, detailItem{Label: fmt.Sprint(i + 1), Children: detailItems(v, m)})
			} else {
				scalars = append(scalars, fmt.Sprint(e))
			}
		}
		item.Value = strings.Join(scalars, ", ")
		if len(x) == 0 {
			item.Value = v.Print.T("none")
		}
	default:
		item.Value = fmt.Sprint(x)
	}
	return item, true
}

// caseWork adds who works the case, whom it may go to and its activity
// (staff see all of it; the partner's side only what is meant for it).
func (s *Server) caseWork(c *fiber.Ctx, v *viewer, data *casePageData) error {
	activity, err := s.store.CaseActivity(v.ctx, data.Case.ID, !v.P.IsStaff())
	if err != nil {
		return err
	}
	for _, a := range activity {
		data.Activity = append(data.Activity, activityView{Activity: a, At: v.at(a.At)})
	}
	data.CommentError, _ = c.Locals(commentRefused).(string)
	data.Comment, _ = c.Locals(commentTyped).(string)
	data.Commenter = slices.Contains(caseCommenters, v.P.Role)
	if !v.P.IsStaff() {
		return nil
	}
	data.Refused, _ = c.Locals(assignRefused).(string)
	if data.Staff, err = s.store.StaffMembers(v.ctx); err != nil {
		return err
	}
	for _, m := range data.Staff {
		if m.ID == data.Case.AssigneeID {
			data.Assignee = m.Name
		}
	}
	return nil
}
