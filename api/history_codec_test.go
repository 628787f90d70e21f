package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/internal/testkeys"
	"partnerops/store"
)

// The codec endpoint of the Temporal Web UI: staff by token or console
// session (the UI's browser sends the cookie), partners 403, nobody 401;
// the UI's origin may call it with credentials, another origin may not.
func TestHistoryCodecEndpointIsStaffOnly(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	const uiOrigin = "http://127.0.0.1:8233"
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler), HistoryKeys: testkeys.Keyring(st), HistoryCodecOrigin: uiOrigin})
	partner, err := st.CreatePartner(ctx, "Acme", "solution_provider", "preferred")
	if err != nil {
		t.Fatal(err)
	}
	session := func(name, role, partnerID string) string {
		p, _, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: name, Role: role, PartnerID: partnerID})
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := st.CreateSession(ctx, p, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	ops, admin := session("Olivia Ops", cases.RoleOps, ""), session("Acme admin", cases.RoleAdmin, partner.ID)
	_, opsToken, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Scraper", Role: cases.RoleOps})
	if err != nil {
		t.Fatal(err)
	}
	// a JSON payload, as the UI sends it: {"payloads": [...]} (data in base64)
	const body = `{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"IkxpIFNpIg=="}]}`
	send := func(method, path, origin, cookie, token string) (*http.Response, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		return resp, string(out)
	}

	encoded, out := send("POST", "/console/codec/encode", uiOrigin, ops, "")
	if encoded.StatusCode != 200 || !strings.Contains(out, "YmluYXJ5L2VuY3J5cHRlZA==") { // binary/encrypted
		t.Fatalf("ops encoding: %d %s", encoded.StatusCode, out)
	}
	if encoded.Header.Get("Access-Control-Allow-Origin") != uiOrigin || encoded.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("the UI's origin is not allowed: %v", encoded.Header)
	}
	decodeReq := httptest.NewRequest("POST", "/console/codec/decode", strings.NewReader(out))
	decodeReq.Header.Set("Authorization", "Bearer "+opsToken)
	decoded, err := app.Test(decodeReq, -1)
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(decoded.Body); decoded.StatusCode != 200 || !strings.Contains(string(plain), "IkxpIFNpIg==") {
		t.Errorf("ops decoding by token: %d %s", decoded.StatusCode, plain)
	}

	if resp, out := send("POST", "/console/codec/decode", uiOrigin, admin, ""); resp.StatusCode != 403 {
		t.Errorf("a partner's admin decoding: %d %s", resp.StatusCode, out)
	}
	if resp, out := send("POST", "/console/codec/decode", uiOrigin, "", ""); resp.StatusCode != 401 {
		t.Errorf("decoding signed out: %d %s", resp.StatusCode, out)
	}
	if resp, _ := send("OPTIONS", "/console/codec/decode", uiOrigin, "", ""); resp.StatusCode != 204 ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "X-Namespace") {
		t.Errorf("the UI's preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := send("POST", "/console/codec/decode", "https://evil.example", ops, ""); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin is allowed: %v", resp.Header)
	}
}
