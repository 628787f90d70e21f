package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnerops/internal/testdb"
)

// TestWalkthroughsRunAsWritten pastes every walk-through, as a reader
// would: `partnerops dev` (the real binary, its own demo set) prints its
// export lines; each shell block of the README and docs/walkthroughs that
// calls the API runs in bash with them, in order, and then the whole
// document runs a second time against the same system, with no reset.
// Both runs must finish (no command fails, no wait gives up), no answer is
// a 5xx, and no step prints an answer of nothing but nulls (a refusal
// where the text shows a success, or the reverse).
func TestWalkthroughsRunAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs dev")
	}
	if _, err := exec.LookPath("jq"); err != nil {
		t.Fatal("the walk-throughs need jq (apt-get install jq)")
	}
	bin := partneropsBinary(t)
	_, dbURL := testdb.New(t)
	dev := startProcess(t, bin, []string{
		"DATABASE_URL=" + dbURL,
		"PARTNEROPS_DATA_DIR=" + t.TempDir(),
		"PARTNEROPS_HTTP_ADDR=" + freeAddr(t),
		"PARTNEROPS_DEV_TEMPORAL_PORT=0",
		"PARTNEROPS_DEV_UI_PORT=0",
		// The one setting a walk-through asks dev to start with: the
		// opportunities' short fix window, to show one closing invalid.
		"PARTNEROPS_OPPORTUNITY_FIX_WINDOW=20s",
	}, "dev")
	vars := exports(dev.waitOutput("export SUPERVISOR_TOKEN="))
	(&system{t: t, baseURL: vars["API"]}).waitReady()

	docs, err := filepath.Glob("../docs/walkthroughs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range append([]string{"../README.md"}, docs...) {
		script := walkthroughScript(t, doc)
		if script == "" {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(doc), ".md")
		t.Run(name, func(t *testing.T) {
			for run := 1; run <= 2; run++ {
				out := runWalkthrough(t, script, vars)
				for _, flaw := range walkthroughFlaws(out) {
					t.Errorf("%s, run %d: %s", doc, run, flaw)
				}
				if t.Failed() {
					t.Fatalf("%s, run %d printed:\n%s", doc, run, out)
				}
			}
		})
	}
}

var shellBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// walkthroughScript is the document's shell blocks that call the API, in
// order, as one script (a later block uses what an earlier one exported).
func walkthroughScript(t *testing.T, path string) string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, m := range shellBlock.FindAllStringSubmatch(string(text), -1) {
		if strings.Contains(m[1], "$API") {
			blocks = append(blocks, m[1])
		}
	}
	return strings.Join(blocks, "\n")
}

// runWalkthrough runs script in bash with dev's variables, stopping at the
// first command that fails; it fails the test if bash does.
func runWalkthrough(t *testing.T, script string, vars map[string]string) string {
	t.Helper()
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = ".."
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("bash: %v; it printed:\n%s", err, out.String())
		}
	case <-time.After(5 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("still running after 5 minutes; it printed:\n%s", out.String())
	}
	return out.String()
}

var serverError = regexp.MustCompile(`"status":\s*5\d\d`)

// walkthroughFlaws names what in a walk-through's output shows a step that
// went wrong: a server error, a jq error, an answer with nothing but nulls.
func walkthroughFlaws(out string) []string {
	var flaws []string
	if m := serverError.FindString(out); m != "" {
		flaws = append(flaws, "a server error: "+m)
	}
	if strings.Contains(out, "jq: error") {
		flaws = append(flaws, "jq could not read an answer")
	}
	for _, v := range jsonValues(out) {
		if obj, ok := v.(map[string]any); ok && len(obj) > 0 && allNull(obj) {
			b, _ := json.Marshal(obj)
			flaws = append(flaws, "an answer with nothing but nulls: "+string(b))
		}
	}
	return flaws
}

// jsonValues decodes every JSON object printed at the start of a line.
func jsonValues(out string) []any {
	var values []any
	for i := 0; i < len(out); {
		if out[i] == '{' && (i == 0 || out[i-1] == '\n') {
			dec := json.NewDecoder(strings.NewReader(out[i:]))
			var v any
			if dec.Decode(&v) == nil {
				values = append(values, v)
				i += int(dec.InputOffset())
				continue
			}
		}
		next := strings.IndexByte(out[i:], '\n')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return values
}

func allNull(obj map[string]any) bool {
	for _, v := range obj {
		if v != nil {
			return false
		}
	}
	return true
}
