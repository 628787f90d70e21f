package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEConfigurationTable holds the README's configuration table to
// the variables the binary reads: every one is documented, and the table
// names none the binary ignores.
func TestREADMEConfigurationTable(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
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
			t.Errorf("the README's configuration table lacks %s", name)
		}
	}
	for name := range documented {
		if !known[name] {
			t.Errorf("the README documents %s, which the binary does not read", name)
		}
	}
}
