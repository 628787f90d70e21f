package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/store"
	"partnerops/webhooks"
	"partnerops/worker"
	"partnerops/workflows"
)

// webhookOutage is how long TestWebhookReceiverOutage's receiver answers
// 503: the two minutes the issue names.
const webhookOutage = 2 * time.Minute

// Acme's receiver answers 503 for two minutes while its cases move on;
// back up, it has every event the delivery log queued for it, each case's
// in order of its steps, and no step under two event IDs. The endpoint
// stays enabled (it failed for minutes, not a day).
func TestWebhookReceiverOutage(t *testing.T) {
	s := startSystem(t, "3wd")
	acme := newReceiver(t)
	hooks := "/v1/partners/" + s.partnerA + "/webhooks"
	endpoint := decode[webhookCreated](t, s.call("POST", hooks, s.adminA, map[string]any{"url": acme.url}).expect(t, 201))

	first := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO).expect(t, 202))
	acme.waitFor("the first opportunity's action_required", func(got []received) bool {
		return slices.ContainsFunc(got, func(d received) bool { return d.event.Type == "opportunity.action_required" })
	})

	acme.down.Store(true)
	downSince := time.Now()
	// During the outage: three more opportunities, and steps of each.
	s.call("POST", "/v1/cases/"+first.ID+"/actions/resubmit", s.memberA, fixedPO("Lakeside Retail Co., Ltd.")).expect(t, 200)
	s.waitForCase(s.ops, first.ID, hasStatus(workflows.OpportunityInReview))
	s.call("POST", "/v1/cases/"+first.ID+"/actions/approve", s.ops, nil).expect(t, 200)
	var during []string
	for range 3 {
		po := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO).expect(t, 202))
		during = append(during, po.ID)
	}
	for _, id := range during {
		s.waitForCase(s.adminA, id, hasStatus(workflows.OpportunityActionRequired))
		s.call("POST", "/v1/cases/"+id+"/actions/resubmit", s.memberA, fixedPO("Harbour Logistics Ltd.")).expect(t, 200)
	}
	for _, id := range during {
		s.waitForCase(s.ops, id, hasStatus(workflows.OpportunityInReview))
	}
	s.call("POST", "/v1/cases/"+during[0]+"/actions/approve", s.ops, nil).expect(t, 200)
	time.Sleep(time.Until(downSince.Add(webhookOutage)))
	failedDuring := acme.failed.Load()
	ep := decode[store.WebhookEndpoint](t, s.call("GET", hooks+"/"+endpoint.ID, s.adminA, nil).expect(t, 200))
	if failedDuring < 60 || !ep.Enabled || ep.FailingSince == nil {
		t.Errorf("after %s down: %d attempts answered 503; the endpoint %+v", webhookOutage, failedDuring, ep)
	}
	acme.down.Store(false)

	log := s.waitForDeliveries(hooks+"/"+endpoint.ID, func(ds []store.WebhookDelivery) bool {
		return !slices.ContainsFunc(ds, func(d store.WebhookDelivery) bool { return d.DeliveredAt == nil })
	})
	got := acme.deliveries()
	arrived := map[string]bool{}
	for _, d := range got {
		arrived[d.event.ID] = true
	}
	for _, d := range log {
		if !arrived[d.EventID] {
			t.Errorf("event %s (%s) was queued and never received", d.EventID, d.EventType)
		}
	}
	if len(arrived) != len(log) {
		t.Errorf("the receiver got %d distinct events, the log queued %d", len(arrived), len(log))
	}
	checkCaseOrder(t, got)
	for _, id := range append(during, first.ID) {
		if !slices.ContainsFunc(got, func(d received) bool {
			return d.event.Case != nil && d.event.Case.ID == id && d.event.Type == "opportunity.action_required"
		}) {
			t.Errorf("case %s: no opportunity.action_required received", id)
		}
	}
	ep = decode[store.WebhookEndpoint](t, s.call("GET", hooks+"/"+endpoint.ID, s.adminA, nil).expect(t, 200))
	if !ep.Enabled || ep.FailingSince != nil || ep.LastSuccessAt == nil {
		t.Errorf("back up, the endpoint is %+v", ep)
	}
}

// checkCaseOrder fails t if a case's events arrived out of the order of
// its steps, or one step arrived under two event IDs (the same ID twice
// is at least once, and allowed).
func checkCaseOrder(t *testing.T, got []received) {
	t.Helper()
	type step struct {
		caseID string
		seq    int
		typ    string
	}
	ids := map[step]string{}
	lastSeq := map[string]int{}
	for _, d := range got {
		e := d.event
		if e.Case == nil {
			continue
		}
		if e.Case.Seq < lastSeq[e.Case.ID] {
			t.Errorf("case %s: seq %d arrived after %d", e.Case.ID, e.Case.Seq, lastSeq[e.Case.ID])
		}
		lastSeq[e.Case.ID] = e.Case.Seq
		k := step{e.Case.ID, e.Case.Seq, e.Type}
		if id, ok := ids[k]; ok && id != e.ID {
			t.Errorf("step %+v delivered under two IDs (%s, %s)", k, id, e.ID)
		}
		ids[k] = e.ID
	}
}

// An endpoint answering 410 Gone is disabled at its first delivery; one
// failing (503) for longer than PARTNEROPS_WEBHOOKS_DISABLE_AFTER (a few
// seconds here) is disabled too; either way Acme's admin is told why.
func TestWebhookEndpointDisabled(t *testing.T) {
	s := startSystemWithoutWorker(t, "3wd")
	deps := s.workerDeps()
	deps.Webhooks.DisableAfter = 4 * time.Second
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- worker.Run(ctx, s.temporal, e2eTaskQueue, deps) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	answering := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
		t.Cleanup(srv.Close)
		return srv.URL + "/hook"
	}
	hooks := "/v1/partners/" + s.partnerA + "/webhooks"
	gone := decode[webhookCreated](t, s.call("POST", hooks, s.adminA, map[string]any{"url": answering(http.StatusGone)}).expect(t, 201))
	failing := decode[webhookCreated](t, s.call("POST", hooks, s.adminA, map[string]any{"url": answering(http.StatusServiceUnavailable)}).expect(t, 201))
	start := time.Now()
	s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO).expect(t, 202)

	disabled := func(id, why string) store.WebhookEndpoint {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			ep := decode[store.WebhookEndpoint](t, s.call("GET", hooks+"/"+id, s.adminA, nil).expect(t, 200))
			if !ep.Enabled {
				if ep.DisabledReason == nil || !strings.Contains(*ep.DisabledReason, why) {
					t.Errorf("endpoint %s disabled because %v, want %q", id, ep.DisabledReason, why)
				}
				return ep
			}
			if time.Now().After(deadline) {
				t.Fatalf("endpoint %s never disabled: %+v", id, ep)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	disabled(gone.ID, "410 Gone")
	// Its dispatcher ends; its history is replayed by workflows' replay test.
	waitCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.temporal.GetWorkflow(waitCtx, webhooks.DispatcherID(gone.ID), "").Get(waitCtx, nil); err != nil {
		t.Errorf("the dispatcher of the disabled endpoint: %v", err)
	}
	s.recordHistory(webhooks.DispatcherID(gone.ID), "webhook_dispatcher_disabled")
	disabled(failing.ID, "failed since")
	if took := time.Since(start); took < deps.Webhooks.DisableAfter {
		t.Errorf("the failing endpoint was disabled after %s, before its %s", took, deps.Webhooks.DisableAfter)
	}
	notes := decode[struct{ Notifications []store.Notification }](t,
		s.call("GET", "/v1/notifications?kind=webhook_disabled", s.adminA, nil).expect(t, 200)).Notifications
	for _, id := range []string{gone.ID, failing.ID} {
		if !slices.ContainsFunc(notes, func(n store.Notification) bool { return strings.Contains(n.Message, id) }) {
			t.Errorf("Acme's admin was not told endpoint %s is disabled: %+v", id, notes)
		}
	}
	nimbus := decode[struct{ Notifications []store.Notification }](t,
		s.call("GET", "/v1/notifications?kind=webhook_disabled", s.adminB, nil).expect(t, 200)).Notifications
	if len(nimbus) != 0 {
		t.Errorf("Nimbus's admin was told %+v", nimbus)
	}
}
