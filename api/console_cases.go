package api

import (
	"context"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/present"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// The work queues of the console: open cases that breached their SLA, due
// by the end of today, by the end of this week, waiting on the partner.
const (
	queueBreached        = "breached"
	queueDueToday        = "due_today"
	queueDueThisWeek     = "due_this_week"
	queueAwaitingPartner = "awaiting_partner"
	queueOpen            = "open"
	queueMine            = "mine"
	queueUnassigned      = "unassigned"
)

// caseQuery is the case list's filters as the page's query string names them.
type caseQuery struct {
	Queue, Kind, Status, PartnerID, Cursor, Search string
	// Sort is "deadline" (open cases, soonest deadline first) or ""
	// (newest first, but in the deadline queues); Size the page's rows.
	Sort         string
	Size         int
	OpenBreaches bool
}

// viewLink is a saved view and the list it opens (its query was encoded
// by caseQuery.url).
type viewLink struct {
	store.SavedView
	URL template.URL
}

// pageSizes are the page sizes the list offers; the first is the default.
var pageSizes = []int{25, 50, 100}

// countLimit is how far the list counts its cases exactly: past it, the
// page says "more than" (counting further would read that much more of
// the index).
const countLimit = 1000

func caseQueryOf(c *fiber.Ctx) caseQuery {
	q := caseQuery{
		Queue: c.Query("queue"), Kind: c.Query("kind"), Status: c.Query("status"), PartnerID: c.Query("partner_id"),
		Cursor: c.Query("cursor"), OpenBreaches: c.Query("breached") == "open", Search: strings.TrimSpace(c.Query("q")),
		Sort: map[bool]string{true: "deadline"}[c.Query("sort") == "deadline"], Size: pageSizes[0],
	}
	if size := c.QueryInt("size"); slices.Contains(pageSizes, size) {
		q.Size = size
	}
	return q
}

// url is the page with these filters, and cursor.
func (q caseQuery) url(cursor string) string {
	v := url.Values{}
	for k, val := range map[string]string{"queue": q.Queue, "kind": q.Kind, "status": q.Status, "partner_id": q.PartnerID, "cursor": cursor, "q": q.Search, "sort": q.Sort} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if q.OpenBreaches {
		v.Set("breached", "open")
	}
	if q.Size != pageSizes[0] && q.Size != 0 {
		v.Set("size", strconv.Itoa(q.Size))
	}
	if len(v) == 0 {
		return "/console"
	}
	return "/console?" + v.Encode()
}

// Values is the page's query string (its filters and page), for a form
// that comes back to the same list.
func (q caseQuery) Values() template.URL {
	u := q.url(q.Cursor)
	_, query, _ := strings.Cut(u, "?")
	return template.URL(query)
}

// businessWeek is where today and this week end in the business time zone
// (weeks end on Sunday).
func businessWeek(now time.Time, loc *time.Location) (endOfToday, endOfWeek time.Time) {
	y, m, d := now.In(loc).Date()
	endOfToday = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	daysToMonday := (8 - int(endOfToday.Weekday())) % 7
	return endOfToday, endOfToday.AddDate(0, 0, daysToMonday)
}

// filter is the store's filter for q, as me sees it.
func (q caseQuery) filter(now time.Time, loc *time.Location, me string) store.CaseFilter {
	f := store.CaseFilter{Kind: q.Kind, Status: q.Status, PartnerID: q.PartnerID, Search: q.Search}
	endOfToday, endOfWeek := businessWeek(now, loc)
	yes := true
	switch q.Queue {
	case queueBreached:
		f.Open, f.SLABreached, f.SoonestDue = true, &yes, true
	case queueDueToday:
		f.Open, f.DueBefore = true, endOfToday
	case queueDueThisWeek:
		f.Open, f.DueBefore = true, endOfWeek
	case queueAwaitingPartner:
		f.Open, f.AnyKindStatus = true, workflows.Declared().Awaiting(workflows.Partner)
	case queueOpen:
		f.Open = true
	case queueMine:
		f.Open, f.AssigneeID = true, me
	case queueUnassigned:
		f.Open, f.Unassigned = true, true
	}
	if q.OpenBreaches {
		f.Open, f.SLABreached = true, &yes
	}
	if q.Sort == "deadline" {
		f.Open, f.SoonestDue = true, true
	}
	return f
}

// caseRow is a case as the list shows it.
type caseRow struct {
	cases.Case
	Partner, Customer string
	Due               *when
	Updated           when
	Countdown         string
	Overdue           bool
	// AtRisk: open, not yet due, and less than the server's atRisk left.
	AtRisk bool
	// Subject is what the case is about (its process's declaration);
	// Assignee the staff member working it.
	Subject, Assignee string
}

// DefaultAtRisk is how close to its deadline an open case is at risk when
// the configuration does not say (PARTNEROPS_AT_RISK).
const DefaultAtRisk = 4 * time.Hour

// queueCount is one cell of the queues table.
type queueCount struct {
	Count int
	URL   string
}

type queueRow struct {
	Kind                                            string
	Open, Breached, DueToday, DueThisWeek, Awaiting queueCount
}

// casesPage serves GET /console: for staff the work queues with their
// counts, then for everyone the case list the API's scope lets them see.
func (s *Server) casesPage(c *fiber.Ctx, v *viewer) error {
	return s.showCases(c, v, fiber.StatusOK, nil)
}

// showCases renders the case list; results are what a bulk assignment
// sent back did to each case.
func (s *Server) showCases(c *fiber.Ctx, v *viewer, status int, results map[string]*bulkResult) error {
	q := caseQueryOf(c)
	now := time.Now()
	f, ok := caseScope(v.P, q.filter(now, s.location, v.P.ID))
	data := struct {
		Query      caseQuery
		Queues     []queueRow
		Kinds      []cases.Kind
		Statuses   []string
		Partners   []store.NamedID
		Rows       []caseRow
		NextURL    string
		QueueNames map[string]string
		Staff      []store.NamedID
		// Results are what a bulk assignment did to each case, by ID.
		Results map[string]*bulkResult
		// SearchError says why the search was not run.
		SearchError string
		// Total is how many cases the list holds (More: more than Total).
		Total     int
		More      bool
		PageSizes []int
		Views     []viewLink
	}{Query: q, Kinds: workflows.Declared().Kinds(), Statuses: knownStatuses(workflows.Declared()), QueueNames: queueNames, PageSizes: pageSizes}
	if v.P.IsStaff() {
		queues, err := s.queues(v.ctx, now)
		if err != nil {
			return s.consoleError(c, v, err)
		}
		partners, err := s.store.PartnerNames(v.ctx)
		if err != nil {
			return s.consoleError(c, v, err)
		}
		staff, err := s.store.StaffMembers(v.ctx)
		if err != nil {
			return s.consoleError(c, v, err)
		}
		views, err := s.store.SavedViews(v.ctx, v.P.ID)
		if err != nil {
			return s.consoleError(c, v, err)
		}
		for _, view := range views {
			data.Views = append(data.Views, viewLink{view, template.URL("/console?" + view.Query)})
		}
		data.Queues, data.Partners, data.Staff, data.Results = queues, partners, staff, results
	}
	if q.Search != "" && utf8.RuneCountInString(q.Search) < store.MinSearch {
		data.SearchError, ok = v.Print.T("cases.search_too_short"), false
	}
	if ok {
		list, next, err := s.store.ListCases(v.ctx, f, store.Page{Limit: q.Size, Cursor: q.Cursor})
		if err != nil {
			return s.consoleError(c, v, err)
		}
		data.Total, data.More, err = s.store.CountCases(v.ctx, f, countLimit)
		if err != nil {
			return s.consoleError(c, v, err)
		}
		if data.Rows, err = s.caseRows(v, list, now); err != nil {
			return s.consoleError(c, v, err)
		}
		if next != "" {
			data.NextURL = q.url(next)
		}
	}
	title := v.Print.T("nav.cases")
	if name, ok := queueNames[q.Queue]; ok {
		title = v.Print.T(name)
	}
	return s.render(c, status, "cases", v, title, data)
}

var queueNames = map[string]string{
	queueBreached: "queue.breached", queueDueToday: "queue.due_today", queueDueThisWeek: "queue.due_this_week",
	queueAwaitingPartner: "queue.awaiting_partner", queueOpen: "queue.open", queueMine: "queue.mine", queueUnassigned: "queue.unassigned",
}

// queues counts every kind's open cases in each queue, and their totals.
func (s *Server) queues(ctx context.Context, now time.Time) ([]queueRow, error) {
	endOfToday, endOfWeek := businessWeek(now, s.location)
	counts, err := s.store.Queues(ctx, "", store.QueueBounds{EndOfToday: endOfToday, EndOfWeek: endOfWeek, AwaitingPartner: workflows.Declared().Awaiting(workflows.Partner)})
	if err != nil {
		return nil, err
	}
	total := store.KindQueues{}
	rows := []queueRow{}
	row := func(k store.KindQueues) queueRow {
		cell := func(queue string, n int) queueCount {
			return queueCount{n, caseQuery{Queue: queue, Kind: k.Kind}.url("")}
		}
		return queueRow{Kind: k.Kind, Open: cell(queueOpen, k.Open), Breached: cell(queueBreached, k.Breached),
			DueToday: cell(queueDueToday, k.DueToday), DueThisWeek: cell(queueDueThisWeek, k.DueThisWeek),
			Awaiting: cell(queueAwaitingPartner, k.WaitingOnPartner)}
	}
	for _, k := range counts {
		rows = append(rows, row(k))
		total.Open += k.Open
		total.Breached += k.Breached
		total.DueToday += k.DueToday
		total.DueThisWeek += k.DueThisWeek
		total.WaitingOnPartner += k.WaitingOnPartner
	}
	return append(rows, row(total)), nil
}

// knownStatuses are the statuses of every process of catalog.
func knownStatuses(catalog workflows.Catalog) []string {
	var all []string
	for _, kind := range catalog.Kinds() {
		for _, st := range catalog.Statuses(kind) {
			if !slices.Contains(all, st) {
				all = append(all, st)
			}
		}
	}
	slices.Sort(all)
	return all
}

// calendar is the business calendar as it stands.
func (s *Server) calendar(ctx context.Context) (*rules.Calendar, error) {
	days, err := s.store.CalendarDays(ctx)
	if err != nil {
		return nil, err
	}
	return rules.NewBusinessCalendar(s.location, days)
}

// caseRows shows cases with their partner's and customer's names, their
// deadline in the business time zone and the working days left to it.
func (s *Server) caseRows(v *viewer, list []cases.Case, now time.Time) ([]caseRow, error) {
	partners, customers, err := s.store.CaseNames(v.ctx, list)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar(v.ctx)
	if err != nil {
		return nil, err
	}
	var assigneeIDs []string
	for _, cs := range list {
		if cs.AssigneeID != "" {
			assigneeIDs = append(assigneeIDs, cs.AssigneeID)
		}
	}
	assignees, err := s.store.PrincipalNames(v.ctx, assigneeIDs)
	if err != nil {
		return nil, err
	}
	rows := make([]caseRow, len(list))
	for i, cs := range list {
		rows[i] = caseRow{Case: cs, Partner: partners[cs.PartnerID], Customer: customers[cs.CustomerID], Updated: v.at(cs.UpdatedAt),
			Subject: workflows.Declared().Subject(cs.Kind, cs.Details), Assignee: assignees[cs.AssigneeID]}
		if cs.SLA != nil {
			due := v.at(cs.SLA.DueAt)
			rows[i].Due = &due
			if cs.ClosedAt == nil {
				rows[i].Countdown, rows[i].Overdue = countdown(v.Print, cal.WorkingDaysUntil(now, cs.SLA.DueAt), cs.SLA.DueAt.Before(now))
				rows[i].AtRisk = atRisk(now, cs.SLA.DueAt, s.atRisk)
			}
		}
	}
	return rows, nil
}

// atRisk: the deadline is not past, and less than span is left to it.
func atRisk(now, due time.Time, span time.Duration) bool {
	return !due.Before(now) && due.Sub(now) < span
}

// countdown says how many working days are left, or how late it is.
func countdown(pr present.Printer, days int, passed bool) (string, bool) {
	switch {
	case passed && days == 0:
		return pr.T("countdown.overdue_today"), true
	case passed:
		return pr.T("countdown.overdue", "Count", -days), true
	case days == 0:
		return pr.T("countdown.due_today"), false
	}
	return pr.T("countdown.left", "Count", days), false
}
