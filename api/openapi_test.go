package api

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// loadOpenAPIDocument parses and validates the published document.
func loadOpenAPIDocument(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIDocument())
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the served document is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPIDocument(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	// Every operation but the public ones needs the bearer token.
	public := map[string]bool{"/healthz": true, "/readyz": true, "/v1/openapi.json": true, "/v1/docs": true, "/v1/docs/redoc.standalone.js": true, "/": true, "/favicon.ico": true,
		"/v1/partner-registrations": true}
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Errorf("global security = %v, want [{bearerAuth: []}]", doc.Security)
	}
	for path, item := range doc.Paths.Map() {
		// the console's pages take a session cookie, not the token
		public[path] = public[path] || strings.HasPrefix(path, "/console")
		for method, op := range item.Operations() {
			switch {
			case public[path] && (op.Security == nil || len(*op.Security) != 0):
				t.Errorf("%s %s is public and must say security: []", method, path)
			case !public[path] && op.Security != nil:
				t.Errorf("%s %s must use the global bearerAuth security, not its own", method, path)
			case !public[path] && op.Responses.Status(http.StatusUnauthorized) == nil:
				t.Errorf("%s %s needs a token and must document 401", method, path)
			}
		}
	}
}

// TestOpenAPIRoutesMatchServer checks that the document and the Fiber app
// describe the same routes: every route is an operation, every operation a route.
func TestOpenAPIRoutesMatchServer(t *testing.T) {
	doc := loadOpenAPIDocument(t)

	// Store and Temporal are nil: New only keeps them for the handlers.
	app := New(Deps{Logger: slog.New(slog.DiscardHandler)})
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}

	served := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		path := fiberParam.ReplaceAllString(r.Path, "{$1}")
		if r.Method == http.MethodHead && !documented[r.Method+" "+path] { // Fiber adds HEAD to every GET
			continue
		}
		served[r.Method+" "+path] = true
	}

	var undocumented, unserved []string
	for route := range served {
		if !documented[route] {
			undocumented = append(undocumented, route)
		}
	}
	for route := range documented {
		if !served[route] {
			unserved = append(unserved, route)
		}
	}
	slices.Sort(undocumented)
	slices.Sort(unserved)
	if len(undocumented) > 0 {
		t.Errorf("routes served but not in the document:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unserved) > 0 {
		t.Errorf("operations in the document that the server has no route for:\n  %s", strings.Join(unserved, "\n  "))
	}
	if len(served) == 0 {
		t.Fatal("the Fiber app has no routes")
	}
}

// TestOpenAPIAnswersWithoutBackends checks the answers the server gives
// without PostgreSQL or Temporal against the document: the public
// endpoints, a missing token, an over-long body.
func TestOpenAPIAnswersWithoutBackends(t *testing.T) {
	doc := loadOpenAPIDocument(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Logger: slog.New(slog.DiscardHandler)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	base := "http://" + ln.Addr().String()
	tests := []struct {
		method, path string
		body         []byte
		status       int
	}{
		{"GET", "/healthz", nil, http.StatusOK},
		{"GET", "/v1/openapi.json", nil, http.StatusOK},
		{"GET", "/metrics", nil, http.StatusUnauthorized},
		{"GET", "/v1/cases", nil, http.StatusUnauthorized},
		{"POST", "/v1/cases/cas_1/actions/approve", []byte(`{}`), http.StatusUnauthorized},
		{"POST", "/v1/partners/par_1/certifications", make([]byte, MaxUploadBytes+1), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, base+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var resp *http.Response
			if len(tt.body) > MaxUploadBytes {
				resp = sendHeadOnly(t, ln.Addr().String(), req)
			} else if resp, err = http.DefaultClient.Do(req); err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
			err = openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
				Status:                 resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
			})
			if err != nil {
				t.Errorf("the answer does not match the document: %v\nbody: %.500s", err, body)
			}
		})
	}
}

// sendHeadOnly sends req's head announcing its Content-Length but not its
// body, and reads the answer: the server refuses an over-long body from its
// length alone and closes the connection, which can break a client still
// writing the body.
func sendHeadOnly(t *testing.T, addr string, req *http.Request) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		req.Method, req.URL.RequestURI(), addr, req.ContentLength)
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
