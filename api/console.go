package api

import (
	_ "embed"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/fiber/v2"
)

// docsPage renders the OpenAPI document for people with docsRenderer.
//
//go:embed console/docs.html
var docsPage []byte

// docsRenderer is Redoc's standalone bundle (redoc 2.5.4 from npm, MIT: see
// console/vendor/LICENSE), served by the API itself so that the rendered
// document needs no internet.
//
//go:embed console/vendor/redoc.standalone.js
var docsRenderer []byte

// docsContentSecurity lets the docs page fetch only from this server: the
// bundle would otherwise load its "API docs by Redocly" logo from a CDN.
// Redoc injects its styles inline and runs its search in a blob: worker.
const docsContentSecurity = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:"

// pageRoutes are the routes Fiber serves itself: the console's pages and
// the document, public, and the metrics, for staff.
func (s *Server) pageRoutes(app *fiber.App) {
	s.consoleRoutes(app)
	registerPlain(s, app, plainOperation("apiDocs", "/v1/docs", "This document, rendered", fiber.MIMETextHTMLCharsetUTF8),
		public, func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentSecurityPolicy, docsContentSecurity)
			return sendBytes(fiber.MIMETextHTMLCharsetUTF8, docsPage)(c)
		})
	registerPlain(s, app, plainOperation("apiDocsRenderer", "/v1/docs/redoc.standalone.js", "The script that renders /v1/docs", fiber.MIMETextJavaScriptCharsetUTF8),
		public, sendBytes(fiber.MIMETextJavaScriptCharsetUTF8, docsRenderer))
	registerPlain(s, app, plainOperation("metrics", "/metrics", "Prometheus metrics (staff)", "text/plain", "application/openmetrics-text"),
		staffObserves, s.metrics.handler())
	registerPlain(s, app, plainOperation("openapi", "/v1/openapi.json", "This OpenAPI document", fiber.MIMEApplicationJSON),
		public, func(c *fiber.Ctx) error { return sendBytes(fiber.MIMEApplicationJSON, s.document())(c) })
}

// plainOperation documents a GET Fiber answers with a text body, or a
// JSON object.
func plainOperation(id, path, summary string, mediaTypes ...string) huma.Operation {
	content := map[string]*huma.MediaType{}
	for _, mt := range mediaTypes {
		schema := &huma.Schema{Type: huma.TypeString}
		if mt == fiber.MIMEApplicationJSON {
			schema = &huma.Schema{Type: huma.TypeObject, Description: "An OpenAPI 3.1 document"}
		}
		content[mt] = &huma.MediaType{Schema: schema}
	}
	return huma.Operation{
		OperationID: id, Method: http.MethodGet, Path: path, Summary: summary, Tags: []string{"operations"},
		Responses: map[string]*huma.Response{"200": {Description: summary, Content: content}},
	}
}

func sendBytes(contentType string, body []byte) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, contentType)
		return c.Send(body)
	}
}
