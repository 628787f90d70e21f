package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/events"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// A case's steps raise their partner events once, in the transaction of
// the step, queued for the partner's endpoints whose filter takes them;
// another partner's endpoint gets none, and a replay keeps the event ID.
func TestTransitionsRaisePartnerEvents(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	c, partnerID := newCase(t, st)
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
		t.Fatal(err)
	}
	other, err := st.CreatePartner(ctx, "Nimbus", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	endpoint := func(partner string, types ...string) store.WebhookEndpoint {
		e, err := st.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{PartnerID: partner, URL: "https://hooks.example.com/x",
			Secret: "whsec_c2VjcmV0", EventTypes: types, At: now})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	all, certified, nimbus := endpoint(partnerID), endpoint(partnerID, "certification.certified"), endpoint(other.ID)

	step := transition(c, 1, "in_review")
	step.Notifications = nil
	done := transition(c, 2, "certified")
	done.Notifications = []cases.Notification{{Audience: cases.AudiencePartner, Kind: "certification_certified", Message: "Certified."}}
	for _, tr := range []cases.Transition{step, step, done, done} { // each written twice (a retried activity)
		if err := st.ApplyTransition(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}

	pending := func(e store.WebhookEndpoint) []events.Envelope {
		t.Helper()
		list, err := st.PendingWebhookDeliveries(ctx, e.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]events.Envelope, len(list))
		for i, p := range list {
			if err := json.Unmarshal(p.Body, &out[i]); err != nil {
				t.Fatal(err)
			}
			if out[i].ID != p.EventID || p.Subject != "case:"+c.ID {
				t.Errorf("delivery %+v: body's id %s, subject %s", p, out[i].ID, p.Subject)
			}
		}
		return out
	}
	got := pending(all)
	var types []string
	for _, e := range got {
		types = append(types, e.Type)
	}
	want := []string{events.StatusChanged, events.StatusChanged, "certification.certified"}
	if len(types) != len(want) || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
		t.Fatalf("events %v, want %v", types, want)
	}
	if got[1].Data.PreviousStatus == nil || *got[1].Data.PreviousStatus != "in_review" || got[1].Case.Seq != 2 ||
		got[2].Data.Message != "Certified." || got[2].Data.Case.Status != "certified" {
		t.Errorf("bodies %+v", got)
	}
	if list := pending(certified); len(list) != 1 || list[0].Type != "certification.certified" {
		t.Errorf("the filtered endpoint got %+v, want certification.certified only", list)
	}
	if list := pending(nimbus); len(list) != 0 {
		t.Errorf("another partner's endpoint got %+v", list)
	}

	n, err := st.ReplayWebhookEvents(ctx, partnerID, certified.ID, got[2].ID, time.Time{}, time.Time{})
	if err != nil || n != 1 {
		t.Fatalf("replay: %d, %v", n, err)
	}
	if list := pending(certified); len(list) != 2 || list[1].ID != got[2].ID {
		t.Errorf("after the replay %+v, want the same event twice", list)
	}
	if _, err := st.ReplayWebhookEvents(ctx, other.ID, all.ID, got[2].ID, time.Time{}, time.Time{}); err != store.ErrNotFound {
		t.Errorf("another partner replays Acme's endpoint: %v, want ErrNotFound", err)
	}
}

// At most MaxWebhookEndpoints per partner.
func TestWebhookEndpointLimit(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range store.MaxWebhookEndpoints + 1 {
		_, err := st.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{PartnerID: p.ID, URL: "https://hooks.example.com/x",
			Secret: "whsec_c2VjcmV0", At: time.Now()})
		if want := i == store.MaxWebhookEndpoints; (err == store.ErrTooManyEndpoints) != want {
			t.Fatalf("endpoint %d: %v", i+1, err)
		}
	}
}
