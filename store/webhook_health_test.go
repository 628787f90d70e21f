package store_test

import (
	"context"
	"testing"
	"time"

	"partnerops/internal/testdb"
	"partnerops/store"
)

// Ops' list puts the endpoints needing a look first (disabled, then
// failing), names their partners, and counts the failed attempts since
// the endpoint last succeeded.
func TestWebhookHealthList(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	c, acme := newCase(t, st)
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	endpoint := func(url string) store.WebhookEndpoint {
		e, err := st.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{PartnerID: acme, URL: url, Secret: "whsec_c2VjcmV0", At: now})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	healthy, failing, gone := endpoint("https://a.example.com/x"), endpoint("https://b.example.com/x"), endpoint("https://c.example.com/x")
	if err := st.ApplyTransition(ctx, transition(c, 1, "in_review")); err != nil {
		t.Fatal(err)
	}
	fail := func(e store.WebhookEndpoint, status int, disable string) {
		t.Helper()
		list, err := st.PendingWebhookDeliveries(ctx, e.ID, 10)
		if err != nil || len(list) == 0 {
			t.Fatalf("pending of %s: %d %v", e.URL, len(list), err)
		}
		if err := st.RecordWebhookAttempt(ctx, store.WebhookAttempt{DeliveryID: list[0].ID, EndpointID: e.ID, At: time.Now(), Status: status,
			NextAt: time.Now().Add(time.Minute), Disable: disable}); err != nil {
			t.Fatal(err)
		}
	}
	fail(failing, 503, "")
	fail(failing, 0, "")
	fail(gone, 410, "it answered 410 Gone")

	list, err := st.WebhookHealthList(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != gone.ID || list[1].ID != failing.ID || list[2].ID != healthy.ID {
		t.Fatalf("listed %+v", list)
	}
	if g := list[0]; g.Enabled || g.DisabledReason == nil || *g.DisabledReason != "it answered 410 Gone" || g.Failures != 1 {
		t.Errorf("the gone endpoint: %+v", g)
	}
	if f := list[1]; !f.Enabled || f.FailingSince == nil || f.Failures != 2 || f.Pending != 1 {
		t.Errorf("the failing endpoint: %+v", f)
	}
	if h := list[2]; h.Failures != 0 || h.Pending != 1 || h.PartnerName == "" {
		t.Errorf("the healthy endpoint: %+v", h)
	}
}
