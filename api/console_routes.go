package api

import (
	_ "embed"
	"net/http"
	"regexp"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/fiber/v2"
)

// The console's routes. They take no bearer token: a page needs a console
// session (signedIn), and what it shows or does goes through the API's own
// handlers and access policy for the session's principal. In the document
// they are public, under the tag console.

// consolePages: reached without a token; the session decides (signedIn).
var consolePages = public

// htmx is htmx 2.0.4 from npm (0BSD: see console/vendor/htmx.LICENSE),
// the console's one script, served by the API itself.
//
//go:embed console/vendor/htmx.min.js
var htmx []byte

// shortcuts is the console's keyboard shortcuts (j, k, /, a, ?).
//
//go:embed console/shortcuts.js
var shortcuts []byte

//go:embed console/console.css
var consoleCSS []byte

//go:embed console/favicon.svg
var favicon []byte

func (s *Server) consoleRoutes(app *fiber.App) {
	get := func(id, path, summary string, h fiber.Handler) {
		registerPlain(s, app, consoleOperation(id, http.MethodGet, path, summary), consolePages, h)
	}
	post := func(id, path, summary string, h fiber.Handler) {
		registerPlain(s, app, consoleOperation(id, http.MethodPost, path, summary), consolePages, h)
	}
	get("home", "/", "Sends people to the console", func(c *fiber.Ctx) error { return c.Redirect("/console", http.StatusSeeOther) })
	get("favicon", "/favicon.ico", "The console's icon", sendBytes("image/svg+xml", favicon))
	get("consoleScript", "/console/assets/htmx.min.js", "The console's script (htmx)", sendBytes(fiber.MIMETextJavaScriptCharsetUTF8, htmx))
	get("consoleShortcuts", "/console/assets/shortcuts.js", "The console's keyboard shortcuts", sendBytes(fiber.MIMETextJavaScriptCharsetUTF8, shortcuts))
	get("consoleStyles", "/console/assets/console.css", "The console's styles", sendBytes("text/css; charset=utf-8", consoleCSS))
	get("consoleSignInPage", signInPath, "Sign in to the console", s.signInPage)
	post("consoleSignIn", signInPath, "Exchange a token for a console session", s.signIn)
	post("consoleSignOut", "/console/sign-out", "End the console session", s.signedIn(s.signOut))
	post("consoleLanguage", "/console/language", "Choose the console's language (en or zh-CN)", s.signedIn(s.setLanguage))
	get("console", "/console", "The work queues and the case list", s.signedIn(s.casesPage))
	get("consoleCase", "/console/cases/{case_id}", "A case: summary, SLA, timeline and actions", s.signedIn(s.casePage))
	get("consoleAttachment", "/console/cases/{case_id}/attachments/{attachment_id}",
		"A certification attachment: shown in the page (images, PDFs), or downloaded with ?download=1", s.signedIn(s.attachmentFile))
	post("consoleCaseAction", "/console/cases/{case_id}/actions/{action}", "Take an action on a case", s.signedIn(s.caseActionForm))
	post("consoleClaim", "/console/cases/{case_id}/claim", "Staff: claim a case", s.signedIn(s.claimForm))
	post("consoleAssign", "/console/cases/{case_id}/assignee", "Staff: assign a case to a staff member, or to no one", s.signedIn(s.assigneeForm))
	post("consoleComment", "/console/cases/{case_id}/comments", "Comment on a case (staff: an internal note or for the partner)", s.signedIn(s.commentForm))
	post("consoleSaveView", "/console/views", "Staff: keep the case list's filters and order under a name", s.signedIn(s.saveViewForm))
	post("consoleDeleteView", "/console/views/{view_id}/delete", "Staff: remove a saved view", s.signedIn(s.deleteViewForm))
	post("consoleBulkAssign", "/console/cases/assign", "Staff: assign the cases ticked to a staff member", s.signedIn(s.bulkAssignForm))
	get("consoleDashboard", "/console/dashboard", "Supervisors' dashboard", s.signedIn(s.dashboardPage))
	get("consoleNotifications", "/console/notifications", "The notifications inbox", s.signedIn(s.notificationsPage))
	post("consoleMarkAllRead", "/console/notifications/read-all", "Mark every notification read (of one kind, when given)", s.signedIn(s.markAllRead))
	post("consoleMarkRead", "/console/notifications/{notification_id}/read", "Mark a notification read", s.signedIn(s.markRead))
	get("consoleCalendar", "/console/calendar", "The business calendar of a year", s.signedIn(s.calendarPage))
	post("consoleCalendarPut", "/console/calendar", "Add a holiday or make-up working day", s.signedIn(s.calendarPut))
	post("consoleCalendarDelete", "/console/calendar/{date}/delete", "Remove a calendar day", s.signedIn(s.calendarDelete))
	get("consoleSessions", "/console/sessions", "Staff: the console's live sessions", s.signedIn(s.sessionsPage))
	post("consoleEndSession", "/console/sessions/{session_id}/revoke", "Staff: end a console session", s.signedIn(s.endSession))
	get("consoleWebhooks", "/console/webhooks", "Staff: every partner webhook endpoint's health", s.signedIn(s.webhooksPage))
	get("consolePaymentRequests", "/console/payment-requests", "The partner's payment requests", s.signedIn(s.paymentRequestsPage))
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// consoleOperation documents a console route: a page (GET, HTML) or a form
// (POST, urlencoded, answered by a redirect or the page again).
func consoleOperation(id, method, path, summary string) huma.Operation {
	op := plainOperation(id, path, summary, fiber.MIMETextHTMLCharsetUTF8)
	op.Method, op.Tags = method, []string{"console"}
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		op.Parameters = append(op.Parameters, &huma.Param{Name: m[1], In: "path", Required: true, Schema: &huma.Schema{Type: huma.TypeString}})
	}
	op.Responses["303"] = &huma.Response{Description: "On to another page: the sign-in page without a session, the next page after a form"}
	if method == http.MethodPost {
		op.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			fiber.MIMEApplicationForm: {Schema: &huma.Schema{Type: huma.TypeObject, AdditionalProperties: true,
				Description: "The form's fields, with csrf: the session's CSRF token (the sign-in form's own before signing in)"}},
		}}
	}
	return op
}
