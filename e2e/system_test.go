// Package e2e tests partnerops end to end: real HTTP against the API, a
// real Temporal server (embedded, on SQLite) running the real worker, and a
// fresh PostgreSQL database per system.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/config"
	"partnerops/demo"
	"partnerops/internal/testdb"
	"partnerops/internal/testkeys"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/worker"
)

// system is one running partnerops: API, worker, Temporal and PostgreSQL.
// A subtest works on a copy whose t is the subtest's (forTest).
type system struct {
	t         *testing.T
	baseURL   string
	store     *store.Store
	dbURL     string
	temporal  client.Client
	ticketSLA string
	// incentive is the incentive policy of the APIs serveAPI serves from
	// then on (the defaults when zero).
	incentive rules.IncentivePolicy
	contract  *contractChecker
	// fixWindow is the opportunity fix window of the API (its default if "").
	fixWindow string
	// apiDeps, when set, adjusts the dependencies of the APIs serveAPI
	// serves from then on (limits, a logger to read).
	apiDeps func(*api.Deps)

	partnerA, partnerB               string
	ops, supervisor                  string // tokens
	adminA, memberA, adminB, customA string
}

// forTest is the system as seen from a subtest: the same services, failures
// reported on t.
func (s *system) forTest(t *testing.T) *system {
	sub := *s
	sub.t = t
	return &sub
}

// e2eExitCoolingOff is the cooling-off of the partner exits the tests start.
const e2eExitCoolingOff = 2 * time.Second

// e2eAssociationExpiry is how long the customers of the tests have to
// answer an association request (PARTNEROPS_ASSOCIATION_EXPIRY).
const e2eAssociationExpiry = 15 * time.Second

// e2eTaskQueue is the task queue of the systems the tests start.
const e2eTaskQueue = "partnerops-e2e"

// startSystem brings a whole system up for one test; ticketSLA is the SLA
// policy of new certification cases.
func startSystem(t *testing.T, ticketSLA string) *system {
	t.Helper()
	s := startSystemWithoutWorker(t, ticketSLA)
	s.runWorker(context.Background())
	return s
}

// runWorker runs the real worker until the test ends, ctx is done or the
// returned stop is called; stop returns once the worker has stopped.
func (s *system) runWorker(ctx context.Context) (stop func()) {
	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan error, 1)
	deps := s.workerDeps()
	go func() {
		workerDone <- worker.Run(workerCtx, s.temporal, e2eTaskQueue, deps)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			stopWorker()
			if err := <-workerDone; err != nil {
				s.t.Errorf("worker: %v", err)
			}
		})
	}
	s.t.Cleanup(stop)
	return stop
}

func (s *system) workerDeps() worker.Deps {
	return worker.Deps{Store: s.store, Location: shanghai(s.t), Webhooks: e2eWebhooks}
}

// e2eWebhooks: the tests' receivers listen on loopback, and a failed
// delivery is retried within a second rather than minutes.
var e2eWebhooks = config.Webhooks{AllowLoopback: true, RetryBase: 100 * time.Millisecond, RetryCap: time.Second}

// startSystemWithoutWorker is a system whose workers the test runs itself.
func startSystemWithoutWorker(t *testing.T, ticketSLA string) *system {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the end-to-end tests start a Temporal server and a worker; run them without -short")
	}
	ctx := context.Background()
	st, dbURL := testdb.New(t)
	ts := newTemporal(t, st)
	tc := ts.GetDefaultClient()
	if err := worker.EnsureSearchAttributes(ctx, tc, ts.GetDefaultNamespace()); err != nil {
		t.Fatal(err)
	}

	s := &system{t: t, store: st, dbURL: dbURL, temporal: tc, ticketSLA: ticketSLA, contract: newContractChecker(t)}
	s.baseURL = s.serveAPI(tc)
	s.seed(ctx)
	return s
}

// serveAPI serves an API of the system on tc until the test ends, and
// returns its base URL.
func (s *system) serveAPI(tc client.Client) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	deps := api.Deps{
		Store: s.store, Temporal: tc, TaskQueue: e2eTaskQueue, TicketSLA: s.ticketSLA, Incentive: s.incentive, Vendor: e2eVendor, OpportunityFixWindow: s.fixWindow,
		ExitCoolingOff: e2eExitCoolingOff, AssociationExpiry: e2eAssociationExpiry, Location: shanghai(s.t), Logger: slog.New(slog.DiscardHandler), Webhooks: e2eWebhooks,
		HistoryKeys: testkeys.Keyring(s.store),
	}
	if s.apiDeps != nil {
		s.apiDeps(&deps)
	}
	app := api.New(deps)
	go func() { _ = app.Listener(ln) }()
	s.t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func (s *system) seed(ctx context.Context) {
	token := func(np store.NewPrincipal) string {
		_, tok, err := s.store.CreatePrincipal(ctx, np)
		if err != nil {
			s.t.Fatal(err)
		}
		return tok
	}
	a, err := s.store.CreatePartner(ctx, "Acme Solutions", "solution_provider", "preferred")
	if err != nil {
		s.t.Fatal(err)
	}
	b, err := s.store.CreatePartner(ctx, "Nimbus Reseller", "cloud_reseller", "")
	if err != nil {
		s.t.Fatal(err)
	}
	customer, err := s.store.CreateCustomer(ctx, "Blue Sky Retail", a.ID, "resale")
	if err != nil {
		s.t.Fatal(err)
	}
	s.partnerA, s.partnerB = a.ID, b.ID
	s.ops = token(store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps})
	s.supervisor = token(store.NewPrincipal{Name: "Sam Supervisor", Role: cases.RoleSupervisor})
	s.adminA = token(store.NewPrincipal{Name: "Acme admin", Role: cases.RoleAdmin, PartnerID: a.ID})
	s.memberA = token(store.NewPrincipal{Name: "Acme member", Role: cases.RoleMember, PartnerID: a.ID})
	s.adminB = token(store.NewPrincipal{Name: "Nimbus admin", Role: cases.RoleAdmin, PartnerID: b.ID})
	s.customA = token(store.NewPrincipal{Name: "Blue Sky", Role: cases.RoleCustomer, CustomerID: customer.ID})
	s.certify(a.ID)
	s.certify(b.ID)
}

// openCases counts the open cases of a list: those the test started,
// without the fixtures' closed certifications.
func openCases(list []cases.Case) int {
	n := 0
	for _, c := range list {
		if c.ClosedAt == nil {
			n++
		}
	}
	return n
}

// certify records the partner as certified (demo.Certify), under a
// certificate number of its own, as every partner the fixtures create is
// unless a test asks for an uncertified one: the certification gate then
// lets it bind customers, be asked to pay, receive vendor opportunities,
// have settlements published and apply for levels.
func (s *system) certify(partnerID string) {
	s.t.Helper()
	ctx := context.Background()
	ops, err := s.store.PrincipalByToken(ctx, s.ops)
	if err != nil {
		s.t.Fatal(err)
	}
	partner, err := s.store.Partner(ctx, partnerID)
	if err != nil {
		s.t.Fatal(err)
	}
	number := rules.WithUSCCCheck(fmt.Sprintf("9111%013d", rand.Int64N(1e13)))
	if _, err := demo.Certify(ctx, s.store, partnerID, rules.BusinessInfo{
		CompanyName: partner.Name + " Ltd", CertificateNumber: number, CertificateType: new(rules.BusinessLicence),
		LegalRepresentative: "Zhang San", Address: "1 Cloud Road, Hangzhou",
		Contact: rules.Contact{Name: "Li Si", Phone: "+86 138 0000 0000", Email: "li.si@example.com"},
	}, ops); err != nil {
		s.t.Fatal(err)
	}
}

// response is one HTTP answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request and checks the answer against the OpenAPI
// document. body is sent as is when it is a string, else as JSON.
func (s *system) call(method, path, token string, body any, headers ...string) response {
	s.t.Helper()
	return s.callOn(http.DefaultClient, method, path, token, body, headers...)
}

// callOn is call with the given HTTP client.
func (s *system) callOn(hc *http.Client, method, path, token string, body any, headers ...string) response {
	s.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, s.baseURL+path, bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	s.contract.check(s.t, req, resp, respBody)
	return response{status: resp.StatusCode, header: resp.Header, body: respBody}
}

// expect fails the test unless the answer has the status.
func (r response) expect(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// problem is an error answer.
type problem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	CaseID string `json:"case_id"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
		Code    string `json:"code"`
	} `json:"errors"`
}

func (p problem) fields() string {
	var names []string
	for _, e := range p.Errors {
		names = append(names, e.Field)
	}
	return strings.Join(names, ",")
}

// waitForCase polls the case until cond holds.
func (s *system) waitForCase(token, id string, cond func(cases.Case) bool) cases.Case {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := decode[cases.Case](s.t, s.call("GET", "/v1/cases/"+id, token, nil).expect(s.t, 200))
		if cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("case %s stayed %s (%+v)", id, c.Status, c.SLA)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForList polls a case list until cond holds, and returns it.
func (s *system) waitForList(path, token string, cond func([]cases.Case) bool) []cases.Case {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list := decode[struct{ Cases []cases.Case }](s.t, s.call("GET", path, token, nil).expect(s.t, 200)).Cases
		if cond(list) || time.Now().After(deadline) {
			return list
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForEvents polls a case's timeline until it has at least n events
// (the read model is written just after the workflow moves), and returns it.
func (s *system) waitForEvents(caseID string, n int) []cases.Event {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events := decode[struct{ Events []cases.Event }](s.t, s.call("GET", "/v1/cases/"+caseID+"/events", s.ops, nil).expect(s.t, 200)).Events
		if len(events) >= n || time.Now().After(deadline) {
			return events
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func hasStatus(status string) func(cases.Case) bool {
	return func(c cases.Case) bool { return c.Status == status }
}
