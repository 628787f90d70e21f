package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humafiber"
	"github.com/danielgtaylor/huma/v2/validation"
	"github.com/gofiber/fiber/v2"

	"partnerops/rules"
	"partnerops/store"
)

// The API is described by its code: every operation is registered with
// Huma (over Fiber, so Fiber's middleware keeps running first) as a typed
// handler whose input and output types generate the OpenAPI document, and
// with its access policy (policy.go).

func init() {
	// Huma answers its own refusals (bad JSON, a field its schema refuses,
	// a body too large) through these: as this API's Problem, naming fields
	// the way the rules do.
	huma.NewError = humaProblem
	huma.NewErrorWithContext = func(_ huma.Context, status int, msg string, errs ...error) huma.StatusError {
		return humaProblem(status, msg, errs...)
	}
	// "Company_Name" is not company_name: strict bodies mean exact names.
	huma.ValidateStrictCasing = true
	useOwnWords()
}

// useOwnWords makes the schema's complaints speak as the rules do ("must
// be …" after the field's name), never in the validator's or Go's terms.
// The required-property message keeps its form: fieldOf reads the
// property's name from it.
func useOwnWords() {
	validation.MsgUnexpectedProperty = "is not a field of this request"
	validation.MsgExpectedBoolean = "must be true or false"
	validation.MsgExpectedNumber = "must be a number"
	validation.MsgExpectedInteger = "must be a whole number"
	validation.MsgExpectedString = "must be a string"
	validation.MsgExpectedArray = "must be a list"
	validation.MsgExpectedObject = "must be an object"
	validation.MsgExpectedOneOf = "must be one of \"%s\""
	validation.MsgExpectedMinimumNumber = "must be at least %v"
	validation.MsgExpectedExclusiveMinimumNumber = "must be greater than %v"
	validation.MsgExpectedMaximumNumber = "must be at most %v"
	validation.MsgExpectedExclusiveMaximumNumber = "must be less than %v"
	validation.MsgExpectedMinLength = "must be at least %d characters long"
	validation.MsgExpectedMaxLength = "must be at most %d characters long"
	validation.MsgExpectedMatchPattern = "must match the pattern %s"
	validation.MsgExpectedBePattern = "must be %s"
	validation.MsgExpectedMinItems = "must have at least %d items"
	validation.MsgExpectedMaxItems = "must have at most %d items"
	validation.MsgExpectedRFC3339DateTime = "must be a date and time such as 2026-01-31T09:00:00Z"
	validation.MsgExpectedRFC3339Date = "must be a date such as 2026-01-31"
	validation.MsgExpectedRFC5322Email = "must be an email address (%v)"
	validation.MsgExpectedRFC3986URI = "must be a URI (%v)"
	validation.MsgExpectedMatchAtLeastOneSchema = "is not of a form this field takes"
	validation.MsgExpectedMatchExactlyOneSchema = "is not of a form this field takes"
}

// policyKey is where an operation's Metadata holds its access policy.
const policyKey = "policy"

// newHumaAPI builds the Huma API that registers its operations on app.
func newHumaAPI(app *fiber.App) huma.API {
	config := huma.DefaultConfig("partnerops API", "1.0.0")
	config.Info.Description = apiDescription
	config.Servers = []*huma.Server{{URL: "/"}}
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearerAuth": {Type: "http", Scheme: "bearer", Description: "A token of a principal: ops, supervisor, a partner's admin or member, or a customer."},
	}
	config.Security = []map[string][]string{{"bearerAuth": {}}}
	// The document and its page are served by openAPI and docsPage (merged
	// with the areas still described by hand); no "$schema" links in bodies.
	config.OpenAPIPath, config.DocsPath, config.SchemasPath = "", "", ""
	config.CreateHooks = nil
	// JSON only: another content type is a 415.
	config.Formats = map[string]huma.Format{"application/json": huma.DefaultJSONFormat, "json": huma.DefaultJSONFormat}
	config.Transformers = []huma.Transformer{noNullLists}
	api := humafiber.New(app, config)
	registerMoneySchemas(api.OpenAPI().Components.Schemas)
	return api
}

const apiDescription = "The partnerops HTTP API. Partners, customers and ops staff call it with " +
	"`Authorization: Bearer <token>`; a caller sees only its own objects (another principal's object answers 404). " +
	"Errors are `application/problem+json` (RFC 9457). JSON is snake_case, times are RFC 3339 UTC, IDs are strings, " +
	"money is integer minor units with a currency. Every running or finished process is a case. " +
	"The guide is docs/api.md in the repository."

// register adds one operation: its handler, its place in the document and
// its access policy, which the enforce middleware applies before the
// input is read. Every route of the API is registered through register or
// registerPlain, so none lacks a policy (TestEveryRouteHasAPolicy).
func register[I, O any](s *Server, op huma.Operation, pol policy, h func(context.Context, *I) (*O, error)) {
	// enforce refuses an unknown query parameter (422); a body is JSON (415)
	op.Errors = append(op.Errors, http.StatusUnprocessableEntity)
	if _, body := reflect.TypeFor[I]().FieldByName("Body"); body {
		op.Errors = append(op.Errors, http.StatusUnsupportedMediaType)
	}
	describe(&op, pol)
	huma.Register(s.huma, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, problemOf(ctx, s.logger, err, requestIDOf(ctx))
		}
		return out, nil
	})
	documentIdentifiers(s.huma, operationOf(s, op.Method, op.Path))
	// A Location header the output declares is always sent.
	for _, resp := range operationOf(s, op.Method, op.Path).Responses {
		if h := resp.Headers["Location"]; h != nil {
			h.Required = true
		}
	}
}

// registerPlain adds a route Fiber serves itself (a page, metrics, the
// document) to the document with its policy; a route that is not public
// takes a bearer token and its policy's roles.
func registerPlain(s *Server, app *fiber.App, op huma.Operation, pol policy, h fiber.Handler) {
	documentConsoleStatuses(&op)
	describe(&op, pol)
	for _, status := range op.Errors { // Huma documents the errors of its own operations only
		op.Responses[strconv.Itoa(status)] = &huma.Response{Description: http.StatusText(status), Content: map[string]*huma.MediaType{
			"application/problem+json": {Schema: s.huma.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[Problem](), true, "")},
		}}
	}
	s.huma.OpenAPI().AddOperation(&op)
	path := pathParam.ReplaceAllString(op.Path, ":$1") // {case_id} is Fiber's :case_id
	if pol.Public {
		app.Add(op.Method, path, h)
		return
	}
	app.Add(op.Method, path, s.authenticate, func(c *fiber.Ctx) error {
		if refusal := pol.decide(c.Locals(principalKey).(store.Principal), object{}); refusal != nil {
			return refusal
		}
		return c.Next()
	}, h)
}

// describe completes an operation with what its policy implies: public
// routes need no token, the others document 401 and the refusals of their
// policy.
func describe(op *huma.Operation, pol policy) {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[policyKey] = pol
	if pol.Public {
		op.Security = []map[string][]string{}
		// every request counts against its client address's rate limit
		if !slices.Contains(op.Errors, http.StatusTooManyRequests) {
			op.Errors = append(op.Errors, http.StatusTooManyRequests)
		}
		return
	}
	// every call with a token reads PostgreSQL: away, it answers 503; it
	// counts against its token's and address's rate limits (429)
	errs := []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable}
	if pol.canRefuse403() {
		errs = append(errs, http.StatusForbidden)
	}
	if pol.Object != objNone {
		errs = append(errs, http.StatusNotFound)
	}
	if pol.Verb != read && !pol.AfterExit && (pol.Object == objPartner || pol.Object == objPartnerMoney) {
		errs = append(errs, http.StatusConflict) // the partner has exited (Server.exists)
	}
	if pol.Object == objCustomer {
		// to a partner that only asked to associate the customer: 409
		// association-pending (customerFor)
		errs = append(errs, http.StatusConflict)
	}
	for _, status := range op.Errors {
		if !slices.Contains(errs, status) {
			errs = append(errs, status)
		}
	}
	op.Errors = errs
}

// enforce is the Huma middleware that applies an operation's policy to the
// principal and the object in the path, and refuses unknown query
// parameters, before the input is read.
func (s *Server) enforce(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		if unknown := unknownQueryParams(ctx, op); len(unknown) > 0 {
			_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "unknown query parameter", unknown...)
			return
		}
		pol, _ := op.Metadata[policyKey].(policy)
		if !pol.Public {
			p := humafiber.Unwrap(ctx).Locals(principalKey).(store.Principal)
			obj := pol.pathObject(ctx.Param)
			refusal := pol.decide(p, obj)
			if refusal == nil {
				refusal = s.exists(ctx.Context(), pol, obj)
			}
			if refusal != nil {
				writeProblem(api, ctx, refusal)
				return
			}
		}
		next(ctx)
	}
}

// unknownQueryParams names every query parameter the operation does not
// declare: a misspelt filter is an error, not a silently wider answer.
func unknownQueryParams(ctx huma.Context, op *huma.Operation) []error {
	var errs []error
	u := ctx.URL()
	for name := range u.Query() {
		if !slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.In == "query" && p.Name == name }) {
			errs = append(errs, &huma.ErrorDetail{Location: "query." + name, Message: "is not a parameter of this operation"})
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}

func writeProblem(api huma.API, ctx huma.Context, p *Problem) {
	_ = huma.WriteErr(api, ctx, p.Status, p.Detail, p)
}

// ruleError is one field error found by a domain rule; Huma's resolvers
// return them so they join the schema's errors in one answer.
type ruleError rules.FieldError

func (e ruleError) Error() string { return e.Field + ": " + e.Message }

// ruleErrors turns a rule's field errors into a resolver's answer.
func ruleErrors(fields rules.FieldErrors) []error {
	errs := make([]error, len(fields))
	for i, f := range fields {
		errs[i] = ruleError(f)
	}
	return errs
}

// humaProblem is the Problem for a refusal Huma makes itself. Field errors
// of the domain rules come first, in their order and words; the schema's
// errors follow for the fields the rules did not name; a field is named once.
func humaProblem(status int, msg string, errs ...error) huma.StatusError {
	if status == http.StatusUnsupportedMediaType {
		return problem(status, "unsupported-media-type", "send the body as application/json")
	}
	for _, err := range errs {
		if p, ok := err.(*Problem); ok {
			return p
		}
	}
	var ruled, schema rules.FieldErrors
	var details []string
	for _, err := range errs {
		switch e := err.(type) {
		case ruleError:
			ruled = append(ruled, rules.FieldError(e))
		case *huma.ErrorDetail:
			if f, ok := goDecodeField(e); ok {
				schema = append(schema, f)
				continue
			}
			if e.Location == "body" && !strings.HasPrefix(e.Message, "expected required property") {
				// the body is JSON but not the object the operation takes
				return badRequest("the request body must be a JSON object: " + e.Message)
			}
			if f, ok := fieldOf(e); ok {
				schema = append(schema, f)
			} else {
				details = append(details, e.Message)
			}
		case nil:
		default:
			details = append(details, err.Error())
		}
	}
	var fields rules.FieldErrors
	for _, f := range append(ruled, schema...) {
		if !slices.ContainsFunc(fields, func(seen rules.FieldError) bool { return seen.Field == f.Field }) {
			fields = append(fields, f)
		}
	}
	detail := msg
	if len(details) > 0 {
		detail = msg + ": " + strings.Join(details, "; ")
	}
	switch status {
	case http.StatusUnprocessableEntity:
		if len(fields) == 0 {
			return problem(status, "validation", detail)
		}
		return invalid(fields)
	case http.StatusBadRequest:
		return badRequest(detail)
	case http.StatusRequestEntityTooLarge:
		return problem(status, "body-too-large", "the request body is over 1 MiB")
	}
	return problem(status, "http", detail)
}

// fieldOf names the field of a schema error the way the rules do:
// "contact.email", not "body.contact.email"; a missing property is named
// itself rather than its parent.
func fieldOf(e *huma.ErrorDetail) (rules.FieldError, bool) {
	loc := e.Location
	for _, prefix := range []string{"body", "query", "path", "header"} {
		if loc == prefix {
			loc = ""
			break
		}
		if rest, ok := strings.CutPrefix(loc, prefix+"."); ok {
			loc = rest
			break
		}
	}
	msg := e.Message
	var prop string
	if _, err := fmt.Sscanf(msg, "expected required property %s to be present", &prop); err == nil {
		loc, msg = strings.TrimPrefix(loc+"."+prop, "."), "is required"
	}
	if loc == "" {
		return rules.FieldError{}, false
	}
	return rules.FieldError{Field: loc, Message: msg}, true
}

// goDecodeFieldPattern finds the field in Go's own decoding error ("json:
// cannot unmarshal string into Go struct field X.a.b of type T").
var goDecodeFieldPattern = regexp.MustCompile(`Go struct field [^ .]+\.(\S+) of type`)

// goDecodeField names the field of a body Go could not decode into its
// type (a value the schema lets through but the field's type refuses),
// without Go's words.
func goDecodeField(e *huma.ErrorDetail) (rules.FieldError, bool) {
	m := goDecodeFieldPattern.FindStringSubmatch(e.Message)
	if m == nil {
		return rules.FieldError{}, false
	}
	return rules.FieldError{Field: m[1], Message: "is not a value this field takes"}, true
}

// requestLineKey holds "METHOD /path" of the request in its context, which
// an Idempotency-Key's request is told apart by.
type requestLineKey struct{}

// requestBodyKey holds a func reading the request's body as the handler
// got it (after the gate), which an Idempotency-Key's request is too.
type requestBodyKey struct{}

// requestIDKey holds the request's ID in its context, for logs.
type requestIDKey struct{}

// withRequest is the Huma middleware that puts the request line and ID
// into the handler's context.
func withRequest(ctx huma.Context, next func(huma.Context)) {
	c := humafiber.Unwrap(ctx)
	ctx = huma.WithValue(ctx, requestLineKey{}, c.Method()+" "+c.Path())
	ctx = huma.WithValue(ctx, requestBodyKey{}, func() []byte { return bytes.Clone(c.Body()) })
	next(huma.WithValue(ctx, requestIDKey{}, requestID(c)))
}

func requestIDOf(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// operationOf is the registered operation of a method and path, or nil.
func operationOf(s *Server, method, path string) *huma.Operation {
	item := s.huma.OpenAPI().Paths[path]
	if item == nil {
		return nil
	}
	switch method {
	case http.MethodGet:
		return item.Get
	case http.MethodPost:
		return item.Post
	case http.MethodPut:
		return item.Put
	case http.MethodPatch:
		return item.Patch
	case http.MethodDelete:
		return item.Delete
	case http.MethodHead:
		return item.Head
	}
	return nil
}

// enumOf lists the values of a Go enum for a schema's enum, so the
// document and the code name the same values.
func enumOf[T ~string](values []T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
