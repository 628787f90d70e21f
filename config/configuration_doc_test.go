package config

import (
	"os"
	"strings"
	"testing"
)

// TestConfigurationTable holds the configuration table (docs/configuration.md) to
// the variables the binary reads: every one is documented, and the table
// names none the binary ignores.
func TestConfigurationTable(t *testing.T) {
	raw, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if name, ok := strings.CutPrefix(line, "| `"); ok {
			if end := strings.Index(name, "`"); end > 0 {
				documented[name[:end]] = true
			}
		}
	}
	known := map[string]bool{}
	for _, name := range EnvVars() {
		known[name] = true
		if !documented[name] {
			t.Errorf("the configuration table (docs/configuration.md) lacks %s", name)
		}
	}
	for name := range documented {
		if !known[name] {
			t.Errorf("docs/configuration.md documents %s, which the binary does not read", name)
		}
	}
}
