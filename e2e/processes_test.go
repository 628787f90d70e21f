package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/internal/testkeys"
	"partnerops/workflows"
)

// TestAPIAndWorkerAsSeparateProcesses runs the real binary as two
// processes, `partnerops worker` and `partnerops api`, against one Temporal
// server, the way a deployment scales, and drives a certification through
// them.
func TestAPIAndWorkerAsSeparateProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := partneropsBinary(t)
	st, dbURL := testdb.New(t)
	ts := newTemporal(t, st)
	addr := freeAddr(t)
	env := []string{
		"DATABASE_URL=" + dbURL,
		"TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(),
		"TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(),
		"PARTNEROPS_TASK_QUEUE=partnerops-processes",
		"PARTNEROPS_HTTP_ADDR=" + addr,
		"PARTNEROPS_WORKER_ADDR=" + freeAddr(t),
		"PARTNEROPS_LOG_FORMAT=json",
		testkeys.Env,
	}
	if out := runBinary(t, bin, env, "migrate", "status"); !strings.Contains(out, "applied") {
		t.Errorf("migrate status:\n%s", out)
	}
	startProcess(t, bin, env, "worker")
	startProcess(t, bin, env, "api")

	s := &system{t: t, baseURL: "http://" + addr, store: st, temporal: ts.GetDefaultClient(), contract: newContractChecker(t)}
	s.seed(context.Background())
	// An operator bootstraps access with the binary, too.
	out := runBinary(t, bin, env, "token", "create", "--role", "ops", "--name", "Olga Ops")
	opsToken := strings.TrimSpace(out[strings.Index(out, "token ")+len("token "):])

	s.waitReady()
	c := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(opsToken, c.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+c.ID+"/actions/reject", opsToken, map[string]string{"reason": "Unreadable"}).expect(t, 200)
	s.call("POST", "/v1/cases/"+c.ID+"/actions/file_ticket", s.adminA, map[string]string{"message": "Clearer scan attached"}).expect(t, 200)
	done := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/resolve", opsToken,
		map[string]string{"decision": "certify"}).expect(t, 200))
	if done.Status != workflows.CertificationCertified {
		t.Fatalf("status %s", done.Status)
	}
	events := decode[struct{ Events []cases.Event }](t, s.call("GET", "/v1/cases/"+c.ID+"/events", s.adminA, nil).expect(t, 200))
	if len(events.Events) != 5 || events.Events[2].Actor.Name != "Olga Ops" {
		t.Errorf("timeline %+v", events.Events)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func runBinary(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("partnerops %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a running `partnerops <command>`.
type process struct {
	t       *testing.T
	command string
	cmd     *exec.Cmd
	out     *lockedBuffer
	exited  chan error
	once    sync.Once
}

// startProcess runs `partnerops <command>` until stop or the end of the test.
func startProcess(t *testing.T, bin string, env []string, command string) *process {
	t.Helper()
	p := &process{t: t, command: command, out: &lockedBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, command)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(p.stop)
	return p
}

// stop interrupts the process, as an operator's Ctrl-C would, and checks
// that it exits cleanly and in time.
func (p *process) stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-p.exited:
			if err != nil {
				p.t.Errorf("partnerops %s exited with %v:\n%s", p.command, err, p.out.String())
			}
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			p.t.Errorf("partnerops %s did not stop on interrupt:\n%s", p.command, p.out.String())
		}
		if p.t.Failed() {
			p.t.Logf("partnerops %s printed:\n%s", p.command, p.out.String())
		}
	})
}

// waitOutput waits until the process has printed text, and returns all it printed.
func (p *process) waitOutput(text string) string {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p.out.String(), text) {
		select {
		case err := <-p.exited:
			p.t.Fatalf("partnerops %s exited (%v) before printing %q:\n%s", p.command, err, text, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("partnerops %s never printed %q:\n%s", p.command, text, p.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p.out.String()
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// partneropsBinary builds the binary once for the package's tests.
func partneropsBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "partnerops-e2e")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "partnerops")
		build := exec.Command("go", "build", "-o", builtBin, "./cmd/partnerops")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// waitReady waits until the API answers /readyz with 200.
func (s *system) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest("GET", s.baseURL+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatal("the API never became ready")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
