package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// contractChecker validates responses against api/openapi.json. Requests are
// never validated: tests send malformed ones on purpose.
type contractChecker struct {
	doc     *openapi3.T
	router  routers.Router
	options *openapi3filter.Options
}

var registerContractDecoders sync.Once

// newContractChecker loads and validates api.OpenAPIDocument() and builds its router.
func newContractChecker(t testing.TB) *contractChecker {
	t.Helper()
	registerContractDecoders.Do(func() {
		// Problems are JSON (RFC 9457); decode them as such whatever
		// kin-openapi registers by default.
		openapi3filter.RegisterBodyDecoder("application/problem+json", openapi3filter.JSONBodyDecoder)
		// /metrics may answer in OpenMetrics text when asked; it is a string.
		openapi3filter.RegisterBodyDecoder("application/openmetrics-text", textBodyDecoder)
		// The ops console is a page: a string.
		openapi3filter.RegisterBodyDecoder("text/html", textBodyDecoder)
	})
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIDocument())
	if err != nil {
		t.Fatalf("contract: api/openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("contract: api/openapi.json is not valid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("contract: routing api/openapi.json: %v", err)
	}
	return &contractChecker{
		doc:    doc,
		router: router,
		options: &openapi3filter.Options{
			IncludeResponseStatus: true, // an undocumented status is a contract error
			MultiError:            true,
			AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		},
	}
}

func textBodyDecoder(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	data, err := io.ReadAll(body)
	return string(data), err
}

// check fails t (without stopping it) when the response is not what the
// document says the route answers with that status: status documented,
// content type, headers and body schema. req may be nil to use resp.Request.
// It reads neither req.Body nor resp.Body: respBody is the body already read.
//
// A request to a path or method the document does not have must be answered
// with a 4xx problem (an unknown route is 404, or 401 under /v1 without a
// token, or 405).
func (c *contractChecker) check(t testing.TB, req *http.Request, resp *http.Response, respBody []byte) {
	t.Helper()
	if req == nil {
		req = resp.Request
	}
	if req == nil {
		t.Errorf("contract: check needs the request of the %d response", resp.StatusCode)
		return
	}
	what := req.Method + " " + req.URL.Path
	route, pathParams, err := c.router.FindRoute(req)
	if err != nil {
		if !errors.Is(err, routers.ErrPathNotFound) && !errors.Is(err, routers.ErrMethodNotAllowed) {
			t.Errorf("contract: %s: %v", what, err)
			return
		}
		if problem := c.undocumentedRouteProblem(resp, respBody); problem != "" {
			t.Errorf("contract: %s is not in api/openapi.json (%v) and answered %d: %s",
				what, err, resp.StatusCode, problem)
		}
		return
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: pathParams, Route: route, Options: c.options,
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(respBody)),
		Options: c.options,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("contract: %s (operation %s) answered %d %s that api/openapi.json does not allow:\n%v\nbody: %s",
			what, route.Operation.OperationID, resp.StatusCode, resp.Header.Get("Content-Type"), err, clip(respBody))
	}
}

// undocumentedRouteProblem says what is wrong with the answer to a route
// the document does not have, or "" if it is a 4xx problem.
func (c *contractChecker) undocumentedRouteProblem(resp *http.Response, body []byte) string {
	if resp.StatusCode < 400 || resp.StatusCode > 499 {
		return "an undocumented route may only answer a 4xx problem"
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mediaType != "application/problem+json" {
		return fmt.Sprintf("content type %q, want application/problem+json", mediaType)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return "the problem is not JSON: " + err.Error()
	}
	if err := c.doc.Components.Schemas["Problem"].Value.VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsResponse()); err != nil {
		return "the body is not a Problem: " + err.Error()
	}
	return ""
}

func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// tbRecorder is a testing.TB that records errors instead of failing the test.
type tbRecorder struct {
	testing.TB
	errors []string
}

func (r *tbRecorder) Helper() {}

func (r *tbRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *tbRecorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }

// fakeExchange builds a request and the response to it, as check receives them.
func fakeExchange(t *testing.T, method, path string, status int, header http.Header, body string) (*http.Request, *http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://partnerops.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if header == nil {
		header = http.Header{}
	}
	resp := &http.Response{
		StatusCode: status, Status: http.StatusText(status), Header: header, Request: req,
		Body: io.NopCloser(strings.NewReader(body)),
	}
	return req, resp, []byte(body)
}

func jsonHeader(contentType string, kv ...string) http.Header {
	h := http.Header{"Content-Type": {contentType}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestContractChecker runs the checker on made-up exchanges, without a
// server: values marshalled from the Go types the API answers with must
// pass, and wrong answers must fail.
func TestContractChecker(t *testing.T) {
	checker := newContractChecker(t)

	now := time.Date(2026, 11, 27, 7, 0, 0, 123456000, time.UTC)
	certType := rules.BusinessLicence
	info := rules.BusinessInfo{
		CompanyName: "示例科技有限公司", CertificateNumber: rules.WithUSCCCheck("91350100M000100Y4"),
		CertificateType: &certType, LegalRepresentative: "张三", Address: "福州市鼓楼区",
		Contact: rules.Contact{Name: "李四", Phone: "+86 138-0013-8000", Email: "li@example.com"},
	}
	partner := cases.Actor{ID: "prn_1", Role: cases.RoleAdmin, Name: "Acme"}
	resolved := now.Add(time.Hour)
	details := workflows.CertificationDetails{
		BusinessInfo: info, Submissions: 2,
		CheckProblems:   []rules.FieldError{{Field: "certificate_number", Message: "is not valid"}},
		RejectionReason: "the licence has expired",
		Ticket: &workflows.Ticket{Message: "please look again", FiledBy: partner, FiledAt: now,
			ResolvedAt: &resolved, Decision: workflows.DecisionReject},
	}
	rawDetails := json.RawMessage(mustJSON(t, details))
	certCase := cases.Case{
		ID: "cas_1", Kind: cases.KindCertification, PartnerID: "par_1", Status: workflows.CertificationRejected,
		SLA: &cases.SLA{DueAt: now.Add(72 * time.Hour), Breached: true}, CreatedAt: now, UpdatedAt: now,
		Details: rawDetails, Actions: []string{workflows.ActionFileTicket, workflows.ActionResubmit},
	}
	otherCase := cases.Case{
		ID: "cas_2", Kind: cases.KindIncentiveSettlement, PartnerID: "par_1", CustomerID: "cus_1", Status: "issued",
		CreatedAt: now, UpdatedAt: now, Details: json.RawMessage(`{"amount":{"amount":12000,"currency":"CNY"}}`),
		Actions: []string{},
	}
	badDetails := certCase
	badDetails.Details = json.RawMessage(`{"business_info":{"company_name":"x"},"submissions":1}`)

	problem := func(status int, fields ...rules.FieldError) string {
		return mustJSON(t, api.Problem{Type: "urn:partnerops:problem:x", Title: http.StatusText(status), Status: status,
			Detail: "what went wrong", Errors: fields})
	}
	const appJSON, problemJSON = "application/json", "application/problem+json"

	tests := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
		wantFail     bool
	}{
		{name: "healthz ok", method: "GET", path: "/healthz", status: 200,
			header: jsonHeader(appJSON), body: `{"status":"ok"}`},
		{name: "cases is not a list", method: "GET", path: "/v1/cases", status: 200,
			header: jsonHeader(appJSON), body: `{"cases": 5}`, wantFail: true},
		{name: "undocumented status", method: "GET", path: "/healthz", status: http.StatusTeapot,
			header: jsonHeader(appJSON), body: `{"status":"ok"}`, wantFail: true},
		{name: "wrong content type", method: "GET", path: "/v1/cases/cas_1", status: 404,
			header: jsonHeader("text/html"), body: `<p>not found</p>`, wantFail: true},
		{name: "case list", method: "GET", path: "/v1/cases?kind=certification&limit=2", status: 200,
			header: jsonHeader(appJSON),
			body:   mustJSON(t, map[string]any{"cases": []cases.Case{certCase, otherCase}, "next_cursor": "abc"})},
		{name: "certification case", method: "GET", path: "/v1/cases/cas_1", status: 200,
			header: jsonHeader(appJSON), body: mustJSON(t, certCase)},
		{name: "certification case with bad details", method: "GET", path: "/v1/cases/cas_1", status: 200,
			header: jsonHeader(appJSON), body: mustJSON(t, badDetails), wantFail: true},
		{name: "events", method: "GET", path: "/v1/cases/cas_1/events", status: 200, header: jsonHeader(appJSON),
			body: mustJSON(t, map[string]any{"events": []cases.Event{
				{Seq: 1, Type: "submitted", Status: "checking", Actor: partner, Detail: map[string]any{"submission": 1}, At: now},
				{Seq: 2, Type: "checks_passed", Status: "in_review", Actor: cases.System, At: now},
			}})},
		{name: "action taken", method: "POST", path: "/v1/cases/cas_1/actions/resubmit", status: 200,
			header: jsonHeader(appJSON), body: mustJSON(t, certCase)},
		{name: "action refused", method: "POST", path: "/v1/cases/cas_1/actions/approve", status: 409,
			header: jsonHeader(problemJSON), body: problem(409)},
		{name: "certification started", method: "POST", path: "/v1/partners/par_1/certifications", status: 202,
			header: jsonHeader(appJSON, "Location", "/v1/cases/cas_1"), body: mustJSON(t, certCase)},
		{name: "certification started without Location", method: "POST", path: "/v1/partners/par_1/certifications",
			status: 202, header: jsonHeader(appJSON), body: mustJSON(t, certCase), wantFail: true},
		{name: "invalid business info", method: "POST", path: "/v1/partners/par_1/certifications", status: 422,
			header: jsonHeader(problemJSON), body: problem(422, rules.FieldError{Field: "certificate_number", Message: "is required"})},
		{name: "problem without status", method: "POST", path: "/v1/partners/par_1/certifications", status: 400,
			header: jsonHeader(problemJSON), body: `{"type":"urn:partnerops:problem:bad-request","title":"Bad Request"}`, wantFail: true},
		{name: "unauthorized", method: "GET", path: "/v1/notifications", status: 401,
			header: jsonHeader(problemJSON, "WWW-Authenticate", `Bearer realm="partnerops"`), body: problem(401)},
		{name: "notifications", method: "GET", path: "/v1/notifications", status: 200, header: jsonHeader(appJSON),
			body: mustJSON(t, map[string]any{"notifications": []store.Notification{
				{ID: 7, CaseID: "cas_1", Audience: cases.AudiencePartner, Kind: "certification_rejected", Message: "m", CreatedAt: now},
			}})},
		{name: "calendar", method: "GET", path: "/v1/calendar/days", status: 200, header: jsonHeader(appJSON),
			body: mustJSON(t, map[string]any{"days": []rules.SourcedDay{{CalendarDay: rules.CalendarDay{Date: "2026-10-01", Kind: rules.Holiday, Name: "国庆节"}, Source: rules.Statutory}}})},
		{name: "calendar day put", method: "PUT", path: "/v1/calendar/days/2026-10-11", status: 200, header: jsonHeader(appJSON),
			body: mustJSON(t, rules.CalendarDay{Date: "2026-10-11", Kind: rules.MakeUpWorkday})},
		{name: "calendar day deleted", method: "DELETE", path: "/v1/calendar/days/2026-10-11", status: 204},
		{name: "not ready", method: "GET", path: "/readyz", status: 503, header: jsonHeader(problemJSON),
			body: `{"type":"urn:partnerops:problem:not-ready","title":"Service Unavailable","status":503,` +
				`"detail":"Temporal not answering; see checks","ready":false,"checks":{"postgresql":"ok","temporal":"connection refused",` +
				`"workers":{"state":"connection refused","task_queue":"partnerops","pollers":0}}}`},
		{name: "metrics", method: "GET", path: "/metrics", status: 200,
			header: jsonHeader("text/plain; version=0.0.4; charset=utf-8; escaping=underscores"), body: "# HELP x\nx 1\n"},
		{name: "unknown route answers a problem", method: "GET", path: "/v1/nothing", status: 404,
			header: jsonHeader(problemJSON), body: problem(404)},
		{name: "unknown route answers 200", method: "GET", path: "/v1/nothing", status: 200,
			header: jsonHeader(appJSON), body: `{}`, wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, resp, body := fakeExchange(t, tt.method, tt.path, tt.status, tt.header, tt.body)
			rec := &tbRecorder{TB: t}
			checker.check(rec, req, resp, body)
			switch {
			case tt.wantFail && len(rec.errors) == 0:
				t.Errorf("check passed %s %s %d %s; want a contract error", tt.method, tt.path, tt.status, tt.body)
			case !tt.wantFail && len(rec.errors) > 0:
				t.Errorf("check failed a valid exchange:\n%s", strings.Join(rec.errors, "\n"))
			case tt.wantFail:
				t.Logf("failed as it should: %s", strings.Join(rec.errors, "\n"))
			}
			if got, _ := io.ReadAll(resp.Body); string(got) != tt.body {
				t.Errorf("check consumed the response body: %q left, want %q", got, tt.body)
			}
		})
	}
}
