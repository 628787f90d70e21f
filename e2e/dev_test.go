package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"go.temporal.io/server/temporaltest"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/internal/testhttp"
	"partnerops/workflows"
)

var exportLine = regexp.MustCompile(`(?m)^export (\w+)=(\S+)`)

// TestDevModeSurvivesRestart runs `partnerops dev` as a new user would:
// it prints the API, the Temporal UI and demo tokens; a case started there
// is still there, live, after Ctrl-C and a second start.
func TestDevModeSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := partneropsBinary(t)
	st, dbURL := testdb.New(t)
	addr := freeAddr(t)
	env := []string{
		"DATABASE_URL=" + dbURL,
		"PARTNEROPS_DATA_DIR=" + t.TempDir(),
		"PARTNEROPS_HTTP_ADDR=" + addr,
		"PARTNEROPS_DEV_TEMPORAL_PORT=0",
		"PARTNEROPS_DEV_UI_PORT=0",
	}
	dev := startProcess(t, bin, env, "dev")
	vars := exports(dev.waitOutput("export SUPERVISOR_TOKEN="))
	s := &system{t: t, baseURL: vars["API"], store: st, contract: newContractChecker(t)}
	s.waitReady()

	uiURL := regexp.MustCompile(`Temporal UI\s+(\S+)`).FindStringSubmatch(dev.out.String())
	if uiURL == nil {
		t.Fatalf("no Temporal UI URL printed:\n%s", dev.out.String())
	}
	if resp, err := http.Get(uiURL[1]); err != nil || resp.StatusCode != 200 {
		t.Errorf("Temporal UI at %s: %v %v", uiURL[1], err, resp)
	} else {
		resp.Body.Close()
	}
	// the UI decodes the encrypted payloads through the API's codec endpoint, with the console's cookie
	var settings struct {
		Codec struct {
			Endpoint           string
			IncludeCredentials bool
		}
	}
	if status, body := testhttp.Get(t, uiURL[1]+"/api/v1/settings"); status != 200 || json.Unmarshal([]byte(body), &settings) != nil ||
		settings.Codec.Endpoint != vars["API"]+"/console/codec" || !settings.Codec.IncludeCredentials {
		t.Errorf("the UI's codec settings: %d %s", status, body)
	}

	c := decode[cases.Case](t, s.submit(vars["ACME_ADMIN_TOKEN"], vars["ACME"], businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(vars["OPS_TOKEN"], c.ID, hasStatus(workflows.CertificationInReview))
	dev.stop()

	again := startProcess(t, bin, env, "dev")
	varsAgain := exports(again.waitOutput("export SUPERVISOR_TOKEN="))
	if varsAgain["OPS_TOKEN"] != vars["OPS_TOKEN"] || varsAgain["ACME"] != vars["ACME"] {
		t.Errorf("a restart changed the demo data: %v -> %v", vars, varsAgain)
	}
	s.waitReady()
	live := s.waitForCase(vars["OPS_TOKEN"], c.ID, hasStatus(workflows.CertificationInReview))
	if len(live.Actions) == 0 {
		t.Errorf("after a restart ops may do nothing: %+v", live)
	}
	done := decode[cases.Case](t, s.call("POST", "/v1/cases/"+c.ID+"/actions/approve", vars["OPS_TOKEN"], nil).expect(t, 200))
	if done.Status != workflows.CertificationCertified {
		t.Errorf("approved after a restart: %s", done.Status)
	}
}

func exports(output string) map[string]string {
	vars := map[string]string{}
	for _, m := range exportLine.FindAllStringSubmatch(output, -1) {
		vars[m[1]] = m[2]
	}
	return vars
}

// TestDevModeAgainstAnExternalTemporal: with TEMPORAL_ADDRESS set, dev
// embeds no server and runs its worker and API against that one.
func TestDevModeAgainstAnExternalTemporal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := partneropsBinary(t)
	st, dbURL := testdb.New(t)
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	addr := freeAddr(t)
	dev := startProcess(t, bin, []string{
		"DATABASE_URL=" + dbURL,
		"PARTNEROPS_DATA_DIR=" + t.TempDir(),
		"PARTNEROPS_HTTP_ADDR=" + addr,
		"TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(),
		"TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(),
	}, "dev")
	out := dev.waitOutput("export SUPERVISOR_TOKEN=")
	if !strings.Contains(out, "Temporal     "+ts.GetFrontendHostPort()) || !strings.Contains(out, "external server's own UI") {
		t.Errorf("dev did not use the external server:\n%s", out)
	}
	vars := exports(out)
	s := &system{t: t, baseURL: vars["API"], store: st, contract: newContractChecker(t)}
	s.waitReady()
	c := decode[cases.Case](t, s.submit(vars["ACME_ADMIN_TOKEN"], vars["ACME"], businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(vars["OPS_TOKEN"], c.ID, hasStatus(workflows.CertificationInReview))
	if _, err := ts.GetDefaultClient().DescribeWorkflowExecution(context.Background(), c.ID, ""); err != nil {
		t.Errorf("the case's workflow is not on the external server: %v", err)
	}
}

// TestDevWithItsPortTaken: with the HTTP port taken, dev starts nothing and
// prints nothing but one line saying so.
func TestDevWithItsPortTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := partneropsBinary(t)
	_, dbURL := testdb.New(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cmd := exec.Command(bin, "dev")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "PARTNEROPS_DATA_DIR="+t.TempDir(),
		"PARTNEROPS_HTTP_ADDR="+taken.Addr().String(), "PARTNEROPS_DEV_TEMPORAL_PORT=0", "PARTNEROPS_DEV_UI_PORT=0")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("dev started on a taken port:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "cannot listen on "+taken.Addr().String()) {
		t.Errorf("dev on a taken port printed %d lines, want one naming the address:\n%s", len(lines), out)
	}
}
