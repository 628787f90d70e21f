package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/workflows"
)

// syncBuffer is a log the API writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type delegatedToken struct {
	ID          string
	Name        string
	CustomerID  string    `json:"customer_id"`
	DelegatedBy string    `json:"delegated_by"`
	ExpiresAt   time.Time `json:"expires_at"`
	Token       string
}

// TestDelegatedTokens: Acme's admin, or a member it allows, obtains a token
// acting for one of its resale customers. It reads and acts only within
// that customer, as the customer's own token would; what it does is
// recorded as the member of Acme acting for the customer; it expires on
// time, is revocable (then 401) and dies when the association ends; it is
// refused for consultative customers and others' customers; it never
// appears in the logs, a list or a case.
func TestDelegatedTokens(t *testing.T) {
	s := startSystem(t, "3wd")
	logs := &syncBuffer{}
	s.apiDeps = func(d *api.Deps) {
		d.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		d.DelegatedTokenMinLifetime = time.Second
	}
	s.baseURL = s.serveAPI(s.temporal)
	blueSky := s.customerA()
	other := s.newCustomerOf(s.partnerA, s.adminA, "resale")
	consultative := s.newCustomerOf(s.partnerA, s.adminA, "consultative")
	nimbus := s.newCustomerOf(s.partnerB, s.adminB, "resale")
	path := func(customerID string) string {
		return "/v1/partners/" + s.partnerA + "/customers/" + customerID + "/delegated-tokens"
	}
	issue := func(token, customerID string, body any) delegatedToken {
		t.Helper()
		return decode[delegatedToken](t, s.call("POST", path(customerID), token, body).expect(t, 201))
	}

	// Refusals.
	if p := decode[problem](t, s.call("POST", path(consultative.id), s.adminA, nil).expect(t, 409)); p.Type != "urn:partnerops:problem:not-resale-customer" {
		t.Errorf("consultative: %+v", p)
	}
	s.call("POST", path(nimbus.id), s.adminA, nil).expect(t, 404)
	s.call("POST", path(blueSky), s.memberA, nil).expect(t, 403)
	s.call("POST", path(blueSky), s.adminB, nil).expect(t, 404)
	s.call("POST", path(blueSky), s.customA, nil).expect(t, 403)
	for _, seconds := range []int{0, 43201} {
		if p := decode[problem](t, s.call("POST", path(blueSky), s.adminA, map[string]any{"lifetime_seconds": seconds}).expect(t, 422)); p.fields() != "lifetime_seconds" {
			t.Errorf("lifetime %d: %+v", seconds, p)
		}
	}

	// The admin's token: an hour by default, acting for Blue Sky only.
	d := issue(s.adminA, blueSky, nil)
	if left := time.Until(d.ExpiresAt); left < 59*time.Minute || left > 61*time.Minute || !strings.Contains(d.Name, "acting for Blue Sky Retail") {
		t.Errorf("issued %+v", d)
	}
	s.call("GET", "/v1/customers/"+blueSky, d.Token, nil).expect(t, 200)
	s.call("GET", "/v1/customers/"+other.id, d.Token, nil).expect(t, 404)
	s.call("GET", "/v1/customers/"+nimbus.id, d.Token, nil).expect(t, 404)
	s.call("GET", "/v1/partners/"+s.partnerA+"/customers", d.Token, nil).expect(t, 403)
	s.call("POST", path(blueSky), d.Token, nil).expect(t, 403)
	s.call("POST", "/v1/customers/"+other.id+"/orders", d.Token, orderBody("partner", 10_000)).expect(t, 404)

	// It acts for Blue Sky: the case records who acted for whom.
	started := decode[cases.Case](t, s.call("POST", "/v1/customers/"+blueSky+"/orders", d.Token, orderBody("partner", 10_000)).expect(t, 202))
	c := s.waitForCase(s.ops, started.ID, hasStatus(workflows.PaymentAwaitingPartner))
	if c.CustomerID != blueSky {
		t.Errorf("the case is for %s, want %s", c.CustomerID, blueSky)
	}
	events := s.waitForEvents(c.ID, 1)
	if len(events) == 0 || events[0].Actor.ID != d.ID || events[0].Actor.Name != "Acme admin of Acme Solutions acting for Blue Sky Retail" {
		t.Errorf("the case's first event names %+v, want the delegated token %s", events, d.ID)
	}

	// A member the admin allows; the audit trail names it.
	member := s.memberPrincipal(s.memberA)
	s.call("PUT", "/v1/partners/"+s.partnerA+"/members/"+member+"/delegation", s.memberA, nil).expect(t, 403)
	s.call("PUT", "/v1/partners/"+s.partnerA+"/members/"+member+"/delegation", s.adminA, nil).expect(t, 204)
	m := issue(s.memberA, other.id, map[string]any{"lifetime_seconds": 3600})
	if m.DelegatedBy != member || m.Name != "Acme member of Acme Solutions acting for "+"Customer (resale)" {
		t.Errorf("the member's token: %+v", m)
	}
	s.call("GET", "/v1/customers/"+other.id, m.Token, nil).expect(t, 200)
	s.call("GET", "/v1/customers/"+blueSky, m.Token, nil).expect(t, 404)
	// another member may not revoke the admin's token
	s.call("DELETE", path(blueSky)+"/"+d.ID, s.memberA, nil).expect(t, 404)

	// Expires on time.
	short := issue(s.adminA, blueSky, map[string]any{"lifetime_seconds": 2})
	s.call("GET", "/v1/customers/"+blueSky, short.Token, nil).expect(t, 200)
	time.Sleep(time.Until(short.ExpiresAt) + 300*time.Millisecond)
	s.call("GET", "/v1/customers/"+blueSky, short.Token, nil).expect(t, 401)

	// Revoked: 401 at once.
	s.call("DELETE", path(blueSky)+"/"+d.ID, s.adminA, nil).expect(t, 204)
	s.call("GET", "/v1/customers/"+blueSky, d.Token, nil).expect(t, 401)

	// The association ends: the member's token for that customer dies.
	// The partner asks; its delegated token may not consent for the customer (403); the customer accepts.
	req := decode[cases.Case](t, s.call("DELETE", "/v1/partners/"+s.partnerA+"/customers/"+other.id, s.adminA, nil).expect(t, 202))
	s.waitForCase(other.token, req.ID, hasStatus(workflows.AssociationAwaitingCustomer))
	s.call("POST", "/v1/cases/"+req.ID+"/actions/accept", m.Token, nil).expect(t, 403)
	s.call("POST", "/v1/cases/"+req.ID+"/actions/accept", other.token, nil).expect(t, 200)
	s.call("GET", "/v1/customers/"+other.id, m.Token, nil).expect(t, 401)

	// Never in a list, a case or the logs.
	tokens := []string{d.Token, m.Token, short.Token}
	for _, read := range []struct{ path, token string }{
		{"/v1/partners/" + s.partnerA + "/members", s.adminA},
		{"/v1/partners/" + s.partnerA + "/audit-events?limit=100", s.adminA},
		{"/v1/partners/" + s.partnerA + "/customers", s.adminA},
		{"/v1/cases/" + c.ID, s.ops},
		{"/v1/cases/" + c.ID + "/events", s.ops},
		{"/v1/cases", s.ops},
		{"/v1/customers/" + blueSky, s.customA},
	} {
		body := string(s.call("GET", read.path, read.token, nil).expect(t, 200).body)
		for _, tok := range tokens {
			if strings.Contains(body, tok) {
				t.Errorf("GET %s shows a delegated token", read.path)
			}
		}
	}
	audit := string(s.call("GET", "/v1/partners/"+s.partnerA+"/audit-events?limit=100", s.adminA, nil).expect(t, 200).body)
	if !strings.Contains(audit, `"acting_for_customer_id":"`+blueSky+`"`) || !strings.Contains(audit, "delegated_token.issued") ||
		!strings.Contains(audit, "delegated_token.revoked") {
		t.Errorf("the audit trail does not record the delegation: %s", audit)
	}
	log := logs.String()
	if !strings.Contains(log, "delegated-tokens") {
		t.Fatalf("the log was not captured: %q", log)
	}
	for _, tok := range tokens {
		if strings.Contains(log, tok) {
			t.Errorf("the log shows a delegated token")
		}
	}
}

// memberPrincipal is the principal ID of a token.
func (s *system) memberPrincipal(token string) string {
	s.t.Helper()
	p, err := s.store.PrincipalByToken(context.Background(), token)
	if err != nil {
		s.t.Fatal(err)
	}
	return p.ID
}
