package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/worker"
	"partnerops/workflows"
)

// e2eVendor is the vendor entity the systems' API names on settlements.
var e2eVendor = rules.Party{Name: "Partnerops Cloud Computing Co., Ltd.", TaxID: "91330106MA2CFKQ72H"}

// settlementView is a settlement in the partner's list.
type settlementView struct {
	CaseID   string   `json:"case_id"`
	Status   string   `json:"status"`
	Period   string   `json:"period"`
	NextStep string   `json:"next_step"`
	Actions  []string `json:"actions"`
}

func settlementBody(period string) map[string]any {
	return map[string]any{
		"period": period, "amount": map[string]any{"amount": 106_000, "currency": "CNY"},
		"items": []map[string]any{
			{"name": "Resale growth", "amount": map[string]any{"amount": 100_000, "currency": "CNY"}},
			{"name": "Certified engineers", "amount": map[string]any{"amount": 6_000, "currency": "CNY"}},
		},
	}
}

// paperInvoice is a paper invoice of kind from Acme to the vendor entity, issued today.
func (s *system) paperInvoice(kind, number string) map[string]any {
	return map[string]any{
		"kind": kind, "medium": "paper", "code": "3300261130", "number": number,
		"issue_date":  time.Now().In(shanghai(s.t)).Format(time.DateOnly),
		"seller_name": "Acme Solutions Ltd", "seller_tax_id": acmeNumber,
		"buyer_name": e2eVendor.Name, "buyer_tax_id": e2eVendor.TaxID,
		"amount_excluding_tax": map[string]any{"amount": 100_000, "currency": "CNY"}, "tax_rate": "0.06",
		"tax_amount": map[string]any{"amount": 6_000, "currency": "CNY"},
		"total":      map[string]any{"amount": 106_000, "currency": "CNY"},
	}
}

// certifyAcme certifies partner A's business information through the API:
// the seller of its invoices must be its certified company.
func (s *system) certifyAcme() {
	s.t.Helper()
	c := decode[cases.Case](s.t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(s.t, 202))
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+c.ID+"/actions/approve", s.ops, nil).expect(s.t, 200)
}

// publishSettlement publishes a settlement for partner A and waits for it to leave published.
func (s *system) publishSettlement(period string, headers ...string) cases.Case {
	s.t.Helper()
	r := s.call("POST", "/v1/partners/"+s.partnerA+"/incentive-settlements", s.ops, settlementBody(period), headers...).expect(s.t, 202)
	c := decode[cases.Case](s.t, r)
	if c.Kind != cases.KindIncentiveSettlement || r.header.Get("Location") != "/v1/cases/"+c.ID {
		s.t.Fatalf("published %+v at %s", c, r.header.Get("Location"))
	}
	return s.waitForCase(s.ops, c.ID, func(c cases.Case) bool {
		return c.Status != workflows.SettlementPublished && c.Status != workflows.SettlementApplying
	})
}

func settlementDetails(t *testing.T, c cases.Case) workflows.IncentiveSettlementDetails {
	t.Helper()
	var d workflows.IncentiveSettlementDetails
	if err := json.Unmarshal(c.Details, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// incentiveCredits counts the incentive payouts into partner A's account.
func (s *system) incentiveCredits() []store.LedgerEntry {
	s.t.Helper()
	ledger := decode[struct{ Entries []store.LedgerEntry }](s.t, s.call("GET", "/v1/partners/"+s.partnerA+"/ledger", s.ops, nil).expect(s.t, 200))
	var credits []store.LedgerEntry
	for _, e := range ledger.Entries {
		if e.PostingKind == store.PostingIncentivePayout && e.AccountKind == store.AccountPartner {
			credits = append(credits, e)
		}
	}
	return credits
}

// The walk-through of docs/walkthroughs/incentive-settlement.md: publish, apply, an ordinary invoice rejected
// by the checks, return requested, returned, a correct invoice accepted,
// paid, one ledger credit; another partner sees none of it.
func TestIncentiveSettlementWalkthrough(t *testing.T) {
	s := startSystem(t, "3wd")
	s.certifyAcme()

	// Bad input writes nothing; only staff publish.
	bad := settlementBody("Q3")
	bad["items"] = []map[string]any{{"name": "", "amount": map[string]any{"amount": 5, "currency": "USD"}}}
	if p := decode[problem](t, s.call("POST", "/v1/partners/"+s.partnerA+"/incentive-settlements", s.ops, bad).expect(t, 422)); p.fields() != "period,items[0].name,items[0].amount.currency" {
		t.Errorf("bad settlement names %q", p.fields())
	}
	s.call("POST", "/v1/partners/"+s.partnerA+"/incentive-settlements", s.adminA, settlementBody("2026-Q3")).expect(t, 403)
	s.call("POST", "/v1/partners/"+s.partnerA+"/incentive-settlements", s.adminB, settlementBody("2026-Q3")).expect(t, 404)
	if list := decode[struct{ Settlements []settlementView }](t, s.call("GET", "/v1/partners/"+s.partnerA+"/incentive-settlements", s.adminA, nil).expect(t, 200)); len(list.Settlements) != 0 {
		t.Fatalf("refused requests left settlements %+v", list.Settlements)
	}

	c := s.publishSettlement("2026-Q3", "Idempotency-Key", "acme-q3")
	again := decode[cases.Case](t, s.call("POST", "/v1/partners/"+s.partnerA+"/incentive-settlements", s.ops, settlementBody("2026-Q3"), "Idempotency-Key", "acme-q3").expect(t, 202))
	if again.ID != c.ID {
		t.Errorf("the same Idempotency-Key published a second settlement %s", again.ID)
	}
	if c.Status != workflows.SettlementAwaitingApplication {
		t.Fatalf("with automatic application off the settlement is %s", c.Status)
	}
	list := decode[struct{ Settlements []settlementView }](t, s.call("GET", "/v1/partners/"+s.partnerA+"/incentive-settlements?period=2026-Q3&status=awaiting_application", s.memberA, nil).expect(t, 200))
	if len(list.Settlements) != 1 || list.Settlements[0].CaseID != c.ID || !strings.HasPrefix(list.Settlements[0].NextStep, "apply") ||
		len(list.Settlements[0].Actions) != 1 || list.Settlements[0].Actions[0] != workflows.ActionApply {
		t.Errorf("the partner's list %+v", list.Settlements)
	}
	s.call("GET", "/v1/partners/"+s.partnerA+"/incentive-settlements?period=Q3", s.adminA, nil).expect(t, 422)
	opsList := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases?kind=incentive_settlement", s.ops, nil).expect(t, 200))
	if len(opsList.Cases) != 1 || opsList.Cases[0].SLA == nil {
		t.Errorf("ops' case list %+v", opsList.Cases)
	}

	act := func(token, action string, body any, status int) cases.Case {
		t.Helper()
		return decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/"+action, token, body).expect(t, status))
	}
	act(s.adminA, "apply", nil, 200)
	// A malformed invoice is refused naming its fields; nothing changes.
	malformed := s.paperInvoice("receipt", "123")
	delete(malformed, "total")
	if p := decode[problem](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/submit_invoice", s.adminA, malformed).expect(t, 422)); p.fields() != "total,kind,number" {
		t.Errorf("a malformed invoice names %q", p.fields())
	}
	rejected := act(s.adminA, "submit_invoice", s.paperInvoice("vat_ordinary", "10000001"), 200)
	d := settlementDetails(t, rejected)
	if rejected.Status != workflows.SettlementAwaitingReturnRequest || len(d.Invoices) != 1 || len(d.Invoices[0].Problems) != 1 ||
		d.Invoices[0].Problems[0].Code != rules.InvoiceNotSpecial {
		t.Fatalf("an ordinary invoice: %s %+v", rejected.Status, d.Invoices)
	}
	if p := decode[problem](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/request_return", s.adminA, map[string]any{"recipient_phone": "x"}).expect(t, 422)); p.fields() != "address,recipient_name,recipient_phone" {
		t.Errorf("a bad return request names %q", p.fields())
	}
	requested := act(s.adminA, "request_return", map[string]any{
		"address": "1 Cloud Road, Hangzhou", "recipient_name": "Li Si", "recipient_phone": "+86 138 0000 0000"}, 200)
	if requested.Status != workflows.SettlementReturnRequested || requested.SLA == nil || requested.SLA.Breached {
		t.Errorf("return requested: %s %+v", requested.Status, requested.SLA)
	}
	s.call("POST", "/v1/cases/"+c.ID+"/actions/mark_returned", s.adminA, map[string]any{"courier": "SF Express", "tracking_number": "SF1234567890"}).expect(t, 403)
	act(s.ops, "mark_returned", map[string]any{"courier": "SF Express", "tracking_number": "SF1234567890"}, 200)
	// A fully digitalised ordinary invoice (数电票) by mistake: it is never voided,
	// only reversed on a red-letter confirmation (its 20-digit number).
	digital := s.paperInvoice("digital_vat_ordinary", "26332000000010000003")
	digital["medium"] = "electronic"
	delete(digital, "code")
	if r := act(s.adminA, "submit_invoice", digital, 200); r.Status != workflows.SettlementAwaitingReversal {
		t.Fatalf("a digital ordinary invoice: %s", r.Status)
	}
	p := decode[problem](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/report_reversal", s.adminA, map[string]any{"voided": true}).expect(t, 422))
	if len(p.Errors) != 1 || p.Errors[0].Field != "voided" || p.Errors[0].Code != rules.DigitalInvoiceNotVoidable {
		t.Errorf("voiding a digital invoice: %+v", p)
	}
	act(s.adminA, "report_reversal", map[string]any{"red_letter_number": "26332000000090000003"}, 200)
	inReview := act(s.adminA, "submit_invoice", s.paperInvoice("vat_special", "10000002"), 200)
	if inReview.Status != workflows.SettlementInvoiceInReview {
		t.Fatalf("a correct invoice: %s %+v", inReview.Status, settlementDetails(t, inReview).Invoices)
	}
	if paid := act(s.ops, "accept", nil, 200); paid.Status != workflows.SettlementPaid {
		t.Fatalf("accepted: %s", paid.Status)
	}
	if credits := s.incentiveCredits(); len(credits) != 1 || credits[0].Amount.Amount != 106_000 {
		t.Errorf("incentive credits %+v, want one of 106000", credits)
	}
	if got := s.partnerBalance(s.partnerA); got != 106_000 {
		t.Errorf("partner balance %d", got)
	}
	events := decode[struct{ Events []cases.Event }](t, s.call("GET", "/v1/cases/"+c.ID+"/events", s.adminA, nil).expect(t, 200))
	var types []string
	for _, e := range events.Events {
		types = append(types, e.Type)
	}
	if want := "published applied invoice_submitted checks_failed return_requested returned invoice_submitted checks_failed invoice_reversed invoice_submitted checks_passed invoice_accepted paid"; strings.Join(types, " ") != want {
		t.Errorf("timeline %v", types)
	}
	s.recordHistory(c.ID, "incentive_settlement_walkthrough")

	// Another partner gets 404 on all of it.
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/cases/" + c.ID}, {"GET", "/v1/cases/" + c.ID + "/events"},
		{"POST", "/v1/cases/" + c.ID + "/actions/apply"}, {"POST", "/v1/cases/" + c.ID + "/actions/submit_invoice"},
		{"POST", "/v1/cases/" + c.ID + "/actions/accept"}, {"GET", "/v1/partners/" + s.partnerA + "/incentive-settlements"},
		{"POST", "/v1/partners/" + s.partnerA + "/incentive-settlements"},
	} {
		var body any
		if r.method == "POST" {
			body = map[string]any{}
		}
		s.call(r.method, r.path, s.adminB, body).expect(t, 404)
	}
	// The used invoice numbers count for good: a second settlement cannot reuse them.
	// With automatic incentive application switched on, the next one is applied for at once.
	s.call("PATCH", "/v1/partners/"+s.partnerA+"/settings", s.adminA, map[string]any{"auto_incentive_application": true}).expect(t, 200)
	second := s.publishSettlement("2026-Q4")
	if d := settlementDetails(t, second); second.Status != workflows.SettlementAwaitingInvoice || d.Application != workflows.ApplicationAutomatic || d.AppliedAt == nil {
		t.Fatalf("an automatic application: %s %+v", second.Status, d)
	}
	reused := decode[cases.Case](t, s.call("POST", "/v1/cases/"+second.ID+"/actions/submit_invoice", s.adminA, s.paperInvoice("vat_special", "10000002")).expect(t, 200))
	if p := settlementDetails(t, reused).Invoices[0].Problems; len(p) != 1 || p[0].Code != rules.InvoiceNumberUsed {
		t.Errorf("a reused number: %+v", p)
	}
}

// TestIncentivePayoutSurvivesAWorkerKilledAfterThePayout kills the worker
// between the payout and its report; another worker takes over, and the
// ledger shows one credit.
func TestIncentivePayoutSurvivesAWorkerKilledAfterThePayout(t *testing.T) {
	s := startSystemWithoutWorker(t, "3wd")
	crash := crashAfter("PayOut")
	doomed := sdkworker.New(s.temporal, e2eTaskQueue, sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{crash}})
	worker.Register(doomed, s.workerDeps())
	if err := doomed.Start(); err != nil {
		t.Fatal(err)
	}
	s.certifyAcme()
	c := s.publishSettlement("2026-Q3")
	s.call("POST", "/v1/cases/"+c.ID+"/actions/apply", s.adminA, nil).expect(t, 200)
	s.call("POST", "/v1/cases/"+c.ID+"/actions/submit_invoice", s.adminA, s.paperInvoice("vat_special", "20000001")).expect(t, 200)

	accepted := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", s.baseURL+"/v1/cases/"+c.ID+"/actions/accept", bytes.NewReader(nil))
		req.Header.Set("Authorization", "Bearer "+s.ops)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			accepted <- 0
			return
		}
		resp.Body.Close()
		accepted <- resp.StatusCode
	}()
	select {
	case <-crash.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the payout never ran")
	}
	doomed.Stop() // killed between the payout and its report
	if credits := s.incentiveCredits(); len(credits) != 1 {
		t.Fatalf("after the payout the ledger shows %d credits", len(credits))
	}
	s.runWorker(context.Background()) // a new worker takes over
	select {
	case <-accepted: // the first answer may be a 503: the action's deadline passed while no worker ran
	case <-time.After(90 * time.Second):
		t.Fatal("the acceptance never answered")
	}
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.SettlementPaid))
	if credits := s.incentiveCredits(); len(credits) != 1 || credits[0].Amount.Amount != 106_000 {
		t.Errorf("incentive credits %+v after the retry, want one of 106000", credits)
	}
	if got := s.partnerBalance(s.partnerA); got != 106_000 {
		t.Errorf("the partner holds %d, want 106000: one payout", got)
	}
}
