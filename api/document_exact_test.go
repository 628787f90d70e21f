package api

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// An answer's nil lists, at any depth, are sent as [] (the document
// declares no list nullable); bytes and raw JSON are left as they are,
// and the handler's value is not changed.
func TestNoNullLists(t *testing.T) {
	type item struct {
		Tags []string `json:"tags"`
	}
	type body struct {
		Items   []item          `json:"items"`
		Nested  *item           `json:"nested"`
		ByKey   map[string]item `json:"by_key"`
		Any     any             `json:"any"`
		Raw     json.RawMessage `json:"raw,omitempty"`
		Omitted []int           `json:"omitted,omitempty"`
		private []int
	}
	in := &body{Items: []item{{}}, Nested: &item{}, ByKey: map[string]item{"a": {}}, Any: item{}, private: nil}
	out, err := noNullLists(nil, "200", in)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(out)
	if strings.Contains(string(got), "null") {
		t.Errorf("a list is null: %s", got)
	}
	if want := `{"items":[{"tags":[]}],"nested":{"tags":[]},"by_key":{"a":{"tags":[]}},"any":{"tags":[]}}`; string(got) != want {
		t.Errorf("answer %s, want %s", got, want)
	}
	if in.Items[0].Tags != nil || in.Nested.Tags != nil {
		t.Error("the handler's value was changed")
	}
	var doc map[string]any
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if types, ok := v["type"].([]any); ok && slices.Contains(types, any("array")) && slices.Contains(types, any("null")) {
				t.Errorf("the document declares a list nullable at %s", at)
			}
			for k, item := range v {
				walk(at+"/"+k, item)
			}
		case []any:
			for _, item := range v {
				walk(at, item)
			}
		}
	}
	walk("", doc)
}

// The document states the identifiers' shape the server enforces: on
// every path parameter and *_id query parameter of the API (the gate), and
// on the request fields naming this API's objects (Huma's validation).
func TestIdentifierPatternsAreEnforced(t *testing.T) {
	doc := loadOpenAPIDocument(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if slices.Contains(op.Tags, "console") {
				continue
			}
			for _, p := range op.Parameters {
				s := p.Value.Schema.Value
				if (p.Value.In == "path" || strings.HasSuffix(p.Value.Name, "_id") && p.Value.In == "query") && s.Pattern == "" && s.Format == "" {
					t.Errorf("%s %s: %s has no pattern", method, path, p.Value.Name)
				}
			}
		}
	}
	app, _, _, adminToken, partnerID := contractFixture(t)
	req := httptest.NewRequest("POST", "/v1/partners/"+partnerID+"/invitations", strings.NewReader(`{"principal_id":"not an id"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	var p Problem
	_ = json.Unmarshal(raw, &p)
	if resp.StatusCode != 422 || !slices.Contains(fieldNames(p), "principal_id") || !strings.Contains(string(raw), identifierMessage) {
		t.Errorf("an invitation of a malformed principal_id: %d %s", resp.StatusCode, raw)
	}
}
