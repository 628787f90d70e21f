package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
)

// The gate's shape check walks a body against its operation's schema for
// what Huma's validation lets through or answers in Go's words: a null
// where the schema does not say nullable (Huma skips a null optional
// field), an integer that no integer holds (1e20, 2^63: Go's decoder
// would name its own types) and a number beyond any float (1e309).

// integerMessage refuses a value an integer field cannot hold.
var integerMessage = fmt.Sprintf("must be a whole number from %d to %d", math.MinInt64, math.MaxInt64)

// shapeProblems names the fields of body (JSON, as the gate cleaned it)
// whose value the operation's schema refuses that way, leaving out the
// fields already named.
func shapeProblems(api huma.API, op *huma.Operation, body []byte, named rules.FieldErrors) rules.FieldErrors {
	media := op.RequestBody.Content["application/json"]
	if media == nil || media.Schema == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	w := &shapeWalk{registry: api.OpenAPI().Components.Schemas}
	w.value(media.Schema, v, "")
	var fields rules.FieldErrors
	for _, f := range w.fields {
		if !slices.ContainsFunc(named, func(seen rules.FieldError) bool { return seen.Field == f.Field }) {
			fields = append(fields, f)
		}
	}
	return fields
}

type shapeWalk struct {
	registry huma.Registry
	fields   rules.FieldErrors
}

func (w *shapeWalk) value(s *huma.Schema, v any, path string) {
	for s != nil && s.Ref != "" {
		s = w.registry.SchemaFromRef(s.Ref)
	}
	if s == nil {
		return
	}
	switch v := v.(type) {
	case nil:
		if !s.Nullable && path != "" {
			w.add(path, "must not be null: leave the field out instead")
		}
	case json.Number:
		if msg := numberProblem(s.Type, v); msg != "" {
			w.add(path, msg)
		}
	case map[string]any:
		for key, item := range v {
			at := key
			if path != "" {
				at = path + "." + key
			}
			w.value(s.Properties[key], item, at)
		}
	case []any:
		for i, item := range v {
			w.value(s.Items, item, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func (w *shapeWalk) add(path, msg string) {
	w.fields = append(w.fields, rules.FieldError{Field: path, Message: msg})
}

// numberProblem says what is wrong with a number for a field of the
// schema type: an integer field takes a whole number a 64-bit integer
// holds; any number must be finite.
func numberProblem(schemaType string, n json.Number) string {
	if schemaType == "integer" {
		if _, err := n.Int64(); err != nil {
			return integerMessage
		}
		return ""
	}
	if f, err := strconv.ParseFloat(n.String(), 64); err != nil || math.IsInf(f, 0) {
		return "is out of range: a number must be finite and at most 1.7976931348623157e308 in size"
	}
	return ""
}
