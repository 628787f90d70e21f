package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

var recordHistories = flag.String("record-histories", "",
	"write the workflow histories of the tests that record one into this folder (workflows/testdata), for the replay test")

func businessInfo(number string) map[string]any {
	return map[string]any{
		"company_name": "Acme Solutions Ltd", "certificate_number": number, "certificate_type": 0,
		"legal_representative": "Zhang San", "address": "1 Cloud Road, Hangzhou",
		"contact": map[string]any{"name": "Li Si", "phone": "+86 138 0000 0000", "email": "li.si@acme.example"},
	}
}

const acmeNumber = "91350100M000100Y43"

// patientClient waits up to 10 s for a server's 100 Continue (or its
// refusal) before it sends a body; Go's default waits 1 s.
var patientClient = &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second}}

func (s *system) submit(token, partnerID string, body any, headers ...string) response {
	s.t.Helper()
	return s.call("POST", "/v1/partners/"+partnerID+"/certifications", token, body, headers...)
}

func certificationDetails(t *testing.T, c cases.Case) workflows.CertificationDetails {
	t.Helper()
	var d workflows.CertificationDetails
	if err := json.Unmarshal(c.Details, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// The README's walk-through: submit, reject, read the reason, file a
// ticket, resolve, certified; with another partner seeing none of it.
func TestCertificationWalkthrough(t *testing.T) {
	s := startSystem(t, "3wd")

	started := s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202)
	c := decode[cases.Case](t, started)
	if loc := started.header.Get("Location"); loc != "/v1/cases/"+c.ID {
		t.Errorf("Location %q", loc)
	}
	if c.Kind != cases.KindCertification || c.PartnerID != s.partnerA {
		t.Errorf("started %+v", c)
	}
	c = s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	if !slices.Equal(c.Actions, []string{"approve", "reject"}) {
		t.Errorf("ops may %v in review", c.Actions)
	}

	rejected := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops,
		map[string]string{"reason": "The licence scan is unreadable"}).expect(t, 200))
	if rejected.Status != workflows.CertificationRejected {
		t.Fatalf("after reject: %s", rejected.Status)
	}

	// The partner reads the reason on the case, and was notified.
	seen := decode[cases.Case](t, s.call("GET", "/v1/cases/"+c.ID, s.memberA, nil).expect(t, 200))
	if d := certificationDetails(t, seen); d.RejectionReason != "The licence scan is unreadable" {
		t.Errorf("the partner reads the reason %q", d.RejectionReason)
	}
	if !slices.Equal(seen.Actions, []string{"file_ticket", "resubmit"}) {
		t.Errorf("the partner may %v after rejection", seen.Actions)
	}
	notes := decode[struct {
		Notifications []struct{ Kind, Message string }
	}](t,
		s.call("GET", "/v1/notifications", s.adminA, nil).expect(t, 200))
	if len(notes.Notifications) == 0 || notes.Notifications[0].Kind != "certification_rejected" ||
		!strings.Contains(notes.Notifications[0].Message, "unreadable") {
		t.Errorf("partner notifications %+v", notes.Notifications)
	}

	// The partner uploads a clearer scan; ops download it with its name,
	// partner B cannot.
	scan := decode[struct {
		ID          string `json:"id"`
		ContentType string `json:"content_type"`
	}](t, s.upload(c.ID, s.adminA, "licence-scan.pdf", licenceScan).expect(t, 201))
	if scan.ContentType != "application/pdf" {
		t.Errorf("the scan is %s", scan.ContentType)
	}
	got := s.call("GET", "/v1/cases/"+c.ID+"/attachments/"+scan.ID, s.ops, nil).expect(t, 200)
	if !bytes.Equal(got.body, licenceScan) || got.header.Get("Content-Disposition") != `attachment; filename=licence-scan.pdf` {
		t.Errorf("ops download %q: %q", got.header.Get("Content-Disposition"), got.body)
	}
	s.upload(c.ID, s.adminB, "licence-scan.pdf", licenceScan).expect(t, 404)
	s.call("GET", "/v1/cases/"+c.ID+"/attachments", s.adminB, nil).expect(t, 404)

	ticket := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/file_ticket", s.adminA,
		map[string]string{"message": "Here is a clearer scan"}).expect(t, 200))
	if ticket.Status != workflows.CertificationTicketOpen || ticket.SLA == nil || ticket.SLA.Breached {
		t.Fatalf("after filing the ticket: %s %+v", ticket.Status, ticket.SLA)
	}
	// Ops find it in the list of open tickets, with its deadline.
	list := decode[struct{ Cases []cases.Case }](t, s.call("GET",
		"/v1/cases?kind=certification&status=ticket_open", s.ops, nil).expect(t, 200))
	if len(list.Cases) != 1 || list.Cases[0].ID != c.ID || list.Cases[0].SLA == nil ||
		!list.Cases[0].SLA.DueAt.Equal(ticket.SLA.DueAt) || !slices.Equal(list.Cases[0].Actions, []string{"resolve", "request_info"}) {
		t.Errorf("open tickets %+v", list.Cases)
	}

	// Another partner sees nothing of it.
	s.call("GET", "/v1/cases/"+c.ID, s.adminB, nil).expect(t, 404)
	s.call("GET", "/v1/cases/"+c.ID+"/events", s.adminB, nil).expect(t, 404)
	s.call("POST", "/v1/cases/"+c.ID+"/actions/resubmit", s.adminB, businessInfo(acmeNumber)).expect(t, 404)
	for _, listed := range decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases", s.adminB, nil).expect(t, 200)).Cases {
		if listed.PartnerID != s.partnerB {
			t.Errorf("partner B lists %s's case %s", listed.PartnerID, listed.ID)
		}
	}
	if other := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases?partner_id="+s.partnerA, s.adminB, nil).expect(t, 200)); len(other.Cases) != 0 {
		t.Errorf("partner B lists %d of partner A's cases", len(other.Cases))
	}

	// Ops ask for information: the SLA pauses until the partner replies.
	asked := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/request_info", s.ops,
		map[string]string{"message": "Which branch office is this?"}).expect(t, 200))
	if asked.Status != workflows.CertificationTicketAwaitingPartner {
		t.Fatalf("after request_info: %s", asked.Status)
	}
	replied := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/reply", s.memberA,
		map[string]string{"message": "The Hangzhou one"}).expect(t, 200))
	// Answered the same day: the pause reached into no working day, so the
	// deadline stays at the end of the same working day.
	if replied.Status != workflows.CertificationTicketOpen || !replied.SLA.DueAt.Equal(ticket.SLA.DueAt) {
		t.Errorf("after the reply: %s, due %v (was %v)", replied.Status, replied.SLA.DueAt, ticket.SLA.DueAt)
	}

	// A partner cannot resolve its own ticket; ops can.
	s.call("POST", "/v1/cases/"+c.ID+"/actions/resolve", s.adminA, map[string]string{"decision": "certify"}).expect(t, 403)
	done := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/resolve", s.ops,
		map[string]string{"decision": "certify"}).expect(t, 200))
	if done.Status != workflows.CertificationCertified {
		t.Fatalf("after resolve: %s", done.Status)
	}
	s.call("POST", "/v1/cases/"+c.ID+"/actions/approve", s.ops, nil).expect(t, 409)

	events := decode[struct{ Events []cases.Event }](t, s.call("GET", "/v1/cases/"+c.ID+"/events", s.adminA, nil).expect(t, 200))
	var types []string
	for _, e := range events.Events {
		types = append(types, e.Type)
	}
	want := []string{"submitted", "checks_passed", "rejected", "ticket_filed", "info_requested", "partner_replied", "ticket_resolved"}
	if !slices.Equal(types, want) {
		t.Errorf("timeline %v, want %v", types, want)
	}
	if events.Events[2].Actor.Name != "Olivia Ops" || events.Events[3].Actor.Name != "Acme admin" {
		t.Errorf("who did what: %+v", events.Events)
	}
	final := s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationCertified))
	if final.Status != workflows.CertificationCertified {
		t.Errorf("read back %s", final.Status)
	}
	s.recordHistory(c.ID, "certification_walkthrough")
}

// recordHistory saves a workflow's history as testdata/<name>.json for the
// replay test, when -record-histories names the folder, and the data keys
// that decrypt it as testdata/keys/<name>.json.
func (s *system) recordHistory(workflowID, name string) {
	if *recordHistories == "" {
		return
	}
	iter := s.temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	var history historypb.History
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		history.Events = append(history.Events, e)
	}
	out, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&history)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*recordHistories, name+".json"), out, 0o644); err != nil {
		s.t.Fatal(err)
	}
	// the data keys its payloads are sealed under, wrapped by the tests' KEK
	keys, err := s.store.HistoryKeysNotUnder(context.Background(), "")
	if err != nil {
		s.t.Fatal(err)
	}
	if out, err = json.MarshalIndent(keys, "", "  "); err != nil {
		s.t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(*recordHistories, "keys"), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*recordHistories, "keys", name+".json"), out, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func TestCertificationIdempotencyKey(t *testing.T) {
	s := startSystem(t, "3wd")
	first := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber), "Idempotency-Key", "cert-1").expect(t, 202))
	again := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber), "Idempotency-Key", "cert-1").expect(t, 202))
	if again.ID != first.ID {
		t.Errorf("the same key and body gave a second case %s (first %s)", again.ID, first.ID)
	}
	other := businessInfo(acmeNumber)
	other["company_name"] = "Acme Holdings"
	p := decode[problem](t, s.submit(s.adminA, s.partnerA, other, "Idempotency-Key", "cert-1").expect(t, 409))
	if !strings.Contains(p.Detail, "Idempotency-Key") {
		t.Errorf("409 says %q", p.Detail)
	}
	list := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases", s.ops, nil).expect(t, 200))
	if n := openCases(list.Cases); n != 1 {
		t.Errorf("%d open cases after one start under one key", n)
	}
}

func TestCertificationBadInputWritesNothing(t *testing.T) {
	s := startSystem(t, "3wd")
	tooLong := businessInfo(strings.Repeat("9", 33))
	unknownType := businessInfo(acmeNumber)
	unknownType["certificate_type"] = 7
	manyBad := businessInfo("")
	manyBad["company_name"] = ""
	manyBad["contact"] = map[string]any{"name": "Li Si", "phone": "call me", "email": "not-an-email"}
	wrongCheck := businessInfo("91350100M000100Y44")
	unknownField := businessInfo(acmeNumber)
	unknownField["shoe_size"] = 42
	wrongType := businessInfo(acmeNumber)
	wrongType["certificate_type"] = "zero"

	for _, tc := range []struct {
		name   string
		body   any
		status int
		fields string
	}{
		{"malformed JSON", `{"company_name": "Acme"`, 400, ""},
		{"not an object", `[1, 2]`, 400, ""},
		{"empty body", ``, 400, ""},
		{"wrong type", wrongType, 422, "certificate_type"},
		{"unknown field", unknownField, 422, "shoe_size"},
		{"certificate number over 32", tooLong, 422, "certificate_number"},
		{"unknown certificate type", unknownType, 422, "certificate_type"},
		{"wrong check character", wrongCheck, 422, "certificate_number"},
		{"every bad field at once", manyBad, 422, "company_name,certificate_number,contact.phone,contact.email"},
		{"body over 1 MiB", `{"company_name": "` + strings.Repeat("a", 1<<20) + `"}`, 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Expect: 100-continue lets the server refuse an over-long body
			// before the client sends it, as careful clients do; the client
			// waits for that answer long enough for a loaded machine.
			r := s.callOn(patientClient, "POST", "/v1/partners/"+s.partnerA+"/certifications", s.adminA, tc.body,
				"Idempotency-Key", "bad-"+tc.name, "Expect", "100-continue")
			p := decode[problem](t, r.expect(t, tc.status))
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("content type %q", ct)
			}
			if p.Status != tc.status || p.Type == "" || p.Detail == "" {
				t.Errorf("problem %+v", p)
			}
			if p.fields() != tc.fields {
				t.Errorf("bad fields %q, want %q", p.fields(), tc.fields)
			}
		})
	}
	// A body that is not JSON is refused for its media type.
	s.submit(s.adminA, s.partnerA, "company_name=Acme", "Content-Type", "application/x-www-form-urlencoded").expect(t, 415)
	list := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases", s.ops, nil).expect(t, 200))
	if n := openCases(list.Cases); n != 0 {
		t.Errorf("bad input wrote %d cases", n)
	}
	// The keys of refused requests are free: a good request may use one.
	s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber), "Idempotency-Key", "bad-malformed JSON").expect(t, 202)

	// A refused action changes nothing either.
	c := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases", s.ops, nil).expect(t, 200)).Cases[0]
	c = s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops, `{"reason": `).expect(t, 400)
	p := decode[problem](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops, map[string]string{"reason": ""}).expect(t, 422))
	if p.fields() != "reason" {
		t.Errorf("reject without a reason names %q", p.fields())
	}
	long := decode[problem](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops,
		map[string]string{"reason": strings.Repeat("x", workflows.MaxReasonLength+1)}).expect(t, 422))
	if long.fields() != "reason" {
		t.Errorf("an over-long reason names %q", long.fields())
	}
	s.call("POST", "/v1/cases/"+c.ID+"/actions/teleport", s.ops, nil).expect(t, 404)
	s.call("POST", "/v1/cases/"+c.ID+"/actions/file_ticket", s.adminA, map[string]string{"message": "x"}).expect(t, 409)
	after := s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	if !after.UpdatedAt.Equal(c.UpdatedAt) {
		t.Errorf("refused actions changed the case: updated %v -> %v", c.UpdatedAt, after.UpdatedAt)
	}
	// The timeline holds the submission and the checks (written just after
	// the workflow moved on), and nothing of the refused actions.
	events := s.waitForEvents(c.ID, 2)
	if len(events) != 2 {
		t.Errorf("refused actions left events: %+v", events)
	}
}

func TestAuthentication(t *testing.T) {
	s := startSystem(t, "3wd")
	s.call("GET", "/v1/cases", "", nil).expect(t, 401)
	s.call("GET", "/v1/cases", "po_not-a-token", nil).expect(t, 401)
	s.submit(s.ops, s.partnerA, businessInfo(acmeNumber)).expect(t, 403)
	s.submit(s.customA, s.partnerA, businessInfo(acmeNumber)).expect(t, 403)
	s.submit(s.adminB, s.partnerA, businessInfo(acmeNumber)).expect(t, 404)
	s.call("PUT", "/v1/calendar/days/2026-12-31", s.adminA, map[string]string{"kind": "holiday"}).expect(t, 403)
	s.call("GET", "/healthz", "", nil).expect(t, 200)
	ready := decode[struct{ Ready bool }](t, s.call("GET", "/readyz", "", nil).expect(t, 200))
	if !ready.Ready {
		t.Error("not ready")
	}
	s.call("GET", "/v1/openapi.json", "", nil).expect(t, 200)
	if page := s.call("GET", "/console/sign-in", "", nil).expect(t, 200); !strings.Contains(string(page.body), "Sign in") {
		t.Error("/console/sign-in is not the console's sign-in page")
	}
	s.call("GET", "/metrics", "", nil).expect(t, 401)
	s.call("GET", "/metrics", s.adminA, nil).expect(t, 403)
	metrics := s.call("GET", "/metrics", s.ops, nil).expect(t, 200)
	if !strings.Contains(string(metrics.body), "partnerops_http_requests_total") {
		t.Error("/metrics lacks the request counter")
	}
	// A member of the partner acts with its own token and is named in the timeline.
	c := decode[cases.Case](t, s.submit(s.memberA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	events := decode[struct{ Events []cases.Event }](t, s.call("GET", "/v1/cases/"+c.ID+"/events", s.adminA, nil).expect(t, 200))
	if len(events.Events) == 0 || events.Events[0].Actor.Name != "Acme member" {
		t.Errorf("timeline %+v", events.Events)
	}
}

func TestSLABreachEscalates(t *testing.T) {
	s := startSystem(t, "2s")
	c := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops, map[string]string{"reason": "Unreadable"}).expect(t, 200)
	s.call("POST", "/v1/cases/"+c.ID+"/actions/file_ticket", s.adminA, map[string]string{"message": "Please re-check"}).expect(t, 200)
	breached := s.waitForCase(s.supervisor, c.ID, func(c cases.Case) bool { return c.SLA != nil && c.SLA.Breached })
	if breached.Status != workflows.CertificationTicketOpen {
		t.Errorf("a breached ticket is %s, want still open", breached.Status)
	}
	// The list reads the read model, which the workflow writes just after
	// its state changes: wait for it.
	list := s.waitForList("/v1/cases?sla_breached=true", s.supervisor, func(list []cases.Case) bool { return len(list) > 0 })
	if len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("breached cases %+v", list)
	}
	notes := decode[struct{ Notifications []struct{ Kind string } }](t, s.call("GET", "/v1/notifications", s.supervisor, nil).expect(t, 200))
	if len(notes.Notifications) != 1 || notes.Notifications[0].Kind != "sla_breached" {
		t.Errorf("supervisor notifications %+v", notes.Notifications)
	}
	resolved := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/resolve", s.ops,
		map[string]string{"decision": "reject", "reason": "Still unreadable"}).expect(t, 200))
	if resolved.Status != workflows.CertificationRejected || !resolved.SLA.Breached {
		t.Errorf("resolved late: %s %+v", resolved.Status, resolved.SLA)
	}
	// The partner corrects and resubmits.
	fixed := businessInfo(acmeNumber)
	fixed["address"] = "2 Cloud Road, Hangzhou"
	s.call("POST", "/v1/cases/"+c.ID+"/actions/resubmit", s.adminA, fixed).expect(t, 200)
	again := s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	if d := certificationDetails(t, again); d.Submissions != 2 || d.BusinessInfo.Address != "2 Cloud Road, Hangzhou" {
		t.Errorf("after resubmission %+v", d)
	}
	s.recordHistory(c.ID, "certification_ticket_breached")
}

func TestCaseListPagination(t *testing.T) {
	s := startSystem(t, "3wd")
	var ids []string
	for i := range 5 { // one open certification per partner: five partners, none certified yet
		number := rules.WithUSCCCheck("91350100M00010" + string(rune('0'+i)) + "Y4")
		partnerID, admin := s.newUncertifiedPartner(fmt.Sprintf("Paging Partner %d", i), "solution_provider", "")
		ids = append(ids, decode[cases.Case](t, s.submit(admin, partnerID, businessInfo(number)).expect(t, 202)).ID)
	}
	slices.Reverse(ids) // newest first
	var got []string
	cursor := ""
	for page := 0; page < 10; page++ {
		r := decode[struct {
			Cases      []cases.Case `json:"cases"`
			NextCursor string       `json:"next_cursor"`
		}](t, s.call("GET", "/v1/cases?limit=2&cursor="+cursor, s.ops, nil).expect(t, 200))
		for _, c := range r.Cases {
			got = append(got, c.ID)
		}
		if cursor = r.NextCursor; cursor == "" {
			break
		}
	}
	// Pages of two give what one page of all gives (the fixture partners'
	// certifications too), newest first: the five submitted above first.
	var all []string
	for _, c := range decode[struct {
		Cases []cases.Case `json:"cases"`
	}](t, s.call("GET", "/v1/cases?limit=200", s.ops, nil).expect(t, 200)).Cases {
		all = append(all, c.ID)
	}
	if !slices.Equal(got, all) || len(got) < len(ids) || !slices.Equal(got[:len(ids)], ids) {
		t.Errorf("pages gave %v, want %v first of %v", got, ids, all)
	}
	p := decode[problem](t, s.call("GET", "/v1/cases?limit=0&kind=spaceship&sla_breached=maybe&cursor=zzz", s.ops, nil).expect(t, 422))
	if p.fields() != "kind,sla_breached,limit" {
		t.Errorf("bad list parameters name %q", p.fields())
	}
	s.call("GET", "/v1/cases?cursor=bm90LWEtY3Vyc29y", s.ops, nil).expect(t, 422)
	// A misspelt filter is refused, not ignored.
	if p := decode[problem](t, s.call("GET", "/v1/cases?stauts=in_review", s.ops, nil).expect(t, 422)); p.fields() != "stauts" {
		t.Errorf("an unknown parameter names %q", p.fields())
	}
}

// An action sent with an Idempotency-Key is a Temporal Update whose ID the
// key names: the same key again answers the first answer and takes the
// step once, also for the step that closed the case; another key is
// another step.
func TestCaseActionIdempotentByKey(t *testing.T) {
	s := startSystem(t, "3wd")
	c := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	reject := map[string]string{"reason": "The licence scan is unreadable"}
	first := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops, reject, "Idempotency-Key", "reject-1").expect(t, 200))
	again := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops, reject, "Idempotency-Key", "reject-1").expect(t, 200))
	if first.Status != workflows.CertificationRejected || again.Status != first.Status || again.UpdatedAt != first.UpdatedAt {
		t.Errorf("the retried reject answered %s at %v, the first %s at %v", again.Status, again.UpdatedAt, first.Status, first.UpdatedAt)
	}
	s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", s.ops, reject, "Idempotency-Key", "reject-2").expect(t, 409) // another step
	events := decode[struct{ Events []cases.Event }](t, s.call("GET", "/v1/cases/"+c.ID+"/events", s.ops, nil).expect(t, 200)).Events
	rejected := 0
	for _, e := range events {
		if e.Type == "rejected" {
			rejected++
		}
	}
	if rejected != 1 {
		t.Errorf("%d rejected events, want the step taken once", rejected)
	}

	// The step that closes a case, retried, answers as it did.
	exit := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/exit", s.adminA, map[string]any{"reason": "we leave"}).expect(t, 202))
	s.waitForCase(s.adminA, exit.ID, hasStatus(workflows.ExitBlocked))
	withdrawn := decode[cases.Case](t, s.call("POST", "/v1/cases/"+exit.ID+"/actions/withdraw", s.adminA, nil, "Idempotency-Key", "w-1").expect(t, 200))
	s.waitForCase(s.adminA, exit.ID, func(c cases.Case) bool { return c.ClosedAt != nil })
	if again := decode[cases.Case](t, s.call("POST", "/v1/cases/"+exit.ID+"/actions/withdraw", s.adminA, nil, "Idempotency-Key", "w-1").expect(t, 200)); again.Status != workflows.ExitWithdrawn || again.UpdatedAt != withdrawn.UpdatedAt {
		t.Errorf("the retried withdrawal answered %+v", again)
	}
	s.call("POST", "/v1/cases/"+exit.ID+"/actions/withdraw", s.adminA, nil, "Idempotency-Key", "w-2").expect(t, 409)
	s.call("POST", "/v1/cases/"+exit.ID+"/actions/withdraw", s.adminA, nil).expect(t, 409)
}
