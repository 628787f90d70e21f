package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"go.temporal.io/sdk/client"

	"partnerops/cases"
	"partnerops/internal/testhttp"
	"partnerops/internal/testkeys"
	"partnerops/internal/wait"
	"partnerops/store"
	"partnerops/worker"
	"partnerops/workflows"
)

// TestProductionShape runs partnerops the way it is deployed, nothing
// embedded: the official Temporal server and its SQL tool built from the
// go.temporal.io/server module go.mod requires (the version dev embeds),
// its schemas set up on a private PostgreSQL database by the tool, the
// namespace registered by `partnerops temporal ensure-namespace`, `migrate
// up`, then two `partnerops api` and two `partnerops worker` processes.
// Partner payments and certifications are driven through both APIs while
// one worker and one API are killed with SIGKILL: every accepted case
// reaches its state (a payment whose worker died mid-step within 10 s of
// the kill), none twice, each debit once; the sweeps' schedules exist
// once; a console session made on one API works on the other.
//
// Run it alone (it builds the Temporal server the first time, a few
// minutes on two cores; the build cache keeps it):
//
//	go test -c -o /tmp/partnerops.e2e ./e2e && (cd e2e && /tmp/partnerops.e2e -test.run '^TestProductionShape$' -test.v)
func TestProductionShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Temporal server")
	}
	pg := postgresServer(t)
	bin := partneropsBinary(t)
	server, sqlTool := temporalBinaries(t)

	dbs := pg.createDatabases(t, "temporal", "temporal_visibility", "partnerops")
	for _, schema := range []struct{ db, name string }{{dbs[0], "temporal"}, {dbs[1], "visibility"}} {
		pg.sqlTool(t, sqlTool, schema.db, "setup-schema", "-v", "0.0")
		pg.sqlTool(t, sqlTool, schema.db, "update-schema", "--schema-name", "postgresql/v12/"+schema.name)
	}
	frontend := startTemporalServer(t, server, pg, dbs[0], dbs[1])

	env := []string{
		"DATABASE_URL=" + pg.databaseURL(dbs[2]),
		"TEMPORAL_ADDRESS=" + frontend,
		"TEMPORAL_NAMESPACE=partnerops",
		"PARTNEROPS_TASK_QUEUE=partnerops",
		"PARTNEROPS_DB_MAX_CONNS=4", // four processes on a server other tests share
		"PARTNEROPS_LOG_FORMAT=json",
		testkeys.Env,
	}
	if out := runBinary(t, bin, env, "temporal", "ensure-namespace"); !strings.Contains(out, "namespace partnerops registered") {
		t.Fatalf("ensure-namespace:\n%s", out)
	}
	if out := runBinary(t, bin, env, "temporal", "ensure-namespace"); !strings.Contains(out, "namespace partnerops exists") {
		t.Errorf("ensure-namespace again:\n%s", out)
	}
	runBinary(t, bin, env, "migrate", "up")

	ctx := context.Background()
	st, err := store.OpenPool(ctx, pg.databaseURL(dbs[2]), store.Pool{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tc, err := client.Dial(client.Options{HostPort: frontend, Namespace: "partnerops", DataConverter: testkeys.Keyring(st).DataConverter()})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()

	var workers [2]*process
	var workerAddrs, apiAddrs [2]string
	for i := range workers {
		workerAddrs[i] = freeAddr(t)
		workers[i] = startProcess(t, bin, append(env, "PARTNEROPS_WORKER_ADDR="+workerAddrs[i]), "worker")
	}
	var apis [2]*process
	for i := range apis {
		apiAddrs[i] = freeAddr(t)
		apis[i] = startProcess(t, bin, append(env, "PARTNEROPS_HTTP_ADDR="+apiAddrs[i]), "api")
	}
	s := &system{t: t, baseURL: "http://" + apiAddrs[0], store: st, temporal: tc, contract: newContractChecker(t)}
	s.seed(ctx)
	for i := range apis {
		waitHTTP(t, "http://"+apiAddrs[i]+"/readyz", 200, 60*time.Second)
		waitHTTP(t, "http://"+workerAddrs[i]+"/readyz", 200, 60*time.Second)
	}
	_, metrics := testhttp.Get(t, "http://"+workerAddrs[0]+"/metrics")
	for _, series := range []string{"temporal_request", "partnerops_worker_polling 1", "partnerops_db_max_connections 4"} {
		if !strings.Contains(metrics, series) {
			t.Errorf("the worker's /metrics lacks %s", series)
		}
	}
	session := consoleSession(t, "http://"+apiAddrs[0], s.ops)

	// The load: partner payments to approve, and certifications to submit,
	// spread over both APIs.
	const payments, certifications = 16, 12
	s.deposit(s.partnerA, 1_000_000, "dep-prod")
	c := ppCustomer{id: s.customerA(), token: s.customA, partnerID: s.partnerA, partnerToken: s.adminA}
	toPay := make([]cases.Case, payments)
	amounts := int64(0)
	for i := range toPay {
		on := s.on(apiAddrs[i%2])
		toPay[i] = on.askPartnerToPay(c, int64(1_000+i))
		amounts += int64(1_000 + i)
	}
	certifiers := make([]string, certifications)
	certTokens := make([]string, certifications)
	for i := range certifiers {
		p, err := st.CreatePartner(ctx, fmt.Sprintf("Certifying Partner %d", i), "cloud_reseller", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, certTokens[i], err = st.CreatePrincipal(ctx, store.NewPrincipal{Name: "Admin", Role: cases.RoleAdmin, PartnerID: p.ID}); err != nil {
			t.Fatal(err)
		}
		certifiers[i] = p.ID
	}

	d := &driver{apis: apiAddrs[:]}
	var wg sync.WaitGroup
	approved := make([]int, payments)
	for i, pc := range toPay {
		wg.Go(func() {
			approved[i] = d.send(t, i%2, "POST", "/v1/cases/"+pc.ID+"/actions/approve", s.adminA, nil, "")
		})
	}
	// The first debit is in: kill the worker running it (or its peer).
	wait.Until(t, 30*time.Second, func() bool { return s.on(apiAddrs[1]).partnerBalance(s.partnerA) < 1_000_000 })
	workers[0].kill()
	killedAt := time.Now()
	submitted := make([]int, certifications)
	for i := range certifiers {
		if i == certifications/2 {
			apis[0].kill()
			d.down(0)
		}
		wg.Go(func() {
			submitted[i] = d.send(t, i%2, "POST", "/v1/partners/"+certifiers[i]+"/certifications", certTokens[i],
				businessInfo(acmeNumber), "cert-"+strconv.Itoa(i))
		})
	}
	wg.Wait()

	survivor := s.on(apiAddrs[1])
	var slowest time.Duration
	for i, pc := range toPay {
		if approved[i] != 200 && approved[i] != 409 {
			t.Errorf("approving payment %s answered %d", pc.ID, approved[i])
			continue
		}
		paid := survivor.waitForCase(s.ops, pc.ID, hasStatus(workflows.PaymentPaidByPartner))
		slowest = max(slowest, paid.UpdatedAt.Sub(killedAt)) // when the workflow recorded it paid
	}
	t.Logf("every payment paid %s after the worker was killed", slowest.Round(time.Millisecond))
	if slowest > 10*time.Second {
		t.Errorf("the payments took %s after the kill to complete, want within 10 s", slowest)
	}
	if got := survivor.partnerBalance(s.partnerA); got != 1_000_000-amounts {
		t.Errorf("the partner holds %d, want %d: each payment debited once", got, 1_000_000-amounts)
	}
	debits := map[int64]int{}
	for _, e := range decode[struct{ Entries []store.LedgerEntry }](t, survivor.call("GET", "/v1/partners/"+s.partnerA+"/ledger", s.ops, nil).expect(t, 200)).Entries {
		if e.AccountKind == store.AccountPartner && e.Amount.Amount < 0 {
			debits[-e.Amount.Amount]++
		}
	}
	for i := range payments {
		if debits[int64(1_000+i)] != 1 {
			t.Errorf("%d debits of %d, want 1", debits[int64(1_000+i)], 1_000+i)
		}
	}
	for i, p := range certifiers {
		if submitted[i] != 202 {
			t.Errorf("certification of partner %d answered %d", i, submitted[i])
			continue
		}
		list := survivor.waitForList("/v1/cases?kind=certification&partner_id="+p, s.ops, func(cs []cases.Case) bool {
			return len(cs) > 0 && cs[0].Status == workflows.CertificationInReview
		})
		if len(list) != 1 {
			t.Errorf("partner %d has %d certification cases, want 1", i, len(list))
		}
	}

	for _, id := range []string{"partnerops-start-pending-cases", "partnerops-cancel-overdue-orders", worker.RenewalScheduleID} {
		if n := countSchedules(t, tc, id); n != 1 {
			t.Errorf("%d schedules %s, want 1", n, id)
		}
	}
	if status := consoleStatus(t, "http://"+apiAddrs[1], session); status != 200 {
		t.Errorf("the session made on the killed API answers %d on the other, want 200", status)
	}

	// The walk-throughs' demo set, on this deployment: refused beside the
	// partners above unless forced, then its variables work on the API.
	refused := exec.Command(bin, "demo", "load")
	refused.Env = append(os.Environ(), env...)
	if out, err := refused.CombinedOutput(); err == nil || !strings.Contains(string(out), "--force") {
		t.Errorf("demo load into a database with other partners: %v\n%s", err, out)
	}
	vars := demoVariables(t, runBinary(t, bin, env, "demo", "load", "--force", "--api-url", "http://"+apiAddrs[1]))
	if vars["API"] != "http://"+apiAddrs[1] {
		t.Errorf("demo load printed API=%s", vars["API"])
	}
	survivor.call("GET", "/v1/partners/"+vars["ACME"], vars["OPS_TOKEN"], nil).expect(t, 200)
}

// demoVariables reads the `export NAME=value   # what` lines printed.
func demoVariables(t *testing.T, out string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "export "); ok {
			name, value, _ := strings.Cut(strings.Fields(rest)[0], "=")
			vars[name] = value
		}
	}
	for _, want := range []string{"API", "ACME", "OPS_TOKEN", "ACME_ADMIN_TOKEN"} {
		if vars[want] == "" {
			t.Fatalf("demo load printed no %s:\n%s", want, out)
		}
	}
	return vars
}

// on is the system seen through the API at addr.
func (s *system) on(addr string) *system {
	sub := *s
	sub.baseURL = "http://" + addr
	return &sub
}

// driver sends requests to the APIs, moving to another when one is killed.
type driver struct {
	mu   sync.Mutex
	apis []string
	dead map[int]bool
}

func (d *driver) down(i int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead == nil {
		d.dead = map[int]bool{}
	}
	d.dead[i] = true
}

func (d *driver) alive(i int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.dead[i] {
		i = (i + 1) % len(d.apis)
	}
	return i
}

// send sends a request to API i, and again to another when the answer is
// lost (its API died): with key as Idempotency-Key, a retry of a request
// that was taken answers what the first did. It returns the status of the
// answer that arrived.
func (d *driver) send(t *testing.T, i int, method, path, token string, body any, key string) int {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	for attempt := 0; attempt < 20; attempt++ {
		req, _ := http.NewRequest(method, "http://"+d.apis[d.alive(i)]+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			i = (i + 1) % len(d.apis)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			time.Sleep(time.Second)
			continue
		}
		return resp.StatusCode
	}
	t.Errorf("%s %s: no API answered", method, path)
	return 0
}

// kill kills the process with SIGKILL: no drain, no clean stop.
func (p *process) kill() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	})
}

// pgServer is the PostgreSQL server the test prepares its databases on.
type pgServer struct {
	url   *url.URL
	admin *sql.DB
}

// postgresServer is the server TEST_DATABASE_URL names (default: the local
// one); the test is skipped when none answers.
func postgresServer(t *testing.T) *pgServer {
	t.Helper()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Ping(); err != nil {
		_ = admin.Close()
		t.Skipf("PostgreSQL is absent (%s: %v): the production-shape test needs a server to put Temporal's and partnerops' databases on", u.Redacted(), err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	return &pgServer{url: u, admin: admin}
}

// createDatabases creates a database of each name with a suffix of the
// test's own, dropped when it ends.
func (pg *pgServer) createDatabases(t *testing.T, names ...string) []string {
	t.Helper()
	suffix := fmt.Sprintf("_%08x", rand.Uint32())
	var made []string
	for _, n := range names {
		name := "prodshape_" + n + suffix
		if _, err := pg.admin.Exec("CREATE DATABASE " + pq.QuoteIdentifier(name)); err != nil {
			t.Fatal(err)
		}
		made = append(made, name)
	}
	t.Cleanup(func() {
		for _, name := range made {
			if _, err := pg.admin.Exec("DROP DATABASE " + pq.QuoteIdentifier(name) + " WITH (FORCE)"); err != nil {
				t.Errorf("drop %s: %v", name, err)
			}
		}
	})
	return made
}

func (pg *pgServer) databaseURL(db string) string {
	u := *pg.url
	u.Path = "/" + db
	return u.String()
}

func (pg *pgServer) hostPort() (host, port string) {
	host, port = pg.url.Hostname(), pg.url.Port()
	if port == "" {
		port = "5432"
	}
	return host, port
}

// sqlTool runs temporal-sql-tool on db, as an operator prepares Temporal's
// databases without auto-setup (docs/operations.md).
func (pg *pgServer) sqlTool(t *testing.T, tool, db string, args ...string) {
	t.Helper()
	host, port := pg.hostPort()
	password, _ := pg.url.User.Password()
	cmd := exec.Command(tool, append([]string{"--plugin", "postgres12", "--ep", host, "-p", port,
		"-u", pg.url.User.Username(), "--pw", password, "--db", db}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("temporal-sql-tool %v: %v\n%s", args, err, out)
	}
}

// temporalBinaries builds the Temporal server and its SQL tool from the
// module version go.mod requires (its tool directives) into the test's
// temporary directory, removed with it; the Go build cache makes the builds
// after the first quick.
func temporalBinaries(t *testing.T) (server, tool string) {
	t.Helper()
	started := time.Now()
	dir := t.TempDir()
	server, tool = filepath.Join(dir, "temporal-server"), filepath.Join(dir, "temporal-sql-tool")
	for pkg, out := range map[string]string{"go.temporal.io/server/cmd/server": server, "go.temporal.io/server/cmd/tools/sql": tool} {
		build := exec.Command("go", "build", "-o", out, pkg)
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
	t.Logf("built the Temporal server and SQL tool in %s", time.Since(started).Round(time.Second))
	return server, tool
}

// startTemporalServer writes a server configuration on the two databases
// and starts the server with it; it returns the frontend's address.
// Every port is below 32768: the cluster metadata keeps them as smallint.
func startTemporalServer(t *testing.T, bin string, pg *pgServer, db, visibility string) string {
	t.Helper()
	ports := lowFreePorts(t, 9)
	host, port := pg.hostPort()
	password, _ := pg.url.User.Password()
	dynamic, err := filepath.Abs("../deploy/temporal-dynamicconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	datastore := func(name string, conns int) string {
		return fmt.Sprintf(`
    %s:
      sql:
        pluginName: postgres12
        databaseName: %q
        connectAddr: %q
        connectProtocol: tcp
        user: %q
        password: %q
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: 1h`, name, nameOf(name, db, visibility), net.JoinHostPort(host, port), pg.url.User.Username(), password, conns, conns)
	}
	service := func(name string, grpc, membership int, extra string) string {
		return fmt.Sprintf(`
  %s:
    rpc:
      grpcPort: %d
      membershipPort: %d
      bindOnLocalHost: true%s`, name, grpc, membership, extra)
	}
	config := `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:` + datastore("default", 3) + datastore("visibility", 2) + `
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:` + service("frontend", ports[0], ports[1], fmt.Sprintf("\n      httpPort: %d", ports[2])) +
		service("history", ports[3], ports[4], "") + service("matching", ports[5], ports[6], "") + service("worker", ports[7], ports[8], "") + fmt.Sprintf(`
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:%d
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: %q
  pollInterval: 10s
`, ports[0], dynamic)
	path := filepath.Join(t.TempDir(), "temporal.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, command: "temporal-server", out: &lockedBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, "--config-file", path, "--allow-no-auth", "start")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.once.Do(func() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(20 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.exited
			}
		})
		if t.Failed() {
			t.Logf("temporal-server printed:\n%s", p.out.String())
		}
	})
	return fmt.Sprintf("127.0.0.1:%d", ports[0])
}

func nameOf(store, db, visibility string) string {
	if store == "visibility" {
		return visibility
	}
	return db
}

// lowFreePorts finds n free ports between 20000 and 32767.
func lowFreePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var held []net.Listener
	defer func() {
		for _, ln := range held {
			_ = ln.Close()
		}
	}()
	for tries := 0; len(ports) < n && tries < 1000; tries++ {
		port := 20000 + rand.IntN(12767)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		held = append(held, ln)
		ports = append(ports, port)
	}
	if len(ports) < n {
		t.Fatal("no free ports below 32768")
	}
	return ports
}

// waitHTTP waits until url answers status.
func waitHTTP(t *testing.T, url string, status int, within time.Duration) {
	t.Helper()
	wait.Until(t, within, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == status
	})
}

// countSchedules counts the schedules with that ID.
func countSchedules(t *testing.T, c client.Client, id string) int {
	t.Helper()
	iter, err := c.ScheduleClient().List(context.Background(), client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for iter.HasNext() {
		s, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if s.ID == id {
			n++
		}
	}
	return n
}

// noRedirect is an HTTP client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// consoleSession signs in on the console of the API at baseURL with token,
// as the sign-in form does, and returns the session cookie.
func consoleSession(t *testing.T, baseURL, token string) *http.Cookie {
	t.Helper()
	resp, err := noRedirect.Get(baseURL + "/console/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "partnerops_sign_in" {
			csrf = c
		}
	}
	if csrf == nil {
		t.Fatalf("the sign-in page set no form cookie (%d)", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", baseURL+"/console/sign-in", strings.NewReader(url.Values{"csrf": {csrf.Value}, "token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	if resp, err = noRedirect.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "partnerops_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("signing in answered %d with no session", resp.StatusCode)
	return nil
}

// consoleStatus is the status of the console's home page with session.
func consoleStatus(t *testing.T, baseURL string, session *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", baseURL+"/console", nil)
	req.AddCookie(session)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
