package api

import (
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
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
