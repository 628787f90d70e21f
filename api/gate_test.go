package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// gateCall sends one request as ops to an API without Temporal.
type gateCall func(method, target, contentType, body string) (int, Problem, []byte)

func newGateCall(t *testing.T) (gateCall, *store.Store) {
	t.Helper()
	st, _ := testdb.New(t)
	_, token, err := st.CreatePrincipal(context.Background(), store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	return func(method, target, contentType, body string) (int, Problem, []byte) {
		t.Helper()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		var p Problem
		_ = json.Unmarshal(raw, &p)
		return resp.StatusCode, p, raw
	}, st
}

func fieldNames(p Problem) []string {
	var names []string
	for _, f := range p.Errors {
		names = append(names, f.Field)
	}
	return names
}

// The gate refuses bad text, bad identifiers, deep or non-JSON bodies
// before anything is looked up, naming every bad field at once in the
// API's words; good text is passed on in normal form C.
func TestInputGate(t *testing.T) {
	call, st := newGateCall(t)
	const partners = "/v1/partners"

	for _, target := range []string{"/v1/cases?status=%00", "/v1/cases?partner_id=a%20b", "/v1/cases?status=%FF", "/v1/cases/cas%01x"} {
		if status, p, raw := call("GET", target, "", ""); status != 422 || len(p.Errors) != 1 {
			t.Errorf("GET %s: %d %s", target, status, raw)
		}
	}
	if status, _, raw := call("POST", partners, "text/plain", `{"name":"A","type":"cloud_reseller"}`); status != 415 {
		t.Errorf("text/plain body: %d %s", status, raw)
	}
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	if status, _, raw := call("POST", partners, "application/json", deep); status != 400 {
		t.Errorf("10,000 deep: %d %s", status, raw)
	}
	status, p, raw := call("POST", partners, "application/json", "{\"name\":\"A\\u0000B\",\"type\":7,\"level\":\"x\\u001b[31m\",\"extra\":true,\"name2\":\"\xff\xfe\"}")
	want := []string{"name", "level", "name2", "type", "extra"}
	if got := fieldNames(p); status != 422 || !sameSet(got, want) {
		t.Errorf("bad fields: %d, named %v, want %v: %s", status, got, want, raw)
	}
	for _, f := range p.Errors {
		if strings.Contains(f.Message, "rules.") || strings.Contains(f.Message, "Go ") || strings.Contains(f.Message, "expected") {
			t.Errorf("%s: %q is not in the API's words", f.Field, f.Message)
		}
	}
	if n, err := st.CountPartners(context.Background()); err == nil && n != 0 {
		t.Errorf("refused requests wrote %d partners", n)
	}

	// "é" as e + combining acute is stored as the one character U+00E9
	status, _, raw = call("POST", partners, "application/json", `{"name":"Caf\u0065\u0301 Ltd","type":"cloud_reseller"}`)
	var created struct{ Partner struct{ Name string } }
	_ = json.Unmarshal(raw, &created)
	if status != 201 || created.Partner.Name != "Caf\u00e9 Ltd" {
		t.Errorf("decomposed name: %d %q %s", status, created.Partner.Name, raw)
	}
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}
