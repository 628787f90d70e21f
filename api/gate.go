package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humafiber"

	"partnerops/rules"
)

// The input gate is the first Huma middleware of every operation. Before
// the policy looks anything up and before Huma reads the input, it checks
// what every operation takes in the same way, so an operation added later
// is covered without a line of its own:
//   - path parameters are identifiers of a safe shape, query parameters and
//     header parameters one line of valid text (a query parameter named
//     *_id an identifier too);
//   - a body is JSON (415 otherwise), nested at most maxJSONDepth deep, with
//     no key twice; every string in it is valid UTF-8 without NUL or
//     control characters (free text may keep line breaks and tabs,
//     rules.IsFreeText) and is passed on in Unicode normal form C; every
//     amount of money is a whole number of minor units within
//     rules.MaxMoneyAmount; no field is null unless its schema says
//     nullable, every integer fits 64 bits and every number is finite
//     (gate_shape.go).
// Every bad field is named at once, with the schema's own complaints about
// the same body, in one 422. Nothing the gate refuses reaches PostgreSQL
// or a workflow.

// maxJSONDepth bounds how deeply a request body nests: the deepest body
// the API takes nests 4 levels.
const maxJSONDepth = 32

// identifierPattern is the shape of every identifier in a path or query:
// prt_0190…, cas_…, an action's name, a currency.
var identifierPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)

const identifierMessage = "must be " + identifierDescription

func gate(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		fields := paramProblems(ctx, op)
		c := humafiber.Unwrap(ctx)
		if op.RequestBody != nil && takesFiles(op) && !isMultipart(ctx.Header("Content-Type")) {
			writeProblem(api, ctx, problem(http.StatusUnsupportedMediaType, "unsupported-media-type",
				"send the file as multipart/form-data, in the field file"))
			return
		}
		if body := c.Body(); op.RequestBody != nil && !takesFiles(op) && len(bytes.TrimSpace(body)) > 0 {
			if !isJSON(ctx.Header("Content-Type")) {
				writeProblem(api, ctx, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send the body as application/json"))
				return
			}
			clean, bodyFields, err := cleanBody(body)
			if err != nil {
				writeProblem(api, ctx, badRequest(err.Error()))
				return
			}
			bodyFields = append(bodyFields, shapeProblems(api, op, clean, bodyFields)...)
			if len(bodyFields) > 0 {
				fields = append(fields, bodyFields...)
				fields = append(fields, schemaProblems(api, op, clean, fields)...)
			} else {
				c.Request().SetBody(clean)
			}
		}
		if len(fields) > 0 {
			writeProblem(api, ctx, invalid(fields))
			return
		}
		next(ctx)
	}
}

// takesFiles says whether the operation's body is a multipart form (an
// upload), which Huma reads and the handler checks by its bytes.
func takesFiles(op *huma.Operation) bool {
	_, ok := op.RequestBody.Content["multipart/form-data"]
	return ok
}

// isMultipart says whether a request's Content-Type is a multipart form.
func isMultipart(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "multipart/form-data"
}

// isJSON says whether a request's Content-Type is JSON. A body without
// one is taken as JSON, the only type the API reads.
func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"))
}

// paramProblems names every path, query and header parameter of the
// operation whose value is not of its shape.
func paramProblems(ctx huma.Context, op *huma.Operation) rules.FieldErrors {
	var fields rules.FieldErrors
	u := ctx.URL()
	query := u.Query()
	for _, p := range op.Parameters {
		var values []string
		switch p.In {
		case "path":
			values = []string{ctx.Param(p.Name)}
		case "query":
			values = query[p.Name]
		case "header":
			if v := ctx.Header(p.Name); v != "" {
				values = []string{v}
			}
		}
		for _, v := range values {
			if msg := paramProblem(p, v); msg != "" {
				fields = append(fields, rules.FieldError{Field: p.Name, Message: msg})
				break
			}
		}
	}
	return fields
}

func paramProblem(p *huma.Param, v string) string {
	if msg := rules.TextProblem(v, false); msg != "" {
		return msg
	}
	identifier := p.In == "path" || strings.HasSuffix(p.Name, "_id")
	if identifier && !identifierPattern.MatchString(v) && (p.In == "path" || v != "") { // an empty filter is no filter
		return identifierMessage
	}
	return ""
}

// errTooDeep refuses a body nested deeper than maxJSONDepth.
var errTooDeep = fmt.Errorf("the request body nests deeper than %d levels", maxJSONDepth)

// cleanBody reads one JSON value: the same value with its strings in
// normal form C, or the fields whose text or amount is bad, or an error
// when the body is not JSON the gate can read at all.
func cleanBody(body []byte) ([]byte, rules.FieldErrors, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := &bodyWalk{dec: dec}
	v, err := w.value("", "", 0)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err != nil {
		if errors.Is(err, errTooDeep) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("the request body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, nil, err // only plain values were decoded: it always encodes
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), w.fields, nil
}

// bodyWalk decodes a body token by token, bounding its depth and checking
// each string where it stands.
type bodyWalk struct {
	dec    *json.Decoder
	fields rules.FieldErrors
}

// value reads the value at path; name is the key it is under (an array's
// items are under their array's key).
func (w *bodyWalk) value(path, name string, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errTooDeep
	}
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return w.object(path, depth)
		}
		if t == '[' {
			return w.array(path, name, depth)
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case string:
		if msg := rules.TextProblem(t, rules.IsFreeText(name)); msg != "" {
			w.add(path, msg)
			return t, nil
		}
		return rules.NormalizeText(t), nil
	case json.Number:
		if isAmount(name) {
			if msg := amountProblem(t); msg != "" {
				w.add(path, msg)
			}
		}
	}
	return tok, nil
}

func (w *bodyWalk) object(path string, depth int) (any, error) {
	obj := map[string]any{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // inside an object the decoder yields keys as strings
		at := key
		if path != "" {
			at = path + "." + key
		}
		if msg := rules.TextProblem(key, false); msg != "" {
			w.add(at, "is not a field of this request: its name "+msg)
		} else if _, twice := obj[key]; twice {
			w.add(at, "is given twice")
		}
		v, err := w.value(at, key, depth+1)
		if err != nil {
			return nil, err
		}
		obj[key] = v
	}
	_, err := w.dec.Token() // the closing brace
	return obj, err
}

func (w *bodyWalk) array(path, name string, depth int) (any, error) {
	list := []any{}
	for i := 0; w.dec.More(); i++ {
		v, err := w.value(fmt.Sprintf("%s[%d]", path, i), name, depth+1)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	_, err := w.dec.Token() // the closing bracket
	return list, err
}

func (w *bodyWalk) add(path, msg string) {
	if path == "" {
		path = "body"
	}
	w.fields = append(w.fields, rules.FieldError{Field: path, Message: msg})
}

// isAmount says whether a number under this key is an amount of money.
func isAmount(name string) bool { return name == "amount" || strings.HasSuffix(name, "_amount") }

func amountProblem(n json.Number) string {
	v, err := n.Int64()
	switch {
	case err != nil:
		return fmt.Sprintf("must be a whole number of minor units, at most %d", rules.MaxMoneyAmount)
	case v > rules.MaxMoneyAmount || v < -rules.MaxMoneyAmount:
		return fmt.Sprintf("must be at most %d minor units", rules.MaxMoneyAmount)
	}
	return ""
}

// schemaProblems are the complaints of the operation's body schema about
// a body the gate refuses, for the fields it did not name already, so
// that one answer names every bad field.
func schemaProblems(api huma.API, op *huma.Operation, body []byte, named rules.FieldErrors) rules.FieldErrors {
	media := op.RequestBody.Content["application/json"]
	var parsed any
	if media == nil || media.Schema == nil || json.Unmarshal(body, &parsed) != nil {
		return nil
	}
	res := &huma.ValidateResult{}
	pb := huma.NewPathBuffer([]byte{}, 0)
	pb.Push("body")
	huma.Validate(api.OpenAPI().Components.Schemas, media.Schema, pb, huma.ModeWriteToServer, parsed, res)
	return schemaFields(res.Errors, named)
}

// schemaFields turns a schema's errors into field errors, leaving out the
// fields already named.
func schemaFields(errs []error, named rules.FieldErrors) rules.FieldErrors {
	var fields rules.FieldErrors
	for _, err := range errs {
		var detail *huma.ErrorDetail
		if !errors.As(err, &detail) {
			continue
		}
		f, ok := fieldOf(detail)
		if !ok || slices.ContainsFunc(append(named, fields...), func(seen rules.FieldError) bool { return seen.Field == f.Field }) {
			continue
		}
		fields = append(fields, f)
	}
	return fields
}
