package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// A PostgreSQL that goes away answers 503 with Retry-After, not 500, and
// the API serves again once it is back. The API reaches the test database
// through a TCP relay the test cuts and restores, as a network or a server
// restart would.
func TestDatabaseAwayAnswers503(t *testing.T) {
	ctx := context.Background()
	direct, dbURL := testdb.New(t)
	_, token, err := direct.CreatePrincipal(ctx, store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	r := startRelay(t, u.Host)
	u.Host = r.addr
	st, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	get := func() *http.Response {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/v1/notifications", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	if resp := get(); resp.StatusCode != http.StatusOK {
		t.Fatalf("with the database up: %d", resp.StatusCode)
	}
	r.cut()
	resp := get()
	body, _ := io.ReadAll(resp.Body)
	var p Problem
	_ = json.Unmarshal(body, &p)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		resp.Header.Get("Content-Type") != "application/problem+json" || p.Status != http.StatusServiceUnavailable {
		t.Errorf("with the database away: %d, Retry-After %q, %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	r.restore(t)
	if resp := get(); resp.StatusCode != http.StatusOK {
		t.Errorf("with the database back: %d", resp.StatusCode)
	}
}

// relay forwards TCP connections from addr to a target until cut.
type relay struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{addr: ln.Addr().String(), target: target}
	r.serve(ln)
	t.Cleanup(r.cut)
	return r
}

func (r *relay) serve(ln net.Listener) {
	r.mu.Lock()
	r.ln = ln
	r.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", r.target)
			if err != nil {
				_ = in.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, in, out)
			r.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
}

// cut stops listening and drops every relayed connection.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != nil {
		_ = r.ln.Close()
		r.ln = nil
	}
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.conns = nil
}

// restore listens again on the same address.
func (r *relay) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	r.serve(ln)
}
