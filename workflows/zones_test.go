package workflows

import (
	"strings"
	"testing"
	"time"
)

// testZone loads a zone for the tests as the worker does at its start.
func testZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	UseZone(loc)
	return loc
}

// A settlement whose zone the worker did not load does not run on UTC
// (before, time.LoadLocation in the workflow fell back to UTC silently,
// and the case went on): its workflow task fails, naming the zone.
func TestSettlementInAZoneNotLoadedFails(t *testing.T) {
	h := newSettlementHarness(t)
	in := settlementInput(false)
	in.TimeZone = "America/Argentina/Ushuaia" // a real zone, but not this worker's
	h.env.ExecuteWorkflow(IncentiveSettlementWorkflow, in)
	err := h.env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), in.TimeZone) {
		t.Fatalf("the workflow ended with %v, want a failure naming the zone", err)
	}
}
