package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/events"
	"partnerops/store"
	"partnerops/workflows"
)

// receiver is a partner's system on loopback: it keeps every delivery it
// answers 2xx, in the order they arrive, and answers 503 while down.
type receiver struct {
	t      *testing.T
	url    string
	down   atomic.Bool
	failed atomic.Int64
	mu     sync.Mutex
	got    []received
}

type received struct {
	header http.Header
	body   []byte
	event  events.Envelope
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if r.down.Load() {
			r.failed.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var e events.Envelope
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("a delivery that is not an event: %s", body)
		}
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, event: e})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/partnerops"
	return r
}

func (r *receiver) deliveries() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// waitFor waits until cond holds of what the receiver got.
func (r *receiver) waitFor(what string, cond func([]received) bool) []received {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := r.deliveries()
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the receiver never got %s; it got %d deliveries", what, len(got))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type webhookCreated struct {
	store.WebhookEndpoint
	Secret string `json:"secret"`
}

// verifies reports whether a delivery's signature verifies with secret,
// as the Go example of docs/webhooks.md verifies it.
func verifies(d received, secret string) bool {
	wh, err := standardwebhooks.NewWebhook(secret)
	return err == nil && wh.Verify(d.body, d.header) == nil
}

// Acme's systems receive the events of a certification and an opportunity
// walk-through, in order per case, signed; through a receiver outage
// every event arrives once; a rotated secret verifies during its overlap;
// a replay keeps the event ID; Nimbus's endpoint gets nothing of Acme's.
func TestWebhookDelivery(t *testing.T) {
	s := startSystem(t, "3wd")
	acme, nimbus := newReceiver(t), newReceiver(t)
	hooks := "/v1/partners/" + s.partnerA + "/webhooks"

	// Registration: the admin's, refused for internal targets and unknown types.
	s.call("POST", hooks, s.memberA, map[string]any{"url": acme.url}).expect(t, 403)
	s.call("POST", hooks, s.adminB, map[string]any{"url": acme.url}).expect(t, 404)
	for _, target := range []string{"https://10.0.0.8/hook", "https://169.254.169.254/latest/meta-data", "https://[fd00:ec2::254]/",
		"http://93.184.215.14/hook", "https://192.168.1.10/hook"} {
		if p := decode[problem](t, s.call("POST", hooks, s.adminA, map[string]any{"url": target}).expect(t, 422)); p.fields() != "url" {
			t.Errorf("%s refused naming %q", target, p.fields())
		}
	}
	if p := decode[problem](t, s.call("POST", hooks, s.adminA, map[string]any{"url": "https://10.0.0.8/", "event_types": []string{"case.created"}}).
		expect(t, 422)); p.fields() != "url,event_types[0]" {
		t.Errorf("bad fields named %q", p.fields())
	}
	// Without the allow setting, loopback (by address or by name) is refused too.
	strict := api.New(api.Deps{Store: s.store, Temporal: s.temporal, TaskQueue: e2eTaskQueue, Location: shanghai(t), Logger: slog.New(slog.DiscardHandler)})
	for _, target := range []string{acme.url, strings.Replace(acme.url, "127.0.0.1", "localhost", 1), "https://127.0.0.1/hook"} {
		body, _ := json.Marshal(map[string]any{"url": target})
		req := httptest.NewRequest("POST", hooks, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.adminA)
		req.Header.Set("Content-Type", "application/json")
		resp, err := strict.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 422 {
			t.Errorf("without the allow setting %s answers %d, want 422", target, resp.StatusCode)
		}
	}

	created := s.call("POST", hooks, s.adminA, map[string]any{"url": acme.url, "description": "Acme CRM"}).expect(t, 201)
	endpoint := decode[webhookCreated](t, created)
	if !strings.HasPrefix(endpoint.Secret, "whsec_") || created.header.Get("Location") != hooks+"/"+endpoint.ID {
		t.Fatalf("created %+v at %s", endpoint, created.header.Get("Location"))
	}
	if read := s.call("GET", hooks+"/"+endpoint.ID, s.adminA, nil).expect(t, 200); strings.Contains(string(read.body), endpoint.Secret) {
		t.Error("reading the endpoint shows its secret")
	}
	decode[webhookCreated](t, s.call("POST", "/v1/partners/"+s.partnerB+"/webhooks", s.adminB, map[string]any{"url": nimbus.url}).expect(t, 201))

	// The certification walk-through, then the opportunity one with the receiver down for a while.
	cert := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, cert.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+cert.ID+"/actions/reject", s.ops, map[string]string{"reason": "The licence scan is unreadable"}).expect(t, 200)
	s.call("POST", "/v1/cases/"+cert.ID+"/actions/file_ticket", s.adminA, map[string]string{"message": "Here is a clearer scan"}).expect(t, 200)
	s.call("POST", "/v1/cases/"+cert.ID+"/actions/resolve", s.ops, map[string]string{"decision": "certify"}).expect(t, 200)
	acme.waitFor("certification.certified", func(got []received) bool {
		return slices.ContainsFunc(got, func(d received) bool { return d.event.Type == "certification.certified" })
	})

	acme.down.Store(true)
	po := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO).expect(t, 202))
	s.waitForCase(s.adminA, po.ID, hasStatus(workflows.OpportunityActionRequired))
	s.call("POST", "/v1/cases/"+po.ID+"/actions/resubmit", s.memberA, fixedPO("Lakeside Retail Co., Ltd.")).expect(t, 200)
	s.waitForCase(s.ops, po.ID, hasStatus(workflows.OpportunityInReview))
	s.call("POST", "/v1/cases/"+po.ID+"/actions/approve", s.ops, nil).expect(t, 200)
	time.Sleep(3 * time.Second) // retries pile up against the 503s
	if acme.failed.Load() == 0 {
		t.Error("nothing was tried while the receiver was down")
	}
	acme.down.Store(false)
	got := acme.waitFor("opportunity.approved", func(got []received) bool {
		return slices.ContainsFunc(got, func(d received) bool { return d.event.Type == "opportunity.approved" })
	})

	// Every queued delivery is delivered: the log has none pending.
	log := s.waitForDeliveries(hooks+"/"+endpoint.ID, func(ds []store.WebhookDelivery) bool {
		return !slices.ContainsFunc(ds, func(d store.WebhookDelivery) bool { return d.DeliveredAt == nil })
	})
	got = acme.deliveries()
	if len(got) != len(log) {
		t.Errorf("the receiver got %d deliveries, the log has %d", len(got), len(log))
	}
	logged := map[string]bool{}
	for _, d := range log {
		logged[d.EventID] = true
	}
	type step struct {
		caseID string
		seq    int
		typ    string
	}
	ids := map[step]string{}
	lastSeq := map[string]int{}
	var types []string
	for _, d := range got {
		e := d.event
		if d.header.Get("webhook-id") != e.ID || !logged[e.ID] {
			t.Errorf("delivery %s (header %s) is not in the log", e.ID, d.header.Get("webhook-id"))
		}
		if !verifies(d, endpoint.Secret) {
			t.Errorf("the signature of %s does not verify", e.ID)
		}
		if e.PartnerID != s.partnerA || e.Case == nil || e.Data.Case == nil || e.Data.Case.PartnerID != s.partnerA {
			t.Errorf("Acme got %+v", e)
			continue
		}
		if e.Case.Seq < lastSeq[e.Case.ID] {
			t.Errorf("case %s: seq %d arrived after %d", e.Case.ID, e.Case.Seq, lastSeq[e.Case.ID])
		}
		lastSeq[e.Case.ID] = e.Case.Seq
		k := step{e.Case.ID, e.Case.Seq, e.Type}
		if id, ok := ids[k]; ok {
			t.Errorf("step %+v delivered twice (%s, %s)", k, id, e.ID)
		}
		ids[k] = e.ID
		types = append(types, e.Type)
	}
	for _, want := range []string{events.StatusChanged, "certification.rejected", "certification.certified",
		"opportunity.action_required", "opportunity.approved"} {
		if !slices.Contains(types, want) {
			t.Errorf("no %s among %v", want, types)
		}
	}
	if lastSeq[cert.ID] == 0 || lastSeq[po.ID] == 0 {
		t.Errorf("last steps delivered %v", lastSeq)
	}

	// Python's standard library verifies a delivery as docs/webhooks.md shows.
	if _, err := exec.LookPath("python3"); err == nil {
		d := got[0]
		cmd := exec.Command("python3", "../docs/examples/verify_webhook.py",
			d.header.Get("webhook-id"), d.header.Get("webhook-timestamp"), d.header.Get("webhook-signature"))
		cmd.Env = append(cmd.Environ(), "WEBHOOK_SECRET="+endpoint.Secret)
		cmd.Stdin = bytes.NewReader(d.body)
		if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "valid" {
			t.Errorf("the Python example: %s %v", out, err)
		}
	}

	// A rotated secret: during the overlap each delivery verifies with either secret.
	rotated := decode[webhookCreated](t, s.call("POST", hooks+"/"+endpoint.ID+"/rotate-secret", s.adminA,
		map[string]any{"overlap_minutes": 60}).expect(t, 200))
	if rotated.Secret == endpoint.Secret || rotated.PreviousSecretValidUntil == nil {
		t.Fatalf("rotated %+v", rotated)
	}
	again := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/opportunities", s.adminA, vaguePO).expect(t, 202))
	after := acme.waitFor("the second opportunity's events", func(got []received) bool {
		return slices.ContainsFunc(got, func(d received) bool {
			return d.event.Case != nil && d.event.Case.ID == again.ID && d.event.Type == "opportunity.action_required"
		})
	})
	for _, d := range after[len(got):] {
		if !verifies(d, rotated.Secret) || !verifies(d, endpoint.Secret) {
			t.Errorf("%s does not verify with both secrets during the overlap", d.event.ID)
		}
	}

	// A replay delivers the same event, with the same ID, again.
	first := got[0].event
	r := decode[struct{ Queued int }](t, s.call("POST", hooks+"/"+endpoint.ID+"/replay", s.adminA, map[string]any{"event_id": first.ID}).expect(t, 202))
	if r.Queued != 1 {
		t.Errorf("replay queued %d", r.Queued)
	}
	n := len(acme.deliveries())
	replayed := acme.waitFor("the replay", func(got []received) bool { return len(got) > n && got[len(got)-1].event.ID == first.ID })
	if last := replayed[len(replayed)-1]; last.header.Get("webhook-id") != first.ID || !verifies(last, rotated.Secret) {
		t.Errorf("replayed %s", last.header.Get("webhook-id"))
	}
	decode[problem](t, s.call("POST", hooks+"/"+endpoint.ID+"/replay", s.adminA, map[string]any{}).expect(t, 422))
	s.call("POST", "/v1/partners/"+s.partnerB+"/webhooks/"+endpoint.ID+"/replay", s.adminB, map[string]any{"event_id": first.ID}).expect(t, 404)

	// Nimbus's endpoint got nothing of Acme's; ops see both endpoints' health.
	for _, d := range nimbus.deliveries() {
		t.Errorf("Nimbus got %s about %+v", d.event.Type, d.event.Case)
	}
	all := decode[struct{ Webhooks []store.WebhookEndpoint }](t, s.call("GET", "/v1/webhooks", s.ops, nil).expect(t, 200))
	if len(all.Webhooks) != 2 || all.Webhooks[0].LastSuccessAt == nil {
		t.Errorf("ops see %+v", all.Webhooks)
	}
	s.call("GET", "/v1/webhooks", s.adminA, nil).expect(t, 403)
}

// waitForDeliveries waits until cond holds of an endpoint's delivery log.
func (s *system) waitForDeliveries(path string, cond func([]store.WebhookDelivery) bool) []store.WebhookDelivery {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		log := decode[struct{ Deliveries []store.WebhookDelivery }](s.t, s.call("GET", path+"/deliveries?limit=200", s.adminA, nil).expect(s.t, 200))
		if cond(log.Deliveries) {
			return log.Deliveries
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the delivery log never settled: %+v", log.Deliveries)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
