package api

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/fiber/v2"
)

// The document promises what the server does, no more: a list is never
// null (Huma's default declares every Go slice nullable, so a generated
// client would nil-check each), and an identifier in a path or a query
// has the shape the gate enforces (identifierPattern).

func init() {
	// lists are declared non-nullable; noNullLists keeps the promise
	huma.DefaultArrayNullable = false
}

// noNullLists is a Huma transformer: every answer's nil slices are sent
// as empty lists. It copies what it changes, so no value a handler shares
// (a cached list, a store's row) is modified.
func noNullLists(_ huma.Context, _ string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	return filledValue(reflect.ValueOf(v)).Interface(), nil
}

// filledValue is v with every nil slice it holds, at any depth, an empty
// one. Bytes (json.RawMessage, []byte) are left as they are: they are not
// lists in JSON.
func filledValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || !mayHoldSlice(v.Type().Elem(), 0) {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(filledValue(v.Elem()))
		return p
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(filledValue(v.Elem()))
		return out
	case reflect.Struct:
		if !mayHoldSlice(v.Type(), 0) {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if f := out.Field(i); f.CanSet() {
				f.Set(filledValue(f))
			}
		}
		return out
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v
		}
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0)
		}
		if !mayHoldSlice(v.Type().Elem(), 0) {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(filledValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() || !mayHoldSlice(v.Type().Elem(), 0) {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), filledValue(it.Value()))
		}
		return out
	}
	return v
}

// mayHoldSlice says whether a value of type t can hold a list that
// marshals as null (an interface may hold anything).
func mayHoldSlice(t reflect.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch t.Kind() {
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Array, reflect.Map:
		return mayHoldSlice(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mayHoldSlice(f.Type, depth+1) {
				return true
			}
		}
	}
	return false
}

// bodyIdentifiers are the request fields that name an object of this
// API (a partner, customer, principal, webhook event); the others ending
// in _id (a bank transaction, a cloud account) are another system's.
var bodyIdentifiers = []string{"partner_id", "customer_id", "principal_id", "event_id"}

// identifierSchemaPattern is identifierPattern as the document states it;
// a query filter may also be empty (no filter).
var (
	identifierSchemaPattern = identifierPattern.String()
	identifierFilterPattern = `^(` + strings.TrimSuffix(strings.TrimPrefix(identifierSchemaPattern, "^"), "$") + `)?$`
)

// identifierDescription completes a refusal of the pattern: "must be …".
const identifierDescription = "an identifier: letters, digits, '_', '-', '.' or ':', starting with a letter or digit"

// documentIdentifiers states on an operation's parameters the shape the
// gate enforces: every path parameter, and a query parameter named *_id,
// is an identifier. A parameter with its own format (a date) keeps it.
// The request body's bodyIdentifiers get the pattern too, which Huma's
// validation then enforces.
func documentIdentifiers(api huma.API, op *huma.Operation) {
	for _, p := range op.Parameters {
		if p.Schema == nil || p.Schema.Type != huma.TypeString || p.Schema.Pattern != "" || p.Schema.Format != "" || len(p.Schema.Enum) > 0 {
			continue
		}
		switch {
		case p.In == "path":
			p.Schema.Pattern = identifierSchemaPattern
		case p.In == "query" && strings.HasSuffix(p.Name, "_id"):
			p.Schema.Pattern = identifierFilterPattern
		}
	}
	if op.RequestBody == nil || op.RequestBody.Content["application/json"] == nil {
		return
	}
	body := op.RequestBody.Content["application/json"].Schema
	for body != nil && body.Ref != "" {
		body = api.OpenAPI().Components.Schemas.SchemaFromRef(body.Ref)
	}
	if body == nil {
		return
	}
	for _, name := range bodyIdentifiers {
		if f := body.Properties[name]; f != nil && f.Type == huma.TypeString && f.Pattern == "" {
			// the description words the refusal ("must be an identifier…")
			// but is not OpenAPI: it is dropped once the message is made
			f.Pattern, f.PatternDescription = identifierSchemaPattern, identifierDescription
			f.PrecomputeMessages()
			f.PatternDescription = ""
		}
	}
}

// consoleStatuses are the statuses each console route answers besides the
// rate limit's 429: a page (200), a redirect (303: to the sign-in page
// without a session, on after a form), and the console's error pages,
// HTML like the rest (401 a form without a session, 403 a form without
// its CSRF token or a page not for this principal, 404 an object not the
// viewer's, 422 a form's bad field, 503 PostgreSQL away).
var consoleStatuses = map[string][]int{
	"home":                   {303},
	"favicon":                {200},
	"consoleScript":          {200},
	"consoleStyles":          {200},
	"consoleSignInPage":      {200},
	"consoleSignIn":          {303, 401, 403, 422, 503},
	"consoleSignOut":         {303, 401, 403, 503},
	"consoleLanguage":        {303, 401, 403, 422, 503},
	"console":                {200, 303, 422, 503},
	"consoleCase":            {200, 303, 404, 503},
	"consoleCaseAction":      {303, 401, 403, 404, 422, 503},
	"consoleDashboard":       {200, 303, 403, 422, 503},
	"consoleNotifications":   {200, 303, 422, 503},
	"consoleMarkAllRead":     {303, 401, 403, 422, 503},
	"consoleMarkRead":        {303, 401, 403, 404, 503},
	"consoleCalendar":        {200, 303, 403, 422, 503},
	"consoleCalendarPut":     {303, 401, 403, 422, 503},
	"consoleCalendarDelete":  {200, 303, 401, 403, 404, 422, 503},
	"consoleSessions":        {200, 303, 403, 503},
	"consoleEndSession":      {303, 401, 403, 404, 503},
	"consolePaymentRequests": {200, 303, 403, 422, 503},
	"consoleShortcuts":       {200},
	"consoleClaim":           {303, 401, 403, 404, 409, 503},
	"consoleAssign":          {303, 401, 403, 404, 409, 422, 503},
	"consoleComment":         {303, 401, 403, 404, 409, 422, 503},
	"consoleSaveView":        {303, 401, 403, 422, 503},
	"consoleDeleteView":      {303, 401, 403, 404, 503},
	"consoleBulkAssign":      {200, 303, 401, 403, 422, 503},
	"consoleWebhooks":        {200, 303, 403, 422, 503},
	"consoleAttachment":      {200, 303, 403, 404, 503},
}

// documentConsoleStatuses replaces a console route's responses with the
// ones it answers (consoleStatuses); the 429 its policy adds stays.
func documentConsoleStatuses(op *huma.Operation) {
	statuses, ok := consoleStatuses[op.OperationID]
	if !ok {
		return
	}
	page := op.Responses["200"]
	responses := map[string]*huma.Response{}
	for _, status := range statuses {
		r := &huma.Response{Description: http.StatusText(status)}
		switch {
		case status == http.StatusSeeOther:
			r = op.Responses["303"]
		case status == http.StatusOK:
			r = page
		case page != nil:
			r.Content = map[string]*huma.MediaType{fiber.MIMETextHTMLCharsetUTF8: {Schema: &huma.Schema{Type: huma.TypeString, Description: "The console's error page"}}}
		}
		responses[strconv.Itoa(status)] = r
	}
	op.Responses = responses
}
