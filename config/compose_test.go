package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The repository root, where docker-compose.yml and the Dockerfile live.
const repoRoot = ".."

// partnerOpsServices are the compose services that run the partnerops image:
// the command each runs, the variables that command reads (the config
// groups its struct embeds in cmd/partnerops/*_cmd.go) and those it cannot
// start without.
var partnerOpsServices = map[string]struct {
	command []string
	reads   []string
	needs   []string
}{
	"api": {
		command: []string{"api"},
		reads:   envVarsOf(Database{}, Temporal{}, Policy{}, HTTP{}, Log{}, History{}),
		needs:   []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "PARTNEROPS_HISTORY_KEK"},
	},
	"worker": {
		command: []string{"worker"},
		reads:   envVarsOf(Database{}, Temporal{}, Policy{}, WorkerHTTP{}, Log{}, History{}),
		needs:   []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "PARTNEROPS_HISTORY_KEK"},
	},
	"temporal-namespace": {
		command: []string{"temporal", "ensure-namespace"},
		reads:   envVarsOf(Temporal{}, Log{}),
		needs:   []string{"TEMPORAL_ADDRESS"},
	},
	"migrate": {
		command: []string{"migrate", "up"},
		reads:   envVarsOf(Database{}),
		needs:   []string{"DATABASE_URL"},
	},
}

// The other services the stack needs, by the names partnerops' settings use.
const (
	postgresService = "postgresql"
	temporalService = "temporal"
)

func TestComposeFile(t *testing.T) {
	cf := loadCompose(t)
	if cf.Version != nil {
		t.Errorf("docker-compose.yml: drop the top-level `version:` key; the Compose specification ignores it and docker compose warns about it")
	}

	t.Run("services", func(t *testing.T) {
		for _, name := range []string{postgresService, temporalService, "temporal-ui", "migrate", "api", "worker"} {
			if _, ok := cf.Services[name]; !ok {
				t.Errorf("docker-compose.yml: service %q is missing (services: %v)", name, sortedKeys(cf.Services))
			}
		}
	})

	for _, name := range sortedKeys(partnerOpsServices) {
		want := partnerOpsServices[name]
		t.Run(name, func(t *testing.T) {
			svc, ok := cf.Services[name]
			if !ok {
				t.Skipf("no service %q", name)
			}
			checkBuild(t, name, svc)
			if got := svc.command(); !slices.Equal(got, want.command) {
				t.Errorf("service %s: command is %q, want %q (the image's entrypoint is the partnerops binary)", name, got, want.command)
			}
			env := svc.env()
			known := EnvVars()
			for _, v := range sortedKeys(env) {
				switch {
				case !slices.Contains(known, v):
					t.Errorf("service %s sets %s, which partnerops never reads (a typo or an invented name?); the variables are those of config/config.go: %v", name, v, known)
				case !slices.Contains(want.reads, v):
					t.Errorf("service %s sets %s, which `partnerops %s` does not read; it reads %v", name, v, strings.Join(want.command, " "), want.reads)
				}
			}
			for _, v := range want.needs {
				if env[v] == "" {
					t.Errorf("service %s: %s must be set; `partnerops %s` cannot start without it", name, v, strings.Join(want.command, " "))
				}
			}
			if u := env["DATABASE_URL"]; u != "" {
				checkDatabaseURL(t, cf, name, u)
			}
			if a := env["TEMPORAL_ADDRESS"]; a != "" {
				checkServiceAddress(t, cf, name, "TEMPORAL_ADDRESS", a, temporalService)
			}
		})
	}

	for _, listener := range []struct{ service, variable, binaryDefault string }{
		{"api", "PARTNEROPS_HTTP_ADDR", "127.0.0.1:8080"},
		{"worker", "PARTNEROPS_WORKER_ADDR", "127.0.0.1:8090"},
	} {
		t.Run(listener.service+" port", func(t *testing.T) {
			svc, ok := cf.Services[listener.service]
			if !ok {
				t.Skipf("no %s service", listener.service)
			}
			name, variable := listener.service, listener.variable
			addr := svc.env()[variable]
			if addr == "" {
				t.Fatalf("service %s: set %s; the binary's default, %s, cannot be reached from outside the container", name, variable, listener.binaryDefault)
			}
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				t.Fatalf("service %s: %s=%q is not host:port: %v", name, variable, addr, err)
			}
			if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
				t.Errorf("service %s: %s=%q listens on loopback, which the published port cannot reach; use 0.0.0.0:%s", name, variable, addr, port)
			}
			targets := svc.portTargets(t)
			if !slices.Contains(targets, port) {
				t.Errorf("service %s: no published port leads to %s, the port in %s=%q (container ports published: %v)", name, port, variable, addr, targets)
			}
			if exposed := dockerfileExposes(t); !slices.Contains(exposed, port) {
				t.Errorf("Dockerfile: EXPOSE %v does not include %s, the %s port in docker-compose.yml", exposed, port, name)
			}
		})
	}
	t.Run("depends_on", func(t *testing.T) {
		for _, name := range []string{"api", "worker"} {
			svc, ok := cf.Services[name]
			if !ok {
				continue
			}
			deps := svc.dependsOn()
			if cond, ok := deps["migrate"]; !ok {
				t.Errorf("service %s: depends_on lacks migrate; it would start against an unmigrated database", name)
			} else if cond != "service_completed_successfully" {
				t.Errorf("service %s: depends_on migrate has condition %q, want service_completed_successfully", name, cond)
			}
			if _, ok := deps[temporalService]; !ok {
				t.Errorf("service %s: depends_on lacks %s", name, temporalService)
			}
		}
		if mig, ok := cf.Services["migrate"]; ok {
			if cond, ok := mig.dependsOn()[postgresService]; !ok || cond != "service_healthy" {
				t.Errorf("service migrate: depends_on %s should have condition service_healthy (have %q)", postgresService, cond)
			}
			if r := mig.Restart; r != "" && r != "no" && r != "on-failure" && !strings.HasPrefix(r, "on-failure:") {
				t.Errorf("service migrate: restart %q would rerun a one-shot command after it succeeded; use \"no\"", r)
			}
		}
	})

	t.Run("worker replicas", func(t *testing.T) {
		w, ok := cf.Services["worker"]
		if !ok {
			t.Skip("no worker service")
		}
		if w.Deploy.Replicas != nil && *w.Deploy.Replicas > 1 {
			for _, p := range w.Ports {
				if published := portPublished(p); published != "" {
					t.Errorf("service worker: runs %d replicas, so it cannot publish the fixed host port %s", *w.Deploy.Replicas, published)
				}
			}
		}
	})

	t.Run("temporal-ui", func(t *testing.T) {
		ui, ok := cf.Services["temporal-ui"]
		if !ok {
			t.Skip("no temporal-ui service")
		}
		a := ui.env()["TEMPORAL_ADDRESS"]
		if a == "" {
			t.Fatalf("service temporal-ui: set TEMPORAL_ADDRESS to the %s service", temporalService)
		}
		checkServiceAddress(t, cf, "temporal-ui", "TEMPORAL_ADDRESS", a, temporalService)
	})

	t.Run("bind mounts", func(t *testing.T) {
		for _, name := range sortedKeys(cf.Services) {
			for _, m := range cf.Services[name].bindMounts() {
				if _, err := os.Stat(filepath.Join(repoRoot, m.source)); err != nil {
					t.Errorf("service %s mounts %s, which is not in the repository: %v", name, m.source, err)
				}
			}
		}
	})
}

func TestDockerfile(t *testing.T) {
	lines := dockerfileInstructions(t)
	var built, entry bool
	for _, l := range lines {
		upper := strings.ToUpper(l)
		if strings.HasPrefix(upper, "RUN ") && strings.Contains(l, "go build") && regexp.MustCompile(`\s\./cmd/partnerops(\s|$)`).MatchString(l) {
			built = true
		}
		if strings.HasPrefix(upper, "ENTRYPOINT ") && strings.Contains(l, "/partnerops") {
			entry = true
		}
		if strings.HasPrefix(upper, "ENV ") {
			for _, name := range dockerfileEnvNames(l[len("ENV "):]) {
				if !slices.Contains(EnvVars(), name) {
					t.Errorf("Dockerfile: ENV %s is no variable partnerops reads (%v)", name, EnvVars())
				}
			}
		}
		if f := strings.Fields(l); len(f) >= 2 && strings.EqualFold(f[0], "FROM") && strings.HasPrefix(f[1], "golang:") {
			checkGoImage(t, strings.TrimPrefix(f[1], "golang:"))
		}
	}
	if !built {
		t.Errorf("Dockerfile: no `RUN ... go build ... ./cmd/partnerops`; the image must hold the partnerops binary")
	}
	if !entry {
		t.Errorf("Dockerfile: ENTRYPOINT must run /partnerops, so compose commands like [\"migrate\", \"up\"] are its arguments")
	}
}

func TestEnvVars(t *testing.T) {
	vars := EnvVars()
	for _, want := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "PARTNEROPS_HTTP_ADDR", "PARTNEROPS_DEV_UI_PORT"} {
		if !slices.Contains(vars, want) {
			t.Errorf("EnvVars() lacks %s: %v", want, vars)
		}
	}
	if !slices.IsSorted(vars) || len(slices.Compact(slices.Clone(vars))) != len(vars) {
		t.Errorf("EnvVars() is not sorted and free of repeats: %v", vars)
	}
}

// ---- docker-compose.yml ----------------------------------------------------

type composeFile struct {
	Version  any                       `yaml:"version"`
	Services map[string]composeService `yaml:"services"`
}

// composeService is what the tests read of a service. yaml.v3 resolves the
// `<<: *anchor` merge keys while decoding, so the shared blocks show up in
// each service that merges them. Fields with several spellings in the
// Compose specification (short and long syntax) stay `any`.
type composeService struct {
	Image       string `yaml:"image"`
	Build       any    `yaml:"build"`
	Command     any    `yaml:"command"`
	Environment any    `yaml:"environment"`
	Ports       []any  `yaml:"ports"`
	Volumes     []any  `yaml:"volumes"`
	DependsOn   any    `yaml:"depends_on"`
	Restart     string `yaml:"restart"`
	Deploy      struct {
		Replicas *int `yaml:"replicas"`
	} `yaml:"deploy"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatalf("read docker-compose.yml: %v", err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(data, &cf); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	if len(cf.Services) == 0 {
		t.Fatalf("docker-compose.yml declares no services")
	}
	return cf
}

func checkBuild(t *testing.T, name string, svc composeService) {
	t.Helper()
	buildContext, dockerfile := "", "Dockerfile"
	switch b := svc.Build.(type) {
	case nil:
		t.Errorf("service %s: no build section; it must build the repository's Dockerfile (build: .)", name)
		return
	case string:
		buildContext = b
	case map[string]any:
		buildContext, _ = b["context"].(string)
		if d, ok := b["dockerfile"].(string); ok && d != "" {
			dockerfile = d
		}
	default:
		t.Errorf("service %s: build is a %T, want a path or a mapping", name, b)
		return
	}
	if buildContext == "" {
		buildContext = "."
	}
	if filepath.Clean(buildContext) != "." || filepath.Clean(dockerfile) != "Dockerfile" {
		t.Errorf("service %s: builds %s from context %s; want the repository's Dockerfile with context . (build: .)", name, dockerfile, buildContext)
	}
	if _, err := os.Stat(filepath.Join(repoRoot, buildContext, dockerfile)); err != nil {
		t.Errorf("service %s: %v", name, err)
	}
}

// checkDatabaseURL holds DATABASE_URL to the postgresql service, and its role
// and database to those the service creates.
func checkDatabaseURL(t *testing.T, cf composeFile, svcName, raw string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Errorf("service %s: DATABASE_URL=%q does not parse: %v", svcName, raw, err)
		return
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		t.Errorf("service %s: DATABASE_URL=%q is no postgres:// URL", svcName, raw)
	}
	if h := u.Hostname(); h != postgresService {
		t.Errorf("service %s: DATABASE_URL host is %q; want the %s service", svcName, h, postgresService)
		return
	}
	if _, ok := cf.Services[postgresService]; !ok {
		t.Errorf("service %s: DATABASE_URL names the host %s, but no such service exists", svcName, postgresService)
		return
	}
	roles, dbs := postgresCreates(t, cf.Services[postgresService])
	if db := strings.TrimPrefix(u.Path, "/"); !slices.Contains(dbs, db) {
		t.Errorf("service %s: DATABASE_URL names the database %q, which the %s service never creates (it creates %v: POSTGRES_DB, POSTGRES_USER or CREATE DATABASE in its init scripts)", svcName, db, postgresService, dbs)
	}
	if user := u.User.Username(); !slices.Contains(roles, user) {
		t.Errorf("service %s: DATABASE_URL logs in as %q, a role the %s service never creates (it creates %v)", svcName, user, postgresService, roles)
	}
}

var (
	createRole     = regexp.MustCompile(`(?i)\bCREATE\s+(?:ROLE|USER)\s+"?(\w+)"?`)
	createDatabase = regexp.MustCompile(`(?i)\bCREATE\s+DATABASE\s+"?(\w+)"?`)
)

// postgresCreates lists the roles and databases the postgres image creates
// on first start: from its variables and the SQL of its init scripts.
func postgresCreates(t *testing.T, svc composeService) (roles, dbs []string) {
	t.Helper()
	env := svc.env()
	user := env["POSTGRES_USER"]
	if user == "" {
		user = "postgres"
	}
	roles = append(roles, user)
	if db := env["POSTGRES_DB"]; db != "" {
		dbs = append(dbs, db)
	} else {
		dbs = append(dbs, user)
	}
	for _, m := range svc.bindMounts() {
		if !strings.HasPrefix(m.target, "/docker-entrypoint-initdb.d") {
			continue
		}
		src := filepath.Join(repoRoot, m.source)
		files := []string{src}
		if fi, err := os.Stat(src); err == nil && fi.IsDir() {
			files, _ = filepath.Glob(filepath.Join(src, "*.sql"))
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Errorf("%s init script: %v", postgresService, err)
				continue
			}
			for _, m := range createRole.FindAllStringSubmatch(string(data), -1) {
				roles = append(roles, m[1])
			}
			for _, m := range createDatabase.FindAllStringSubmatch(string(data), -1) {
				dbs = append(dbs, m[1])
			}
		}
	}
	return roles, dbs
}

func checkServiceAddress(t *testing.T, cf composeFile, svcName, variable, addr, wantService string) {
	t.Helper()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		t.Errorf("service %s: %s=%q is not host:port: %v", svcName, variable, addr, err)
		return
	}
	if host != wantService {
		t.Errorf("service %s: %s=%q; its host should be the %s service", svcName, variable, addr, wantService)
	} else if _, ok := cf.Services[wantService]; !ok {
		t.Errorf("service %s: %s=%q names the service %s, which does not exist", svcName, variable, addr, wantService)
	}
}

func (s composeService) command() []string {
	switch c := s.Command.(type) {
	case string:
		return strings.Fields(c)
	case []any:
		out := make([]string, len(c))
		for i, a := range c {
			out[i] = fmt.Sprint(a)
		}
		return out
	}
	return nil
}

// env is the service's environment, in either syntax, interpolated with the
// ${VAR:-default} defaults (not the caller's shell). A variable passed
// through from the host without a value is "".
func (s composeService) env() map[string]string {
	env := map[string]string{}
	switch e := s.Environment.(type) {
	case map[string]any:
		for k, v := range e {
			if v != nil {
				env[k] = interpolate(fmt.Sprint(v))
			} else {
				env[k] = ""
			}
		}
	case []any:
		for _, item := range e {
			k, v, _ := strings.Cut(fmt.Sprint(item), "=")
			env[k] = interpolate(v)
		}
	}
	return env
}

var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}`)

func interpolate(s string) string {
	s = interpolation.ReplaceAllStringFunc(s, func(m string) string {
		sub := interpolation.FindStringSubmatch(m)
		switch sub[2] {
		case "-", ":-":
			return sub[3]
		case "?", ":?": // the operator must supply it: compose stops with the message otherwise
			return "(required: " + sub[3] + ")"
		}
		return ""
	})
	return strings.ReplaceAll(s, "$$", "$")
}

// dependsOn maps each dependency to its condition (short syntax:
// service_started).
func (s composeService) dependsOn() map[string]string {
	deps := map[string]string{}
	switch d := s.DependsOn.(type) {
	case []any:
		for _, name := range d {
			deps[fmt.Sprint(name)] = "service_started"
		}
	case map[string]any:
		for name, v := range d {
			cond := "service_started"
			if m, ok := v.(map[string]any); ok {
				if c, ok := m["condition"].(string); ok && c != "" {
					cond = c
				}
			}
			deps[name] = cond
		}
	}
	return deps
}

// portTargets lists the container ports the service publishes.
func (s composeService) portTargets(t *testing.T) []string {
	t.Helper()
	var targets []string
	for _, p := range s.Ports {
		switch p := p.(type) {
		case int:
			targets = append(targets, strconv.Itoa(p))
		case string:
			parts := strings.Split(p, ":")
			target, _, _ := strings.Cut(parts[len(parts)-1], "/")
			targets = append(targets, target)
		case map[string]any:
			targets = append(targets, fmt.Sprint(p["target"]))
		default:
			t.Errorf("unreadable port entry %v", p)
		}
	}
	return targets
}

// portPublished is the fixed host port of a port entry, if it has one.
func portPublished(p any) string {
	switch p := p.(type) {
	case string:
		parts := strings.Split(p, ":")
		if len(parts) >= 2 {
			return parts[len(parts)-2]
		}
	case map[string]any:
		if v, ok := p["published"]; ok && v != nil {
			return fmt.Sprint(v)
		}
	}
	return ""
}

type bindMount struct{ source, target string }

// bindMounts lists the service's mounts of repository files.
func (s composeService) bindMounts() []bindMount {
	var mounts []bindMount
	for _, v := range s.Volumes {
		switch v := v.(type) {
		case string:
			parts := strings.Split(v, ":")
			if len(parts) >= 2 && strings.HasPrefix(parts[0], ".") {
				mounts = append(mounts, bindMount{parts[0], parts[1]})
			}
		case map[string]any:
			src, _ := v["source"].(string)
			dst, _ := v["target"].(string)
			if v["type"] == "bind" && strings.HasPrefix(src, ".") {
				mounts = append(mounts, bindMount{src, dst})
			}
		}
	}
	return mounts
}

// ---- Dockerfile ------------------------------------------------------------

// dockerfileInstructions returns the Dockerfile's instructions, continuation
// lines joined, comments dropped.
func dockerfileInstructions(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatalf("the compose services build the repository's Dockerfile: %v", err)
	}
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func dockerfileExposes(t *testing.T) []string {
	t.Helper()
	var ports []string
	for _, l := range dockerfileInstructions(t) {
		if f := strings.Fields(l); len(f) > 1 && strings.EqualFold(f[0], "EXPOSE") {
			for _, p := range f[1:] {
				port, _, _ := strings.Cut(p, "/")
				ports = append(ports, port)
			}
		}
	}
	return ports
}

// dockerfileEnvNames reads the names of `ENV a=1 b=2` or `ENV a 1`.
func dockerfileEnvNames(args string) []string {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return nil
	}
	if !strings.Contains(fields[0], "=") {
		return fields[:1]
	}
	var names []string
	for _, f := range fields {
		if k, _, ok := strings.Cut(f, "="); ok {
			names = append(names, k)
		}
	}
	return names
}

// checkGoImage fails when the golang image tag is older than go.mod's go
// line: golang images build with GOTOOLCHAIN=local, so they would refuse.
func checkGoImage(t *testing.T, tag string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go\s+(\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	need := versionParts(string(m[1]))
	have := versionParts(regexp.MustCompile(`^[0-9.]+`).FindString(tag))
	if len(have) < 2 {
		return // latest, bookworm ...: not checkable
	}
	// A tag of major.minor follows that line's newest patch release.
	n := min(len(have), len(need))
	if slices.Compare(have[:n], need[:n]) < 0 {
		t.Errorf("Dockerfile: golang:%s is older than go.mod's go %s, and golang images do not fetch a newer toolchain", tag, m[1])
	}
}

func versionParts(v string) []int {
	var parts []int
	for p := range strings.SplitSeq(strings.Trim(v, "."), ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			break
		}
		parts = append(parts, n)
	}
	return parts
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
