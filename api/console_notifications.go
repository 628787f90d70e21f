package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/store"
)

// The notifications inbox: the API's notifications of the viewer, newest
// first, unread marked; filtered to the escalations or one kind; each
// escalation says whether its case is still late now.

// notificationsPage serves GET /console/notifications?kind=.
func (s *Server) notificationsPage(c *fiber.Ctx, v *viewer) error {
	kind := c.Query("kind")
	out, err := s.listNotifications(v.ctx, &notificationsInput{PageParams: PageParams{Limit: store.DefaultPageSize, Cursor: c.Query("cursor")}, Kind: kind})
	if err != nil {
		return s.consoleError(c, v, err)
	}
	data := struct {
		Notifications []notificationView
		Kinds         []string
		Kind          string
		Escalations   string
		NextURL       string
		CSRF          string
	}{Kind: kind, Escalations: store.EscalationKind, CSRF: v.CSRF}
	if r, ok := notificationScope(v.P); ok {
		if data.Kinds, err = s.store.NotificationKinds(v.ctx, r); err != nil {
			return s.consoleError(c, v, err)
		}
	}
	for _, n := range out.Body.Notifications {
		data.Notifications = append(data.Notifications, s.notificationView(n, v))
	}
	if out.Body.NextCursor != "" {
		data.NextURL = "/console/notifications?" + url.Values{"kind": {kind}, "cursor": {out.Body.NextCursor}}.Encode()
	}
	return s.render(c, http.StatusOK, "notifications", v, v.Print.T("page.notifications"), data)
}

type notificationView struct {
	store.Notification
	At         when
	Text       string
	Escalation bool
	// Now is what an escalation's case is now: still late, or no longer.
	Now  string
	Late bool
	CSRF string
}

// rfc3339 finds the instants a step wrote into its message (in UTC, for
// machines), to show them in the business time zone.
var rfc3339 = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`)

func (s *Server) notificationView(n store.Notification, v *viewer) notificationView {
	nv := notificationView{Notification: n, At: v.at(n.CreatedAt), Escalation: n.Kind == store.EscalationKind, CSRF: v.CSRF}
	nv.Text = rfc3339.ReplaceAllStringFunc(n.Message, func(at string) string {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return at
		}
		return v.Print.Time(t)
	})
	if nv.Escalation && n.CaseID != "" {
		nv.Now, nv.Late = s.lateNow(v, n.CaseID)
	}
	return nv
}

// lateNow says what an escalated case is now: still past its deadline, or
// closed or moved on since (the escalation told what was late then).
func (s *Server) lateNow(v *viewer, caseID string) (string, bool) {
	cs, err := s.visibleCase(v.ctx, caseID, readCase)
	switch {
	case err != nil:
		return "", false
	case cs.ClosedAt != nil:
		return v.Print.T("escalation.closed", "Status", label(v.Print, cs.Status), "At", v.Print.Time(*cs.ClosedAt)), false
	case cs.SLA != nil && cs.SLA.Breached && cs.SLA.DueAt.Before(time.Now()):
		return v.Print.T("escalation.still_late", "Status", label(v.Print, cs.Status), "Due", v.Print.Time(cs.SLA.DueAt)), true
	}
	return v.Print.T("escalation.moved_on", "Status", label(v.Print, cs.Status)), false
}

// markRead serves POST /console/notifications/{id}/read; htmx swaps the
// row it answers for the unread one.
func (s *Server) markRead(c *fiber.Ctx, v *viewer) error {
	id, err := strconv.ParseInt(c.Params("notification_id"), 10, 64)
	r, ok := notificationScope(v.P)
	var n store.Notification
	if err == nil && ok {
		n, err = s.store.MarkNotificationRead(v.ctx, r, id, time.Now())
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, strconv.ErrSyntax) || !ok {
		return s.consoleError(c, v, notFound("notification "+c.Params("notification_id")))
	}
	if err != nil {
		return s.consoleError(c, v, err)
	}
	if c.Get("HX-Request") != "true" {
		return c.Redirect("/console/notifications", http.StatusSeeOther)
	}
	var buf bytes.Buffer
	if err := templates[v.Print.Lang.String()]["notifications"].ExecuteTemplate(&buf, "row", s.notificationView(n, v)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// markAllRead serves POST /console/notifications/read-all: every unread
// notification of the viewer (of the kind shown, when filtered) is read.
func (s *Server) markAllRead(c *fiber.Ctx, v *viewer) error {
	r, ok := notificationScope(v.P)
	if ok {
		r.Kind = c.FormValue("kind")
		if _, err := s.store.MarkAllNotificationsRead(v.ctx, r, time.Now()); err != nil {
			return s.consoleError(c, v, err)
		}
	}
	return c.Redirect("/console/notifications?"+url.Values{"kind": {r.Kind}}.Encode(), http.StatusSeeOther)
}
