package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"partnerops/cases"
	"partnerops/internal/testdb"
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

// fuzzOperation is one operation of the published document.
type fuzzOperation struct{ method, path string }

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
// admin. Whatever is sent, the answer is never a 500 (a 503 only for the
// Temporal this test leaves away), every refusal is problem+json, and a
// refused request changes no table. `go test` runs the checked-in corpus
// (testdata/fuzz/FuzzEveryOperation); `go test -fuzz FuzzEveryOperation
// ./api` searches further.
func FuzzEveryOperation(f *testing.F) {
	ctx := context.Background()
	st, dbURL := testdb.New(f)
	_, opsToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
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
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = db.Close() })
	app := New(Deps{Store: st, Temporal: fuzzTemporal{}, TaskQueue: "fuzz", TicketSLA: "3wd", Logger: slog.New(slog.DiscardHandler)})
	ops := documentOperations(f)

	// every operation, however many there are, gets at least a run as
	// each principal with a real ID and an unknown field
	for i := range ops {
		f.Add(uint16(i), partner.ID, "", []byte(`{"zzz":1}`), i%2 == 1)
	}
	f.Fuzz(func(t *testing.T, op uint16, pathID, query string, body []byte, asPartner bool) {
		o := ops[int(op)%len(ops)]
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
		req.Header.Set("Content-Type", "application/json")
		token := opsToken
		if asPartner {
			token = adminToken
		}
		req.Header.Set("Authorization", "Bearer "+token)

		before := fingerprint(t, db)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatalf("%s %s: %v", o.method, req.URL.RequestURI(), err)
		}
		raw, _ := io.ReadAll(resp.Body)
		status := resp.StatusCode
		var p Problem
		_ = json.Unmarshal(raw, &p)
		switch {
		case status >= 500 && !(status == http.StatusServiceUnavailable && p.Status == status):
			t.Fatalf("%s %s %q: %d %s", o.method, req.URL.RequestURI(), body, status, raw)
		case status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json":
			t.Fatalf("%s %s %q: %d as %s: %s", o.method, req.URL.RequestURI(), body, status, resp.Header.Get("Content-Type"), raw)
		case status >= 400 && status < 500:
			if after := fingerprint(t, db); after != before {
				t.Fatalf("%s %s %q: %d, and a table changed", o.method, req.URL.RequestURI(), body, status)
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
