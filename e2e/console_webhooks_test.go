package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"partnerops/store"
)

// Ops see every partner endpoint's health on the console's webhooks page:
// Acme's, disabled by a 410 and saying so, first; Nimbus's, healthy. The
// page fits 390 px and passes axe in both languages; a partner's admin is
// refused it.
func TestConsoleWebhookHealth(t *testing.T) {
	s := startSystem(t, "3wd")
	ctx := browser(t)
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }))
	t.Cleanup(gone.Close)
	healthy := newReceiver(t)
	acmeHooks := "/v1/partners/" + s.partnerA + "/webhooks"
	acme := decode[webhookCreated](t, s.call("POST", acmeHooks, s.adminA, map[string]any{"url": gone.URL + "/hook"}).expect(t, 201))
	decode[webhookCreated](t, s.call("POST", "/v1/partners/"+s.partnerB+"/webhooks", s.adminB, map[string]any{"url": healthy.url}).expect(t, 201))
	s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO).expect(t, 202)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if ep := decode[store.WebhookEndpoint](t, s.call("GET", acmeHooks+"/"+acme.ID, s.adminA, nil).expect(t, 200)); !ep.Enabled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Acme's endpoint answering 410 was never disabled")
		}
	}

	signIn(t, ctx, s.baseURL, s.ops, "ops")
	run(t, ctx, "open the webhooks page from the navigation", chromedp.Click(chromedp.CSS(`header nav a[href="/console/webhooks"]`)),
		chromedp.WaitVisible(chromedp.ID(`webhooks`)))
	rows := value(t, ctx, "read the endpoints", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#webhooks tbody tr')).map(r => r.innerText)`))
	if len(rows) != 2 {
		t.Fatalf("the page lists %d endpoints: %q", len(rows), rows)
	}
	host := strings.TrimPrefix(gone.URL, "http://")
	if r := rows[0]; !strings.Contains(r, "Acme Solutions") || !strings.Contains(r, host) || !strings.Contains(r, "Disabled: it answered 410 Gone") ||
		strings.Contains(r, "/hook") {
		t.Errorf("Acme's endpoint shows %q", r)
	}
	if r := rows[1]; !strings.Contains(r, "Nimbus Reseller") || !strings.Contains(r, "Enabled") || !strings.Contains(r, "not failing") {
		t.Errorf("Nimbus's endpoint shows %q", r)
	}
	for _, lang := range []string{"en", "zh-CN"} {
		if lang != "en" {
			run(t, ctx, "switch to "+lang, chromedp.Click(chromedp.CSS(`#language button`)), chromedp.WaitVisible(chromedp.ID(`webhooks`)))
		}
		for _, width := range []int64{1280, 390} {
			run(t, ctx, fmt.Sprintf("%d px wide", width), chromedp.EmulateViewport(width, 800),
				chromedp.Navigate(s.baseURL+"/console/webhooks"), chromedp.WaitVisible(chromedp.ID(`webhooks`)))
			fitsWidth(t, ctx, "webhooks-"+lang, int(width))
			accessible(t, ctx, fmt.Sprintf("webhooks %s %dpx", lang, width))
		}
	}
	if head := value(t, ctx, "read the header row", chromedp.Evaluate[string](`document.querySelector('#webhooks thead').textContent`)); !strings.Contains(head, "积压") {
		t.Errorf("the Chinese page's header row reads %q", head)
	}
	run(t, ctx, "back to English", chromedp.Click(chromedp.CSS(`#language button`)), chromedp.EmulateViewport(1280, 800))
	signOut(t, ctx)

	signIn(t, ctx, s.baseURL, s.adminA, "admin")
	if n := value(t, ctx, "look for the link", chromedp.Evaluate[int](`document.querySelectorAll('a[href="/console/webhooks"]').length`)); n != 0 {
		t.Errorf("a partner admin's navigation links the webhooks page")
	}
	run(t, ctx, "open the webhooks page as Acme's admin", chromedp.Navigate(s.baseURL+"/console/webhooks"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if n := value(t, ctx, "look for the table", chromedp.Evaluate[int](`document.querySelectorAll('#webhooks').length`)); n != 0 {
		t.Error("a partner admin sees the webhooks health page")
	}
}
