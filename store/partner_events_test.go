package store_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/events"
	"partnerops/internal/testdb"
	"partnerops/rules"
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

	// An endpoint answering 410 Gone is disabled and its partner told: a
	// notification whose subject is the endpoint (the migrations after the
	// one that added it keep that subject allowed).
	first, err := st.PendingWebhookDeliveries(ctx, certified.ID, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("pending: %v, %v", first, err)
	}
	if err := st.RecordWebhookAttempt(ctx, store.WebhookAttempt{DeliveryID: first[0].ID, EndpointID: certified.ID, At: time.Now(),
		Status: 410, Disable: "it answered 410 Gone"}); err != nil {
		t.Fatalf("a 410 disables the endpoint: %v", err)
	}
	var told int
	if err := st.DB().GetContext(ctx, &told, `SELECT count(*) FROM notifications WHERE webhook_endpoint_id = $1 AND kind = 'webhook_disabled'`,
		certified.ID); err != nil || told != 1 {
		t.Errorf("the partner was told %d times (%v), want once", told, err)
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

// Every type of the catalogue reaches its partner's endpoint and never
// another partner's: each case step that raises one, and the renewal
// shortfall's record write.
func TestEveryEventTypeReachesItsPartnerOnly(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	acme, err := st.CreatePartner(ctx, "Acme", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	certify(t, st, acme.ID) // a partner is asked to pay orders once certified
	nimbus, err := st.CreatePartner(ctx, "Nimbus", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	var endpoints []store.WebhookEndpoint
	for _, p := range []string{acme.ID, nimbus.ID} {
		e, err := st.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{PartnerID: p, URL: "https://hooks.example.com/x",
			Secret: "whsec_c2VjcmV0", At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		endpoints = append(endpoints, e)
	}
	customer, err := st.CreateCustomer(ctx, "Blue Sky", acme.ID, "resale")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutResource(ctx, customer.ID, rules.NewResource{ID: "ecs-1", Type: rules.ResourceECS, Region: "cn-north-4",
		ExpiresAt: time.Now().Add(48 * time.Hour), ExpiryPolicy: rules.ExpiryFreeze, MonthlyPrice: rules.Money{Amount: 100, Currency: "CNY"}}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	byKind, steps := map[cases.Kind]cases.Case{}, map[cases.Kind]int{}
	for _, typ := range events.Catalogue {
		switch {
		case typ.Name == events.RenewalFailedFunds:
			if err := st.RecordRenewalShortfall(ctx, "ecs-1", "insufficient balance", at, rules.Retention{}, time.UTC); err != nil {
				t.Fatal(err)
			}
		default:
			kind := cmp.Or(typ.Kind, cases.KindCertification)
			c, ok := byKind[kind] // one case per kind, a step per type
			if !ok {
				c = cases.Case{ID: store.NewID("cas"), Kind: kind, PartnerID: acme.ID, Status: "s0", CreatedAt: at, UpdatedAt: at,
					Details: json.RawMessage(`{}`)}
				if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "W", Input: map[string]string{}}, nil); err != nil {
					t.Fatal(err)
				}
			}
			steps[kind]++
			tr := transition(c, steps[kind], fmt.Sprintf("s%d", steps[kind]))
			tr.Notifications = []cases.Notification{{Audience: cases.AudiencePartner, Kind: typ.Notice, Message: "m"}}
			if err := st.ApplyTransition(ctx, tr); err != nil {
				t.Fatal(err)
			}
			byKind[kind] = c
		}
	}
	queued := map[string]bool{}
	list, err := st.PendingWebhookDeliveries(ctx, endpoints[0].ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		var e events.Envelope
		if err := json.Unmarshal(p.Body, &e); err != nil {
			t.Fatal(err)
		}
		if e.PartnerID != acme.ID {
			t.Errorf("Acme's endpoint got %+v", e)
		}
		queued[e.Type] = true
	}
	for _, typ := range events.Catalogue {
		if !queued[typ.Name] {
			t.Errorf("%s did not reach Acme's endpoint", typ.Name)
		}
	}
	if list, err := st.PendingWebhookDeliveries(ctx, endpoints[1].ID, 1000); err != nil || len(list) != 0 {
		t.Errorf("Nimbus's endpoint got %d deliveries (%v)", len(list), err)
	}
}
