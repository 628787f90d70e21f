package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// temporalImages are the images of docker-compose.yml that must run the
// version of a module go.mod requires: the server partnerops embeds in dev
// and is tested against (the e2e production-shape test builds this very
// version), its tools, and the Web UI dev serves.
var temporalImages = map[string]string{
	"temporalio/server":      "go.temporal.io/server",
	"temporalio/admin-tools": "go.temporal.io/server",
	"temporalio/ui":          "github.com/temporalio/ui-server/v2",
}

// TestComposeRunsTheTestedTemporal holds the Temporal images' tags to the
// versions go.mod requires, so that compose never runs a server the tests
// did not.
func TestComposeRunsTheTestedTemporal(t *testing.T) {
	cf := loadCompose(t)
	seen := map[string]bool{}
	for _, name := range sortedKeys(cf.Services) {
		image, tag, _ := strings.Cut(cf.Services[name].Image, ":")
		if strings.HasPrefix(image, "temporalio/auto-setup") {
			t.Errorf("service %s runs %s, deprecated and published for no server past 1.29; run temporalio/server with the schema tool", name, image)
			continue
		}
		module, ok := temporalImages[image]
		if !ok {
			continue
		}
		seen[image] = true
		if want := requiredVersion(t, module); tag != want {
			t.Errorf("service %s runs %s:%s, but go.mod requires %s %s: set the tag to %s", name, image, tag, module, want, want)
		}
	}
	for _, image := range []string{"temporalio/server", "temporalio/admin-tools"} {
		if !seen[image] {
			t.Errorf("docker-compose.yml runs no %s image", image)
		}
	}
}

// requiredVersion is the version go.mod requires of module, without its v.
func requiredVersion(t *testing.T, module string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("go.mod does not require %s", module)
	}
	return string(m[1])
}
