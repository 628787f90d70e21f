package workflows

import (
	"fmt"
	"sync"
	"time"
)

// Time zones are loaded by the worker at its start (UseZone), where a bad
// zone fails the start, never in workflow code: time.LoadLocation there
// reads the host's zone files, and a host without them would give UTC
// silently. Workflow code looks a case's zone up by the name its input
// carries (zone).

// zones are the loaded time zones, by name.
var zones sync.Map

// UseZone makes a loaded time zone available to workflow code by its name.
func UseZone(loc *time.Location) {
	zones.Store(loc.String(), loc)
}

// zone is the loaded time zone of that name ("" is UTC, as for a case
// started before inputs named their zone). A zone the worker did not load
// fails the workflow task (the panic is retried, and the case waits, for a
// worker that has it), never falls back to UTC.
func zone(name string) *time.Location {
	if name == "" || name == "UTC" {
		return time.UTC
	}
	loc, ok := zones.Load(name)
	if !ok {
		panic(fmt.Sprintf("the time zone %q was not loaded by this worker (PARTNEROPS_TIMEZONE names the zone it loads at its start)", name))
	}
	return loc.(*time.Location)
}
