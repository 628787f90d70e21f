package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"partnerops/cases"
	"partnerops/store"
	"partnerops/worker"
	"partnerops/workflows"
)

// ppOrder is a cloud order as the API shows it.
type ppOrder struct {
	ID      string                 `json:"id"`
	Status  string                 `json:"status"`
	Payer   string                 `json:"payer"`
	PaidBy  string                 `json:"paid_by"`
	CaseID  string                 `json:"case_id"`
	Amount  struct{ Amount int64 } `json:"amount"`
	Product string                 `json:"product"`
}

// ppCustomer is a customer of some partner, with its own token.
type ppCustomer struct {
	id, token, partnerID, partnerToken string
}

// newPartnerWithCustomer registers a partner of a type, its admin, and a
// customer associated with it in a mode, all through the store.
func (s *system) newPartnerWithCustomer(partnerType, level, mode string) ppCustomer {
	s.t.Helper()
	partnerID, adminToken := s.newPartner("Partner "+partnerType, partnerType, level)
	return s.newCustomerOf(partnerID, adminToken, mode)
}

// newPartner creates a certified partner and its admin, and returns the
// partner's ID and the admin's token.
func (s *system) newPartner(name, partnerType, level string) (string, string) {
	s.t.Helper()
	partnerID, adminToken := s.newUncertifiedPartner(name, partnerType, level)
	s.certify(partnerID)
	return partnerID, adminToken
}

// newUncertifiedPartner is newPartner without the certification: the
// certification gate refuses it.
func (s *system) newUncertifiedPartner(name, partnerType, level string) (string, string) {
	s.t.Helper()
	ctx := context.Background()
	p, err := s.store.CreatePartner(ctx, name, partnerType, level)
	if err != nil {
		s.t.Fatal(err)
	}
	_, adminToken, err := s.store.CreatePrincipal(ctx, store.NewPrincipal{Name: "admin of " + name, Role: cases.RoleAdmin, PartnerID: p.ID})
	if err != nil {
		s.t.Fatal(err)
	}
	return p.ID, adminToken
}

func (s *system) newCustomerOf(partnerID, partnerToken, mode string) ppCustomer {
	s.t.Helper()
	ctx := context.Background()
	c, err := s.store.CreateCustomer(ctx, "Customer ("+mode+")", partnerID, mode)
	if err != nil {
		s.t.Fatal(err)
	}
	_, token, err := s.store.CreatePrincipal(ctx, store.NewPrincipal{Name: "Customer " + c.ID, Role: cases.RoleCustomer, CustomerID: c.ID})
	if err != nil {
		s.t.Fatal(err)
	}
	return ppCustomer{id: c.ID, token: token, partnerID: partnerID, partnerToken: partnerToken}
}

func (s *system) deposit(partnerID string, amount int64, txn string) {
	s.t.Helper()
	s.call("POST", "/v1/partners/"+partnerID+"/deposits", s.ops, map[string]any{
		"amount": map[string]any{"amount": amount, "currency": "CNY"}, "transaction_id": txn,
	}).expect(s.t, 201)
}

func (s *system) partnerBalance(partnerID string) int64 {
	s.t.Helper()
	acc := decode[struct {
		Balances []struct {
			Amount   int64
			Currency string
		}
	}](s.t, s.call("GET", "/v1/partners/"+partnerID+"/account", s.ops, nil).expect(s.t, 200))
	for _, b := range acc.Balances {
		if b.Currency == "CNY" {
			return b.Amount
		}
	}
	return 0
}

func orderBody(payer string, amount int64) map[string]any {
	return map[string]any{
		"scenario": "renewal", "product": "ecs.c6.large, 1 year", "payment_window_minutes": 60 * 24,
		"amount": map[string]any{"amount": amount, "currency": "CNY"}, "payer": payer,
	}
}

// askPartnerToPay places an order the partner is asked to pay and waits for
// its case to be waiting for the partner.
func (s *system) askPartnerToPay(c ppCustomer, amount int64, headers ...string) cases.Case {
	s.t.Helper()
	r := s.call("POST", "/v1/customers/"+c.id+"/orders", c.token, orderBody("partner", amount), headers...).expect(s.t, 202)
	started := decode[cases.Case](s.t, r)
	if started.Kind != cases.KindPartnerPayment || r.header.Get("Location") != "/v1/cases/"+started.ID {
		s.t.Fatalf("started %+v at %s", started, r.header.Get("Location"))
	}
	return s.waitForCase(s.ops, started.ID, hasStatus(workflows.PaymentAwaitingPartner))
}

func paymentOrderID(t *testing.T, c cases.Case) string {
	t.Helper()
	var d workflows.PartnerPaymentDetails
	if err := json.Unmarshal(c.Details, &d); err != nil {
		t.Fatal(err)
	}
	return d.OrderID
}

// The eligibility matrix: who may ask its partner to pay, each allowed cell
// paid from request to paid order, each refused cell refused with why.
func TestPartnerPaymentEligibilityMatrix(t *testing.T) {
	s := startSystem(t, "3wd")
	for _, cell := range []struct {
		name, partnerType, level, mode string
		allowed                        bool
	}{
		{"solution provider x consultative", "solution_provider", "certified", "consultative", true},
		{"solution provider x resale", "solution_provider", "preferred", "resale", true},
		{"cloud reseller x resale", "cloud_reseller", "", "resale", true},
		{"cloud reseller x consultative", "cloud_reseller", "", "consultative", false},
		{"software partner x resale", "software_partner", "", "resale", false},
		{"service partner x consultative", "service_partner", "", "consultative", false},
	} {
		t.Run(cell.name, func(t *testing.T) {
			s := s.forTest(t)
			c := s.newPartnerWithCustomer(cell.partnerType, cell.level, cell.mode)
			if !cell.allowed {
				p := decode[problem](t, s.call("POST", "/v1/customers/"+c.id+"/orders", c.token, orderBody("partner", 12000)).expect(t, 422))
				if p.fields() != "payer" || len(p.Errors[0].Message) < 20 {
					t.Errorf("refusal %+v", p)
				}
				orders := decode[struct{ Orders []ppOrder }](t, s.call("GET", "/v1/customers/"+c.id+"/orders", c.token, nil).expect(t, 200))
				if len(orders.Orders) != 0 {
					t.Errorf("a refused request left orders %+v", orders.Orders)
				}
				return
			}
			s.deposit(c.partnerID, 100_000, "dep-"+c.id)
			pc := s.askPartnerToPay(c, 12_000)
			requests := decode[struct {
				PaymentRequests []ppOrder `json:"payment_requests"`
			}](t, s.call("GET", "/v1/partners/"+c.partnerID+"/payment-requests", c.partnerToken, nil).expect(t, 200))
			if len(requests.PaymentRequests) != 1 || requests.PaymentRequests[0].CaseID != pc.ID {
				t.Errorf("payment requests %+v", requests.PaymentRequests)
			}
			paid := decode[cases.Case](t, s.call("POST", "/v1/cases/"+pc.ID+"/actions/approve", c.partnerToken, nil).expect(t, 200))
			if paid.Status != workflows.PaymentPaidByPartner {
				t.Fatalf("after approve: %s", paid.Status)
			}
			order := decode[ppOrder](t, s.call("GET", "/v1/customers/"+c.id+"/orders/"+paymentOrderID(t, pc), c.token, nil).expect(t, 200))
			if order.Status != "completed" || order.PaidBy != "partner" {
				t.Errorf("the customer sees its order %+v", order)
			}
			if got := s.partnerBalance(c.partnerID); got != 88_000 {
				t.Errorf("partner balance %d, want 88000", got)
			}
		})
	}
	// A customer without a partner has nobody to ask.
	direct, err := s.store.CreateCustomer(context.Background(), "Direct customer", "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := s.store.CreatePrincipal(context.Background(), store.NewPrincipal{Name: "direct", Role: cases.RoleCustomer, CustomerID: direct.ID})
	if err != nil {
		t.Fatal(err)
	}
	if p := decode[problem](t, s.call("POST", "/v1/customers/"+direct.ID+"/orders", token, orderBody("partner", 100)).expect(t, 422)); p.fields() != "payer" {
		t.Errorf("a direct customer asking a partner: %+v", p)
	}
}

func TestPartnerPaymentDeclineInsufficientBalanceAndSelfPay(t *testing.T) {
	s := startSystem(t, "3wd")
	c := ppCustomer{id: s.customerA(), token: s.customA, partnerID: s.partnerA, partnerToken: s.adminA}

	// Bad input, and people who may not place the order, change nothing.
	bad := orderBody("friend", -1)
	bad["scenario"] = "lease"
	if p := decode[problem](t, s.call("POST", "/v1/customers/"+c.id+"/orders", c.token, bad).expect(t, 422)); p.fields() != "scenario,amount.amount,payer" {
		t.Errorf("bad order names %q", p.fields())
	}
	s.call("POST", "/v1/customers/"+c.id+"/orders", s.adminA, orderBody("partner", 100)).expect(t, 403)
	s.call("POST", "/v1/customers/"+c.id+"/orders", s.adminB, orderBody("partner", 100)).expect(t, 404)

	// Insufficient balance refuses the approval; a top-up lets it through.
	pc := s.askPartnerToPay(c, 30_000, "Idempotency-Key", "order-1")
	again := decode[cases.Case](t, s.call("POST", "/v1/customers/"+c.id+"/orders", c.token, orderBody("partner", 30_000), "Idempotency-Key", "order-1").expect(t, 202))
	if again.ID != pc.ID {
		t.Errorf("the same Idempotency-Key opened a second case %s", again.ID)
	}
	p := decode[problem](t, s.call("POST", "/v1/cases/"+pc.ID+"/actions/approve", s.adminA, nil).expect(t, 409))
	if p.Type != "urn:partnerops:problem:insufficient-balance" {
		t.Errorf("approval without funds: %+v", p)
	}
	if still := s.waitForCase(s.ops, pc.ID, hasStatus(workflows.PaymentAwaitingPartner)); len(still.Actions) != 0 {
		t.Errorf("ops may %v on a payment case", still.Actions)
	}
	s.call("POST", "/v1/cases/"+pc.ID+"/actions/approve", s.adminB, nil).expect(t, 404)
	s.call("POST", "/v1/cases/"+pc.ID+"/actions/approve", c.token, nil).expect(t, 403)
	// The partner's payment requests are its members' and staff's: the
	// customer and another partner know nothing of them.
	for _, other := range []string{c.token, s.adminB} {
		s.call("GET", "/v1/partners/"+s.partnerA+"/payment-requests", other, nil).expect(t, 404)
	}
	s.call("GET", "/v1/partners/"+s.partnerA+"/payment-requests", s.ops, nil).expect(t, 200)
	s.deposit(s.partnerA, 50_000, "top-up-1")
	if paid := decode[cases.Case](t, s.call("POST", "/v1/cases/"+pc.ID+"/actions/approve", s.memberA, nil).expect(t, 200)); paid.Status != workflows.PaymentPaidByPartner {
		t.Fatalf("after the top-up: %s", paid.Status)
	}
	if got := s.partnerBalance(s.partnerA); got != 20_000 {
		t.Errorf("partner balance %d, want 20000", got)
	}

	// A decline hands the order back; the customer pays from its account.
	s.call("POST", "/v1/partners/"+s.partnerA+"/adjustments", s.adminA, map[string]any{
		"customer_id": c.id, "operation": "allocate", "amount": map[string]any{"amount": 15_000, "currency": "CNY"},
		"apply_scenes": []string{"ecs"}, "transaction_id": "alloc-1",
	}).expect(t, 201)
	declined := s.askPartnerToPay(c, 10_000)
	s.call("POST", "/v1/cases/"+declined.ID+"/actions/decline", s.adminA, map[string]string{}).expect(t, 422)
	back := decode[cases.Case](t, s.call("POST", "/v1/cases/"+declined.ID+"/actions/decline", s.adminA,
		map[string]string{"reason": "Not in this quarter's budget"}).expect(t, 200))
	if back.Status != workflows.PaymentAwaitingCustomer {
		t.Fatalf("after decline: %s", back.Status)
	}
	notes := decode[struct{ Notifications []struct{ Kind string } }](t, s.call("GET", "/v1/notifications", c.token, nil).expect(t, 200))
	if len(notes.Notifications) == 0 || notes.Notifications[0].Kind != "order_handed_back" {
		t.Errorf("customer notifications %+v", notes.Notifications)
	}
	seen := decode[cases.Case](t, s.call("GET", "/v1/cases/"+declined.ID, c.token, nil).expect(t, 200))
	if len(seen.Actions) != 1 || seen.Actions[0] != "pay" {
		t.Errorf("the customer may %v", seen.Actions)
	}
	if paid := decode[cases.Case](t, s.call("POST", "/v1/cases/"+declined.ID+"/actions/pay", c.token, nil).expect(t, 200)); paid.Status != workflows.PaymentPaidByCustomer {
		t.Fatalf("after the customer paid: %s", paid.Status)
	}
	s.recordHistory(pc.ID, "partner_payment_top_up_approved")
	s.recordHistory(declined.ID, "partner_payment_declined_customer_paid")
	order := decode[ppOrder](t, s.call("GET", "/v1/customers/"+c.id+"/orders/"+paymentOrderID(t, declined), s.adminA, nil).expect(t, 200))
	if order.Status != "completed" || order.PaidBy != "customer" || order.Payer != "partner" {
		t.Errorf("the handed-back order %+v", order)
	}

	// An order the customer pays itself from the start.
	self := decode[ppOrder](t, s.call("POST", "/v1/customers/"+c.id+"/orders", c.token, orderBody("customer", 4_000)).expect(t, 201))
	if self.Status != "pending_payment" || self.CaseID != "" {
		t.Errorf("a self-paid order %+v", self)
	}
	s.call("POST", "/v1/customers/"+c.id+"/orders/"+self.ID+"/pay", c.token, nil).expect(t, 200)
	repaid := decode[ppOrder](t, s.call("POST", "/v1/customers/"+c.id+"/orders/"+self.ID+"/pay", c.token, nil).expect(t, 200))
	if repaid.Status != "completed" || repaid.PaidBy != "customer" {
		t.Errorf("after paying twice %+v", repaid)
	}
	account := decode[struct {
		Balances []struct{ Amount int64 }
	}](t, s.call("GET", "/v1/customers/"+c.id+"/account", c.token, nil).expect(t, 200))
	if len(account.Balances) != 1 || account.Balances[0].Amount != 1_000 {
		t.Errorf("customer account %+v, want 15000 - 10000 - 4000 = 1000", account.Balances)
	}
	s.call("POST", "/v1/customers/"+c.id+"/orders/"+self.ID+"/pay", c.token, `{"tip": 5}`).expect(t, 422)
	s.call("GET", "/v1/customers/"+c.id+"/orders", s.adminB, nil).expect(t, 404)
}

// customerA is the harness's resale customer of partner A.
func (s *system) customerA() string {
	s.t.Helper()
	p, err := s.store.PrincipalByToken(context.Background(), s.customA)
	if err != nil {
		s.t.Fatal(err)
	}
	return p.CustomerID.String
}

// TestPartnerPaymentSurvivesAWorkerKilledAfterTheDebit kills the worker
// between the debit and the order update; after another worker takes over,
// there is one debit and a paid order.
func TestPartnerPaymentSurvivesAWorkerKilledAfterTheDebit(t *testing.T) {
	s := startSystemWithoutWorker(t, "3wd")
	crash := crashAfter("Debit")
	doomed := sdkworker.New(s.temporal, e2eTaskQueue, sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{crash}})
	worker.Register(doomed, s.workerDeps())
	if err := doomed.Start(); err != nil {
		t.Fatal(err)
	}
	c := ppCustomer{id: s.customerA(), token: s.customA, partnerID: s.partnerA, partnerToken: s.adminA}
	s.deposit(s.partnerA, 50_000, "dep-kill")
	pc := s.askPartnerToPay(c, 12_000)

	// The approval waits for the workflow; send it from another goroutine.
	approved := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", s.baseURL+"/v1/cases/"+pc.ID+"/actions/approve", bytes.NewReader(nil))
		req.Header.Set("Authorization", "Bearer "+s.adminA)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			approved <- 0
			return
		}
		resp.Body.Close()
		approved <- resp.StatusCode
	}()
	select {
	case <-crash.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the debit never ran")
	}
	doomed.Stop() // killed between the debit and the order update
	if got := s.partnerBalance(s.partnerA); got != 38_000 {
		t.Fatalf("after the debit the partner holds %d, want 38000", got)
	}
	s.runWorker(context.Background()) // a new worker takes over

	select {
	case status := <-approved:
		if status != 200 {
			t.Errorf("the approval answered %d", status)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("the approval never completed")
	}
	done := s.waitForCase(s.ops, pc.ID, hasStatus(workflows.PaymentPaidByPartner))
	order := decode[ppOrder](t, s.call("GET", "/v1/customers/"+c.id+"/orders/"+paymentOrderID(t, done), c.token, nil).expect(t, 200))
	if order.Status != "completed" || order.PaidBy != "partner" {
		t.Errorf("order %+v", order)
	}
	if got := s.partnerBalance(s.partnerA); got != 38_000 {
		t.Errorf("the partner holds %d after the retry, want 38000: one debit", got)
	}
	ledger := decode[struct{ Entries []store.LedgerEntry }](t, s.call("GET", "/v1/partners/"+s.partnerA+"/ledger", s.ops, nil).expect(t, 200))
	debits := 0
	for _, e := range ledger.Entries {
		if e.AccountKind == store.AccountPartner && e.Amount.Amount == -12_000 {
			debits++
		}
	}
	if debits != 1 {
		t.Errorf("%d debits of 12000 in the ledger, want 1: %+v", debits, ledger.Entries)
	}
}
