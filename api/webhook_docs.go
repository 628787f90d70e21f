package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/events"
)

// registerEventCatalogue writes the event catalogue (events.Catalogue)
// into the document's webhooks section (OpenAPI 3.1): for each type, the
// request partnerops sends to a partner's endpoint, with its signature
// headers and an example body.
func registerEventCatalogue(oa *huma.OpenAPI) {
	envelope := oa.Components.Schemas.Schema(reflect.TypeFor[events.Envelope](), true, "")
	header := func(name, doc string) *huma.Param {
		return &huma.Param{Name: name, In: "header", Required: true, Description: doc, Schema: &huma.Schema{Type: huma.TypeString}}
	}
	if oa.Webhooks == nil {
		oa.Webhooks = map[string]*huma.PathItem{}
	}
	for _, t := range events.Catalogue {
		kind := "any kind of case"
		if t.Kind != "" {
			kind = "a " + string(t.Kind) + " case"
		} else if t.ExampleData.Case == nil {
			kind = "a record, no case"
		}
		oa.Webhooks[t.Name] = &huma.PathItem{Post: &huma.Operation{
			OperationID: "event." + t.Name,
			Summary:     t.Name,
			Description: t.Summary + " About " + kind + ". Sent as a POST to each endpoint subscribed to it, signed per the " +
				"Standard Webhooks specification (docs/webhooks.md shows how to verify it). Retried until a 2xx answer, in order per case.",
			Tags: []string{"events"},
			Parameters: []*huma.Param{
				header("webhook-id", "The event's ID (the body's id): the same on every retry and replay; de-duplicate by it."),
				header("webhook-timestamp", "When this attempt was signed, in Unix seconds: refuse one more than 5 minutes off."),
				header("webhook-signature", "Space-separated v1,<base64 HMAC-SHA256 of id.timestamp.body> signatures, one per valid secret."),
			},
			RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
				"application/json": {Schema: envelope, Example: t.Example()},
			}},
			Responses: map[string]*huma.Response{
				"200": {Description: "Received (any 2xx). Other answers and timeouts (10 s) are retried with exponential backoff for 3 days."},
				"410": {Description: strings.TrimSpace(http.StatusText(http.StatusGone) + ": the endpoint is disabled; nothing more is sent to it.")},
			},
		}}
	}
}

// EventCatalogueMarkdown is the event catalogue as docs/webhooks.md shows
// it (between its catalogue markers): each type, when it happens, and an
// example body.
func EventCatalogueMarkdown() string {
	var b strings.Builder
	b.WriteString("| Type | About | When |\n|---|---|---|\n")
	for _, t := range events.Catalogue {
		about := "any case"
		switch {
		case t.Kind != "":
			about = "`" + string(t.Kind) + "` case"
		case t.ExampleData.Case == nil:
			about = "record"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", t.Name, about, t.Summary)
	}
	for _, t := range events.Catalogue {
		example, err := json.MarshalIndent(t.Example(), "", "  ")
		if err != nil {
			panic(err) // plain data: it always marshals
		}
		fmt.Fprintf(&b, "\n### `%s`\n\n%s\n\n```json\n%s\n```\n", t.Name, t.Summary, example)
	}
	return b.String()
}
