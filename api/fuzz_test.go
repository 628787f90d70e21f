package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"partnerops/cases"
	"partnerops/demo"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// fuzzTemporal is a Temporal that does not answer: the fuzz test needs no
// workflow, and an API without one must still answer 503, never 500.
type fuzzTemporal struct{ temporalAway }

func (fuzzTemporal) ExecuteWorkflow(context.Context, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	return nil, serviceerror.NewUnavailable("connection refused")
}

func (fuzzTemporal) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	return nil, serviceerror.NewUnavailable("connection refused")
}

func (fuzzTemporal) UpdateWorkflow(context.Context, client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	return nil, serviceerror.NewUnavailable("connection refused")
}

func (fuzzTemporal) ScheduleClient() client.ScheduleClient { return fuzzSchedules{} }

// fuzzSchedules are the schedules of a Temporal that does not answer.
type fuzzSchedules struct{ client.ScheduleClient }

func (fuzzSchedules) GetHandle(context.Context, string) client.ScheduleHandle { return fuzzSchedule{} }

type fuzzSchedule struct{ client.ScheduleHandle }

func (fuzzSchedule) Trigger(context.Context, client.ScheduleTriggerOptions) error {
	return serviceerror.NewUnavailable("connection refused")
}

// fuzzOperation is one operation of the published document. The corpus
// names it ("POST /v1/partners/{partner_id}/deposits"), so an entry keeps
// its operation when others are added.
type fuzzOperation struct{ method, path string }

func (o fuzzOperation) String() string { return o.method + " " + o.path }

func documentOperations(t testing.TB) []fuzzOperation {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	var ops []fuzzOperation
	for path, item := range doc.Paths {
		for method := range item {
			ops = append(ops, fuzzOperation{strings.ToUpper(method), path})
		}
	}
	slices.SortFunc(ops, func(a, b fuzzOperation) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	return ops
}

// FuzzEveryOperation sends generated path IDs, query strings and bodies to
// every operation of the OpenAPI document, as staff or as a partner's
// admin, and checks each answer against the document. Besides an active partner, the fixture holds one exiting, one
// exited and one deregistered partner, each with an admin and a customer, one whose association with a
// vendor-direct customer is pending ("$pending", "$pending_customer"),
// and a vendor opportunity: "$exiting", "$exiting_customer", "$vop",
// "$active" (and so on) in a path ID, query or body stand for their IDs, and a partner's
// request on a path ID naming one is its admin's. Whatever is sent, the answer is never a 500 (a 503 only for the
// Temporal this test leaves away), every refusal is problem+json, and a
// refused request changes no table. `go test` runs the checked-in corpus
// (testdata/fuzz/FuzzEveryOperation); `go test -fuzz FuzzEveryOperation
// ./api` searches further.
func FuzzEveryOperation(f *testing.F) {
	ctx := context.Background()
	st, dbURL := testdb.New(f)
	staff, opsToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		f.Fatal(err)
	}
	partner, err := st.CreatePartner(ctx, "Acme", "solution_provider", "preferred")
	if err != nil {
		f.Fatal(err)
	}
	_, adminToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: partner.ID})
	if err != nil {
		f.Fatal(err)
	}
	states := stateFixture(f, st, staff)
	at := time.Now().UTC().Truncate(time.Microsecond)
	vop, err := st.CreateVendorOpportunity(ctx, store.VendorOpportunity{ID: store.NewID("vop"), CreatedBy: staff.ID, CreatedAt: at,
		Opportunity: rules.Opportunity{Customer: rules.CustomerOfOpportunity{Name: "Harbour Logistics", Industry: "logistics"}, Products: []string{"ECS"}}}, nil)
	if err != nil {
		f.Fatal(err)
	}
	placeholders := []string{"$vop", vop.ID, "$active", partner.ID}
	for _, s := range states {
		placeholders = append(placeholders, "$"+s.status+"_customer", s.customerID, "$"+s.status, s.partnerID)
	}
	fill := strings.NewReplacer(placeholders...)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = db.Close() })
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIDocument())
	if err != nil {
		f.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		f.Fatal(err)
	}
	app := New(Deps{Store: st, Temporal: fuzzTemporal{}, TaskQueue: "fuzz", TicketSLA: "3wd", Location: time.UTC, Logger: slog.New(slog.DiscardHandler)})
	ops := documentOperations(f)

	// every operation, however many there are, gets at least a run as
	// each principal with a real ID and an unknown field
	for i := range ops {
		f.Add(ops[i].String(), partner.ID, "", []byte(`{"zzz":1}`), i%2 == 1)
	}
	byName := map[string]fuzzOperation{}
	for _, o := range ops {
		byName[o.String()] = o
	}
	f.Fuzz(func(t *testing.T, operation, pathID, query string, body []byte, asPartner bool) {
		o, named := byName[operation]
		if !named { // a generated name: an operation all the same
			o = ops[int(crc32.ChecksumIEEE([]byte(operation)))%len(ops)]
		}
		token := opsToken
		if asPartner {
			token = adminToken
			for _, s := range states { // the admin of the partner in the path's state
				if strings.HasPrefix(pathID, "$"+s.status) {
					token = s.adminToken
				}
			}
		}
		pathID, query, body = fill.Replace(pathID), fill.Replace(query), []byte(fill.Replace(string(body)))
		path := o.path
		for strings.Contains(path, "{") {
			start, end := strings.Index(path, "{"), strings.Index(path, "}")
			if end < start {
				break
			}
			path = path[:start] + escapeBytes(pathID, true) + path[end+1:]
		}
		req := httptest.NewRequest(o.method, "/", strings.NewReader(string(body)))
		req.URL.Path, req.URL.RawPath, req.URL.RawQuery = path, path, escapeBytes(query, false)
		req.RequestURI = req.URL.RequestURI() // what app.Test sends (it was "/": every request went to the home page)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)

		before := fingerprint(t, db)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatalf("%s %s: %v", o.method, req.URL.RequestURI(), err)
		}
		raw, _ := io.ReadAll(resp.Body)
		status := resp.StatusCode
		// a refusal is problem+json, but the console's error pages are
		// pages (and a 429 there is problem+json too)
		refusalType := "application/problem+json"
		if strings.HasPrefix(o.path, "/console") && status != http.StatusTooManyRequests {
			refusalType = fiber.MIMETextHTMLCharsetUTF8
		}
		switch {
		case status >= 500 && !(status == http.StatusServiceUnavailable && resp.Header.Get("Content-Type") == refusalType):
			t.Fatalf("%s %s %q: %d %s", o.method, req.URL.RequestURI(), body, status, raw)
		case status >= 400 && resp.Header.Get("Content-Type") != refusalType:
			t.Fatalf("%s %s %q: %d as %s: %s", o.method, req.URL.RequestURI(), body, status, resp.Header.Get("Content-Type"), raw)
		case status >= 400 && status < 500:
			if after := fingerprint(t, db); after != before {
				t.Fatalf("%s %s %q: %d, and a table changed", o.method, req.URL.RequestURI(), body, status)
			}
		}
		// the answer is one the document describes (a path the router
		// does not know is a malformed one, answered above)
		if route, params, err := router.FindRoute(req); err == nil {
			err = openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
				Status:                 status, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(raw)),
				Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
					ExcludeResponseBody: !strings.Contains(resp.Header.Get("Content-Type"), "json")},
			})
			if err != nil {
				t.Fatalf("%s %s %q: %d does not match the document: %v\n%s", o.method, req.URL.RequestURI(), body, status, err, raw)
			}
		}
	})
}

// escapeBytes percent-encodes what cannot stand in a request line as it
// is (spaces, control bytes, non-ASCII; in a path also '/', '?' and '#'),
// so that every generated input reaches the server.
func escapeBytes(s string, inPath bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '#' || c == '%' && inPath || inPath && (c == '/' || c == '?') {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// fingerprint sums every table of the database: the rows of each and a
// hash of their text.
func fingerprint(t *testing.T, db *sql.DB) string {
	t.Helper()
	var sum string
	err := db.QueryRow(`
		SELECT string_agg(format('%s:%s', c.relname,
		       (xpath('/row/h/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) AS h FROM %I t', c.relname), false, false, '')))[1]::text),
		       ';' ORDER BY c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r'`).Scan(&sum)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// statePartner is a partner of the fuzz fixture in a state of its exit.
type statePartner struct {
	status, partnerID, adminToken, customerID string
}

// stateFixture makes a partner exiting (its exit case open), one exited
// (its exit ended) and one deregistered, each certified and with a
// customer bound before its exit.
func stateFixture(f *testing.F, st *store.Store, staff store.Principal) []statePartner {
	ctx := context.Background()
	var list []statePartner
	for _, status := range []string{store.PartnerExiting, store.PartnerExited, store.PartnerDeregistered} {
		partner, err := st.CreatePartner(ctx, "Leaving "+status, "solution_provider", "preferred")
		if err != nil {
			f.Fatal(err)
		}
		admin, token, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Leaving admin", Role: cases.RoleAdmin, PartnerID: partner.ID})
		if err != nil {
			f.Fatal(err)
		}
		customer, err := st.CreateCustomer(ctx, "Customer of "+status, partner.ID, "resale")
		if err != nil {
			f.Fatal(err)
		}
		// certified, so that what the certification gate guards meets the exit's refusal
		if _, err := demo.Certify(ctx, st, partner.ID, rules.BusinessInfo{CompanyName: "Leaving Ltd",
			CertificateNumber: "91350100M000100Y43", CertificateType: new(rules.BusinessLicence)}, staff); err != nil {
			f.Fatal(err)
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		exit := cases.Case{ID: store.NewID("cas"), Kind: cases.KindPartnerExit, PartnerID: partner.ID, Status: "checking", CreatedAt: at, UpdatedAt: at}
		if _, _, err := st.OpenCase(ctx, store.NewCase{Case: exit, Workflow: "PartnerExit", Input: struct{}{}}, nil); err != nil {
			f.Fatal(err)
		}
		if status != store.PartnerExiting {
			if err := st.EndPartnerExit(ctx, partner.ID, exit.ID, store.ExitCompleted, at); err != nil {
				f.Fatal(err)
			}
		}
		if status == store.PartnerDeregistered {
			if _, err := st.DeregisterPartner(ctx, partner.ID, admin, at); err != nil {
				f.Fatal(err)
			}
		}
		list = append(list, statePartner{status, partner.ID, token, customer.ID})
	}
	return append(list, pendingFixture(f, st, staff))
}

// pendingFixture makes a certified partner that asked to associate a
// vendor-direct customer's account, which the customer has not answered:
// "$pending" and "$pending_customer".
func pendingFixture(f *testing.F, st *store.Store, staff store.Principal) statePartner {
	ctx := context.Background()
	partner, err := st.CreatePartner(ctx, "Asking", "solution_provider", "preferred")
	if err != nil {
		f.Fatal(err)
	}
	admin, token, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Asking admin", Role: cases.RoleAdmin, PartnerID: partner.ID})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := demo.Certify(ctx, st, partner.ID, rules.BusinessInfo{CompanyName: "Asking Ltd",
		CertificateNumber: "91330100MA2B7C8D9Q", CertificateType: new(rules.BusinessLicence)}, staff); err != nil {
		f.Fatal(err)
	}
	direct, err := st.CreateCustomer(ctx, "Direct customer", "", "")
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Direct customer", Role: cases.RoleCustomer, CustomerID: direct.ID}); err != nil {
		f.Fatal(err) // its own sign-in: an account a partner may ask for
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	if _, _, err := st.RequestAssociation(ctx, store.NewAssociationRequest{Direction: store.DirectionAssociate, PartnerID: partner.ID,
		AccountID: direct.ID, Mode: "resale", By: admin, Location: time.UTC,
		Binding: &store.AssociationBinding{XAccountType: "POASKING", XAccountID: "x-direct", CertificateNumber: "91350100M000100Y43"},
		Build: func(c store.Customer, _ []rules.DissociationBlocker) store.NewCase {
			return store.NewCase{Case: cases.Case{ID: store.NewID("cas"), Kind: cases.KindCustomerAssociation, PartnerID: partner.ID,
				CustomerID: c.ID, Status: "awaiting_customer", CreatedAt: at, UpdatedAt: at}, Workflow: "CustomerAssociation", Input: struct{}{}}
		}}); err != nil {
		f.Fatal(err)
	}
	return statePartner{"pending", partner.ID, token, direct.ID}
}
