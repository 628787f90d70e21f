package api

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docSchema is the part of a JSON schema the shape test reads.
type docSchema struct {
	Ref        string                `json:"$ref"`
	Type       string                `json:"-"`
	Nullable   bool                  `json:"-"`
	Properties map[string]*docSchema `json:"properties"`
}

// UnmarshalJSON reads type as OpenAPI 3.1 writes it: a name, or a list of
// names of which "null" makes the schema nullable.
func (s *docSchema) UnmarshalJSON(data []byte) error {
	type plain docSchema
	var typed struct {
		plain
		Type json.RawMessage `json:"type"`
	}
	if err := json.Unmarshal(data, &typed); err != nil {
		return err
	}
	*s = docSchema(typed.plain)
	var names []string
	if json.Unmarshal(typed.Type, &s.Type) != nil && json.Unmarshal(typed.Type, &names) == nil {
		for _, n := range names {
			if n == "null" {
				s.Nullable = true
			} else {
				s.Type = n
			}
		}
	}
	return nil
}

// shapeCase is one body the test sends: value at field (a dotted path).
type shapeCase struct {
	field string
	body  string
}

// fieldsOfType walks an operation's body schema to depth 3 and lists the
// fields whose schema satisfies want, each with a body that sets it (and
// only it) to value.
func fieldsOfType(schemas map[string]*docSchema, s *docSchema, prefix []string, value string, want func(*docSchema) bool, depth int) []shapeCase {
	for s != nil && s.Ref != "" {
		s = schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	if s == nil || depth > 3 {
		return nil
	}
	var out []shapeCase
	for name, p := range s.Properties {
		path := append(slices.Clone(prefix), name)
		resolved := p
		for resolved != nil && resolved.Ref != "" {
			resolved = schemas[strings.TrimPrefix(resolved.Ref, "#/components/schemas/")]
		}
		if resolved == nil {
			continue
		}
		if want(resolved) && want(p) || want(resolved) && p.Ref != "" {
			body := value
			for i := len(path) - 1; i >= 0; i-- {
				body = fmt.Sprintf(`{%q:%s}`, path[i], body)
			}
			out = append(out, shapeCase{field: strings.Join(path, "."), body: body})
		}
		if resolved.Type == "object" {
			out = append(out, fieldsOfType(schemas, resolved, path, value, want, depth+1)...)
		}
	}
	return out
}

// goWords are what a message must not show: Go's own types and decoder.
var goWords = regexp.MustCompile(`Go (value|struct)|float64|int64|\bint\b|unmarshal`)

// Every integer field of every operation refuses numbers no integer holds,
// and every field the schema does not call nullable refuses null, with a
// 422 naming the field in the API's words; a nullable field takes null.
func TestNumbersAndNullsNameTheirField(t *testing.T) {
	call, _ := newGateCall(t)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]*docSchema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	pathParam := regexp.MustCompile(`\{[^}]+\}`)
	integers, nonNullable, nullable := 0, 0, 0
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				RequestBody struct {
					Content map[string]struct {
						Schema *docSchema `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if json.Unmarshal(raw, &op) != nil {
				continue
			}
			media, ok := op.RequestBody.Content["application/json"]
			if !ok || media.Schema == nil {
				continue
			}
			target := pathParam.ReplaceAllString(path, "x1")
			method = strings.ToUpper(method)
			refused := func(c shapeCase, what string) {
				t.Helper()
				status, p, rawBody := call(method, target, "application/json", c.body)
				if status != 422 || !slices.Contains(fieldNames(p), c.field) || goWords.Match(rawBody) {
					t.Errorf("%s %s with %s: %d %s", method, path, what, status, rawBody)
				}
			}
			isInteger := func(s *docSchema) bool { return s.Type == "integer" }
			for _, value := range []string{"1e309", "1e20", "-1e309", "9223372036854775808"} {
				for _, c := range fieldsOfType(doc.Components.Schemas, media.Schema, nil, value, isInteger, 0) {
					integers++
					refused(c, c.field+"="+value)
				}
			}
			for _, c := range fieldsOfType(doc.Components.Schemas, media.Schema, nil, "null", func(s *docSchema) bool {
				return !s.Nullable && (s.Type == "string" || s.Type == "integer" || s.Type == "object" || s.Type == "array" || s.Type == "boolean")
			}, 0) {
				nonNullable++
				refused(c, c.field+"=null")
			}
			for _, c := range fieldsOfType(doc.Components.Schemas, media.Schema, nil, "null", func(s *docSchema) bool { return s.Nullable }, 0) {
				nullable++
				_, p, rawBody := call(method, target, "application/json", c.body)
				for _, f := range p.Errors {
					if f.Field == c.field && strings.Contains(f.Message, "null") {
						t.Errorf("%s %s refuses null for %s, which the document calls nullable: %s", method, path, c.field, rawBody)
					}
				}
			}
		}
	}
	t.Logf("%d out-of-range integers, %d nulls refused, %d nullable fields", integers, nonNullable, nullable)
	if integers == 0 || nonNullable == 0 || nullable == 0 {
		t.Errorf("the document gave %d integer, %d non-nullable and %d nullable fields to try", integers, nonNullable, nullable)
	}
}
