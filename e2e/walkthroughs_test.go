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
// document runs a second time, with no reset. Documents share one dev as
// the two commands start it, except where a document says to "start `dev`
// with" settings (it gets a dev of its own, started with them) or to run
// it "on a fresh demo set" (each run gets a new dev). Both runs must
// finish (no command fails, no wait gives up), no answer is a 5xx, and no
// step prints an answer of nothing but nulls (a refusal where the text
// shows a success, or the reverse).
func TestWalkthroughsRunAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs dev")
	}
	if _, err := exec.LookPath("jq"); err != nil {
		t.Fatal("the walk-throughs need jq (apt-get install jq)")
	}
	docs, err := filepath.Glob("../docs/walkthroughs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	shared := startWalkthroughDev(t, nil) // the dev the two commands start, for the test's whole length
	for _, doc := range append([]string{"../README.md"}, docs...) {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		script := walkthroughScript(string(text))
		if script == "" {
			continue
		}
		settings, fresh := devSettingsOf(string(text))
		name := strings.TrimSuffix(filepath.Base(doc), ".md")
		t.Run(name, func(t *testing.T) {
			var vars map[string]string
			for run := 1; run <= 2; run++ {
				switch {
				case len(settings) > 0 || fresh:
					if vars == nil || fresh {
						vars = startWalkthroughDev(t, settings)
					}
				default:
					vars = shared
				}
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

// devStartedWith finds the settings a walk-through asks dev to start with:
// "start `dev` with ...: `NAME=value go run ./cmd/partnerops dev`".
var devStartedWith = regexp.MustCompile("start `dev`[^`]*`((?:[A-Z_]+=\\S+ )+)go run ./cmd/partnerops dev`")

// devSettingsOf is what dev must be started with for the document text,
// and whether each run needs a demo set of its own.
func devSettingsOf(text string) (settings []string, fresh bool) {
	if m := devStartedWith.FindStringSubmatch(text); m != nil {
		settings = strings.Fields(m[1])
	}
	return settings, strings.Contains(text, "fresh demo set")
}

// startWalkthroughDev runs `partnerops dev` with settings on a database of
// its own until the test ends, and returns what it exported, with the
// DATABASE_URL it uses (a walk-through may read its rows with psql).
func startWalkthroughDev(t *testing.T, settings []string) map[string]string {
	t.Helper()
	_, dbURL := testdb.New(t)
	env := append([]string{
		"DATABASE_URL=" + dbURL,
		"PARTNEROPS_DATA_DIR=" + t.TempDir(),
		"PARTNEROPS_HTTP_ADDR=" + freeAddr(t),
		"PARTNEROPS_DEV_TEMPORAL_PORT=0",
		"PARTNEROPS_DEV_UI_PORT=0",
	}, settings...)
	dev := startProcess(t, partneropsBinary(t), env, "dev")
	vars := exports(dev.waitOutput("export SUPERVISOR_TOKEN="))
	vars["DATABASE_URL"] = dbURL
	(&system{t: t, baseURL: vars["API"]}).waitReady()
	return vars
}

var shellBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// walkthroughScript is the document's shell blocks that call the API, in
// order, as one script (a later block uses what an earlier one exported).
func walkthroughScript(text string) string {
	var blocks []string
	for _, m := range shellBlock.FindAllStringSubmatch(text, -1) {
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
