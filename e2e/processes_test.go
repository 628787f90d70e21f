package e2e

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/server/temporaltest"

	"partnerops/cases"
	"partnerops/internal/testdb"
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
	bin := filepath.Join(t.TempDir(), "partnerops")
	build := exec.Command("go", "build", "-o", bin, "./cmd/partnerops")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	st, dbURL := testdb.New(t)
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	addr := freeAddr(t)
	env := []string{
		"DATABASE_URL=" + dbURL,
		"TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(),
		"TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(),
		"PARTNEROPS_TASK_QUEUE=partnerops-processes",
		"PARTNEROPS_HTTP_ADDR=" + addr,
		"PARTNEROPS_LOG_FORMAT=json",
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

	deadline := time.Now().Add(30 * time.Second)
	for s.call("GET", "/readyz", "", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the api process never became ready")
		}
		time.Sleep(200 * time.Millisecond)
	}
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

// startProcess runs `partnerops <command>` until the test ends, then stops
// it with an interrupt, as an operator would, and checks it exits cleanly.
func startProcess(t *testing.T, bin string, env []string, command string) {
	t.Helper()
	var out lockedBuffer
	cmd := exec.Command(bin, command)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("partnerops %s exited with %v:\n%s", command, err, out.String())
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("partnerops %s did not stop on interrupt:\n%s", command, out.String())
		}
		if t.Failed() {
			t.Logf("partnerops %s output:\n%s", command, out.String())
		}
	})
}
