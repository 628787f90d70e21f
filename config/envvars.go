package config

import (
	"reflect"
	"sort"
	"strings"
)

// EnvVars lists every environment variable partnerops reads, sorted: the
// `env` struct tags of all the setting groups. Tests hold docs/configuration.md and
// docker-compose.yml to it, so neither can name a variable the binary ignores.
func EnvVars() []string {
	return envVarsOf(Database{}, Temporal{}, Policy{}, HTTP{}, WorkerHTTP{}, Log{}, Dev{}, Webhooks{}, History{})
}

// envVarsOf lists, sorted and without repeats, the variables named by the
// `env` tags of the given structs and of the structs they embed or contain.
func envVarsOf(groups ...any) []string {
	seen := map[string]bool{}
	for _, g := range groups {
		collectEnvVars(reflect.TypeOf(g), seen)
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func collectEnvVars(t reflect.Type, seen map[string]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, ok := f.Tag.Lookup("env"); ok {
			// kong accepts several names, comma separated.
			for name := range strings.SplitSeq(tag, ",") {
				if name = strings.TrimSpace(name); name != "" {
					seen[name] = true
				}
			}
			continue
		}
		collectEnvVars(f.Type, seen)
	}
}
