package api

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// Each operation's request media types are the ones the server reads: JSON
// for the API (multipart/form-data for an upload, which the gate passes
// on), a urlencoded form for the console, nothing else (a raw-body
// field once added application/octet-stream, which the gate answers 415).
func TestRequestMediaTypesAreTheServers(t *testing.T) {
	doc := loadOpenAPIDocument(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			for media := range op.RequestBody.Value.Content {
				ok := isJSON(media) || (media == fiber.MIMEMultipartForm && op.OperationID == "uploadAttachment")
				if strings.HasPrefix(path, "/console") {
					ok = media == fiber.MIMEApplicationForm
				}
				if !ok {
					t.Errorf("%s %s documents the request media type %s, which the server does not read", method, path, media)
				}
			}
		}
	}
}

// HEAD /readyz answers as GET does (a load balancer's probe), never 405.
func TestReadyzAnswersHEAD(t *testing.T) {
	call, _ := newGateCall(t)
	get, _, _ := call("GET", "/readyz", "", "")
	head, _, _ := call("HEAD", "/readyz", "", "")
	if head != get || head == 405 {
		t.Errorf("HEAD /readyz %d, GET %d", head, get)
	}
}

// contractCall sends one request to app and checks its answer against the
// document: the status is one the operation documents, and the headers
// and body are as documented (lists never null).
type contractCall struct {
	t      *testing.T
	app    *fiber.App
	router routers.Router
}

func (cc contractCall) send(req *http.Request) int {
	t := cc.t
	t.Helper()
	resp, err := cc.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	notJSON := !strings.Contains(resp.Header.Get("Content-Type"), "json") // a page, a script: its schema is a string
	route, params, err := cc.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: notJSON}
	err = openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
	})
	if err != nil {
		t.Errorf("%s %s (%s): %d does not match the document: %v\nbody: %.300s", req.Method, req.URL, req.Header.Get("Content-Type"), resp.StatusCode, err, body)
	}
	return resp.StatusCode
}

// contractFixture is a database with staff, a partner and its admin, and
// an API over it whose Temporal does not answer (starts are 503s).
func contractFixture(t *testing.T) (app *fiber.App, st *store.Store, opsToken, adminToken, partnerID string) {
	ctx := context.Background()
	st, _ = testdb.New(t)
	_, opsToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	partner, err := st.CreatePartner(ctx, "Acme", "solution_provider", "preferred")
	if err != nil {
		t.Fatal(err)
	}
	_, adminToken, err = st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: partner.ID})
	if err != nil {
		t.Fatal(err)
	}
	app = New(Deps{Store: st, Temporal: fuzzTemporal{}, TaskQueue: "contract", TicketSLA: "3wd", Location: time.UTC, Logger: slog.New(slog.DiscardHandler)})
	return app, st, opsToken, adminToken, partner.ID
}

// Every API operation answers, to each request that produces a status of
// its own, a status it documents, with headers and a body as documented:
// no token, staff's and the partner admin's token on a real partner and on
// unknown objects, a malformed identifier, an unknown query parameter,
// each documented request media type, another one (415), broken JSON
// (400), a null and an out-of-range number (422).
func TestEveryDocumentedStatusIsTheServers(t *testing.T) {
	doc := loadOpenAPIDocument(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	app, _, opsToken, adminToken, partnerID := contractFixture(t)
	cc := contractCall{t, app, router}
	for path, item := range doc.Paths.Map() {
		if strings.HasPrefix(path, "/console") || path == "/" || path == "/favicon.ico" {
			continue // TestConsoleStatusesAreDocumented
		}
		for method, op := range item.Operations() {
			target := func(id string) string {
				return pathParam.ReplaceAllStringFunc(path, func(m string) string {
					if m == "{partner_id}" && id == "" {
						return partnerID
					}
					return cmp.Or(id, "unknown_1")
				})
			}
			var media []string
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for m := range op.RequestBody.Value.Content {
					media = append(media, m)
				}
			}
			request := func(target, token, contentType, body string) *http.Request {
				req := httptest.NewRequest(method, target, strings.NewReader(body))
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if contentType != "" {
					req.Header.Set("Content-Type", contentType)
				}
				return req
			}
			body, contentType := "", ""
			if len(media) > 0 {
				body, contentType = `{}`, media[0]
			}
			for _, token := range []string{"", opsToken, adminToken} {
				cc.send(request(target(""), token, contentType, body))
			}
			if strings.Contains(path, "{") {
				cc.send(request(target("bad%20id!"), opsToken, contentType, body))
				cc.send(request(target(""), opsToken, contentType, body))
			}
			cc.send(request(target("")+"?zzz=1", opsToken, contentType, body))
			for _, m := range media {
				cc.send(request(target(""), opsToken, m, `{}`))
			}
			if len(media) > 0 {
				if status := cc.send(request(target(""), opsToken, "text/plain", `{}`)); status != http.StatusUnsupportedMediaType && status < 401 {
					t.Errorf("%s %s took a text/plain body: %d", method, path, status)
				}
				cc.send(request(target(""), adminToken, contentType, `{"a":`))
				cc.send(request(target(""), adminToken, contentType, `{"zzz":null,"amount":1e309}`))
			}
		}
	}
}

// Every console route answers, signed out, signed in as staff or as a
// partner's admin, with or without its form's CSRF token, a status it
// documents (consoleStatuses).
func TestConsoleStatusesAreDocumented(t *testing.T) {
	doc := loadOpenAPIDocument(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	app, st, opsToken, adminToken, _ := contractFixture(t)
	cc := contractCall{t, app, router}
	signInForm := func(token string, withCookie bool) *http.Request {
		page, err := app.Test(httptest.NewRequest("GET", signInPath, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		signInToken := cookieNamed(page, signInCookie)
		req := httptest.NewRequest("POST", signInPath, strings.NewReader(url.Values{csrfField: {signInToken}, "token": {token}}.Encode()))
		req.Header.Set("Content-Type", fiber.MIMEApplicationForm)
		if withCookie {
			req.AddCookie(&http.Cookie{Name: signInCookie, Value: signInToken})
		}
		return req
	}
	type session struct{ secret, csrf string }
	signIn := func(token string) session {
		resp, err := app.Test(signInForm(token, true), -1)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %v %v", resp.StatusCode, err)
		}
		secret := cookieNamed(resp, sessionCookie)
		sess, err := st.SessionBySecret(t.Context(), secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return session{secret, sess.CSRFToken}
	}
	for _, form := range []*http.Request{signInForm(opsToken, false), signInForm("", true), signInForm("no-such-token", true), signInForm(opsToken, true)} {
		cc.send(form)
	}
	sessions := []session{{}, signIn(opsToken), signIn(adminToken)}
	params := strings.NewReplacer("{case_id}", "unknown_1", "{action}", "approve", "{date}", "2026-12-25",
		"{notification_id}", "unknown_1", "{session_id}", "unknown_1")
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/console") && path != "/" && path != "/favicon.ico" {
			continue
		}
		for method, op := range item.Operations() {
			if _, ok := consoleStatuses[op.OperationID]; !ok {
				t.Errorf("%s %s has no row in consoleStatuses", method, path)
			}
			if op.OperationID == "consoleSignIn" || op.OperationID == "consoleSignOut" {
				continue // above; signing out would end the sessions below
			}
			for _, sess := range sessions {
				for _, form := range []url.Values{{}, {csrfField: {sess.csrf}, "date": {"2026-12-25"}, "language": {"xx"}}} {
					req := httptest.NewRequest(method, params.Replace(path), strings.NewReader(form.Encode()))
					if method == http.MethodPost {
						req.Header.Set("Content-Type", fiber.MIMEApplicationForm)
					}
					if sess.secret != "" {
						req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.secret})
					}
					cc.send(req)
				}
			}
		}
	}
	cc.send(httptest.NewRequest("GET", "/console?status=zzz", nil))
}

func cookieNamed(resp *http.Response, name string) string {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
