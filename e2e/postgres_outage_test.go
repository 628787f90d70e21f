package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"partnerops/api"
	"partnerops/cases"
	"partnerops/store"
	"partnerops/worker"
	"partnerops/workflows"
)

// privateCluster is a PostgreSQL cluster of the test's own (initdb as the
// user postgres, on a free port), which the test may stop and start
// without touching the shared server.
type privateCluster struct {
	t       *testing.T
	dir     string
	port    int
	runAs   []string
	logFile string
}

func startPrivateCluster(t *testing.T) *privateCluster {
	t.Helper()
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		t.Skip("no initdb on PATH")
	}
	c := &privateCluster{t: t}
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		if _, err := user.Lookup("postgres"); err != nil {
			t.Skip("running as root without a postgres user")
		}
		c.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	base, err := os.MkdirTemp("", "partnerops-pg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	c.dir, c.logFile = filepath.Join(base, "data"), filepath.Join(base, "log")
	if c.runAs != nil {
		if err := exec.Command("chown", "postgres", base).Run(); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	c.run(initdb, "-D", c.dir, "-A", "trust", "-U", "postgres", "--no-sync")
	c.start()
	t.Cleanup(func() { c.ctl("stop", "-m", "immediate") })
	return c
}

func (c *privateCluster) run(name string, args ...string) {
	c.t.Helper()
	cmd := exec.Command(c.runAs[0], append(append(c.runAs[1:], name), args...)...)
	if c.runAs == nil {
		cmd = exec.Command(name, args...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func (c *privateCluster) ctl(args ...string) {
	c.t.Helper()
	pgctl, err := exec.LookPath("pg_ctl")
	if err != nil {
		c.t.Fatal(err)
	}
	c.run(pgctl, append([]string{"-D", c.dir, "-l", c.logFile, "-w"}, args...)...)
}

func (c *privateCluster) start() {
	c.ctl("start", "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, filepath.Dir(c.dir)))
}

func (c *privateCluster) stop() { c.ctl("stop", "-m", "fast") }

func (c *privateCluster) url() string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(c.port) + "/postgres?sslmode=disable"
}

// startOutageSystem is a system on a private PostgreSQL cluster the test
// may stop; deps adds to the API's dependencies, and the worker runs with
// its own options plus the given interceptors.
func startOutageSystem(t *testing.T, deps api.Deps, interceptors ...interceptor.WorkerInterceptor) (*system, *privateCluster) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a PostgreSQL cluster of its own")
	}
	ctx := context.Background()
	pg := startPrivateCluster(t)
	st, err := store.Open(ctx, pg.url())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	ts := newTemporal(t, st)
	tc := ts.GetDefaultClient()
	if err := worker.EnsureSearchAttributes(ctx, tc, ts.GetDefaultNamespace()); err != nil {
		t.Fatal(err)
	}
	s := &system{t: t, store: st, temporal: tc, ticketSLA: "3wd", contract: newContractChecker(t)}
	opts := worker.Options()
	opts.Interceptors = append(opts.Interceptors, interceptors...)
	w := sdkworker.New(tc, e2eTaskQueue, opts)
	worker.Register(w, s.workerDeps())
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deps.Store, deps.Temporal, deps.TaskQueue, deps.TicketSLA = st, tc, e2eTaskQueue, "3wd"
	deps.Location, deps.Logger = shanghai(t), slog.New(slog.DiscardHandler)
	app := api.New(deps)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	s.baseURL = "http://" + ln.Addr().String()
	s.seed(ctx)
	s.waitReady()
	return s, pg
}

// TestPostgreSQLStoppedMidRun stops the system's PostgreSQL (a private
// cluster) while a case runs: every call answers 503 problem+json with
// Retry-After (none a 500), /readyz names PostgreSQL; once it is back
// everything recovers — the case takes its next step, a new case starts.
func TestPostgreSQLStoppedMidRun(t *testing.T) {
	s, pg := startOutageSystem(t, api.Deps{})

	c := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))

	pg.stop()
	for _, call := range []struct{ method, path, token string }{
		{"GET", "/v1/cases", s.ops},
		{"GET", "/v1/cases/" + c.ID, s.ops},
		{"POST", "/v1/partners/" + s.partnerB + "/certifications", s.adminB},
		{"POST", "/v1/cases/" + c.ID + "/actions/approve", s.ops},
	} {
		var body any
		if call.method == "POST" && strings.HasSuffix(call.path, "certifications") {
			body = businessInfo(acmeNumber)
		}
		r := s.call(call.method, call.path, call.token, body)
		if r.status != 503 || r.header.Get("Retry-After") == "" || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s with PostgreSQL stopped: %d %s", call.method, call.path, r.status, r.body)
		}
	}
	ready := s.call("GET", "/readyz", "", nil)
	if ready.status != 503 || !strings.Contains(string(ready.body), "PostgreSQL") {
		t.Errorf("/readyz with PostgreSQL stopped: %d %s", ready.status, ready.body)
	}

	pg.start()
	s.waitReady()
	done := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/approve", s.ops, nil).expect(t, 200))
	if done.Status != workflows.CertificationCertified {
		t.Errorf("approved after the outage: %s", done.Status)
	}
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationCertified))
	s.submit(s.adminB, s.partnerB, businessInfo(acmeNumber)).expect(t, 202)
}
