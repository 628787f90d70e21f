package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// consoleClient signs a token in to the console of app and keeps the
// session's cookie.
type consoleClient struct {
	t       *testing.T
	do      func(*http.Request) *http.Response
	cookies []*http.Cookie
}

func (c *consoleClient) send(method, target string, form url.Values) *http.Response {
	c.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, k := range c.cookies {
		req.AddCookie(k)
	}
	resp := c.do(req)
	for _, k := range resp.Cookies() {
		if k.Value != "" {
			c.cookies = append(c.cookies, k)
		}
	}
	return resp
}

// signedIn answers whether the console still serves a page (200)
// or sends the browser to sign in (303).
func (c *consoleClient) signedIn() bool {
	c.t.Helper()
	switch status := c.send("GET", "/console/notifications", nil).StatusCode; status {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	default:
		c.t.Fatalf("GET /console/notifications: %d", status)
	}
	return false
}

// Sessions die with their owner over HTTP: staff list and end a session,
// a removed member's session and a deregistered partner's admin's session
// end with them.
func TestConsoleSessionsDieWithTheirOwner(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	do := func(req *http.Request) *http.Response {
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	partner, err := st.CreatePartner(ctx, "Acme", "solution_provider", "preferred")
	if err != nil {
		t.Fatal(err)
	}
	newPrincipal := func(name, role, partnerID string) (store.Principal, string) {
		p, token, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: name, Role: role, PartnerID: partnerID})
		if err != nil {
			t.Fatal(err)
		}
		return p, token
	}
	signIn := func(token string) *consoleClient {
		c := &consoleClient{t: t, do: do}
		c.send("GET", signInPath, nil)
		var csrf string
		for _, k := range c.cookies {
			if k.Name == signInCookie {
				csrf = k.Value
			}
		}
		if resp := c.send("POST", signInPath, url.Values{"token": {token}, csrfField: {csrf}}); resp.StatusCode != http.StatusSeeOther || !c.signedIn() {
			t.Fatalf("sign-in: %d", resp.StatusCode)
		}
		return c
	}
	_, opsToken := newPrincipal("Olivia Ops", cases.RoleOps, "")
	_, adminToken := newPrincipal("Acme admin", cases.RoleAdmin, partner.ID)
	member, _ := newPrincipal("Wang Wu", cases.RoleMember, partner.ID)
	_, lostToken := newPrincipal("Zhao Liu", cases.RoleMember, partner.ID)
	opsC, adminC, lostC := signIn(opsToken), signIn(adminToken), signIn(lostToken)
	memberSecret, _, err := st.CreateSession(ctx, member, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	memberC := &consoleClient{t: t, do: do, cookies: []*http.Cookie{{Name: sessionCookie, Value: memberSecret}}}

	t.Run("staff end a session", func(t *testing.T) {
		page := opsC.send("GET", "/console/sessions", nil)
		list, err := st.LiveSessions(ctx, time.Now(), 10)
		if err != nil || page.StatusCode != http.StatusOK {
			t.Fatalf("the sessions page: %d (%v)", page.StatusCode, err)
		}
		var lost store.LiveSession
		for _, l := range list {
			if l.PrincipalName == "Zhao Liu" {
				lost = l
			}
		}
		if adminC.send("GET", "/console/sessions", nil).StatusCode != http.StatusForbidden {
			t.Error("a partner's admin sees the console's sessions")
		}
		var csrf string
		if sess, err := st.SessionBySecret(ctx, opsC.cookies[len(opsC.cookies)-1].Value, time.Now()); err == nil {
			csrf = sess.CSRFToken
		}
		if resp := opsC.send("POST", "/console/sessions/"+lost.ID+"/revoke", url.Values{csrfField: {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("ending the session: %d", resp.StatusCode)
		}
		if lostC.signedIn() {
			t.Error("the session staff ended still serves the console")
		}
	})
	t.Run("member removal", func(t *testing.T) {
		req := httptest.NewRequest("DELETE", "/v1/partners/"+partner.ID+"/members/"+member.ID, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if resp := do(req); resp.StatusCode >= 300 {
			t.Fatalf("removing the member: %d", resp.StatusCode)
		}
		if memberC.signedIn() {
			t.Error("the removed member's session still serves the console")
		}
	})
	t.Run("deregistration", func(t *testing.T) {
		at := time.Now().UTC().Truncate(time.Microsecond)
		exit := cases.Case{ID: store.NewID("cas"), Kind: cases.KindPartnerExit, PartnerID: partner.ID, Status: "checking", CreatedAt: at, UpdatedAt: at}
		if _, _, err := st.OpenCase(ctx, store.NewCase{Case: exit, Workflow: "PartnerExit", Input: struct{}{}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := st.EndPartnerExit(ctx, partner.ID, exit.ID, store.ExitCompleted, time.Now()); err != nil {
			t.Fatal(err)
		}
		if !adminC.signedIn() {
			t.Fatal("the exit ended the admin's session, which deregisters")
		}
		req := httptest.NewRequest("POST", "/v1/partners/"+partner.ID+"/deregistration", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if resp := do(req); resp.StatusCode != http.StatusOK {
			t.Fatalf("deregistering: %d", resp.StatusCode)
		}
		if adminC.signedIn() {
			t.Error("the deregistered partner's admin still has the console")
		}
	})
}
