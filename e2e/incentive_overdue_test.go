package e2e

import (
	"slices"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// TestIncentiveSettlementOverdueDecidedByOps: a settlement whose partner
// misses its deadline is overdue, reminded, and never forfeited without an
// ops step; ops extend it (more than once) and close it with a reason the
// partner reads.
func TestIncentiveSettlementOverdueDecidedByOps(t *testing.T) {
	s := startSystem(t, "3wd")
	s.incentive = rules.IncentivePolicy{InvoiceDeadline: "2s", OverdueReminder: time.Second}
	s.baseURL = s.serveAPI(s.temporal)
	c := s.publishSettlement("2026-Q3")
	if c.Status != workflows.SettlementAwaitingApplication {
		t.Fatalf("published as %s", c.Status)
	}
	action := func(name, token string, body any, status int) cases.Case {
		t.Helper()
		r := s.call("POST", "/v1/cases/"+c.ID+"/actions/"+name, token, body).expect(t, status)
		if status != 200 {
			return cases.Case{}
		}
		return decode[cases.Case](t, r)
	}
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.SettlementOverdue))
	action("apply", s.adminA, nil, 409) // too late: ops decide
	action("close", s.ops, map[string]string{"reason": ""}, 422)

	// Reminded while overdue, never forfeited by time.
	events := s.waitForEvents(c.ID, 5)
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if !slices.Contains(types, "overdue_reminder_sent") || slices.Contains(types, "forfeited") {
		t.Errorf("timeline %v: want overdue reminders and no forfeiture", types)
	}
	if got := s.waitForCase(s.ops, c.ID, hasStatus(workflows.SettlementOverdue)); !got.SLA.Breached {
		t.Errorf("overdue with %+v", got.SLA)
	}

	// Extended any number of times: the partner may apply again.
	action("extend", s.ops, map[string]string{"deadline": time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "reason": "Finance was on leave"}, 200)
	action("close", s.ops, map[string]string{"reason": "Not overdue"}, 409)
	extended := action("extend", s.ops, map[string]string{"deadline": time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339), "reason": "Shorter after all"}, 200)
	if extended.Status != workflows.SettlementAwaitingApplication {
		t.Errorf("extended to %s", extended.Status)
	}
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.SettlementOverdue))

	const reason = "The 2026-Q3 programme budget was withdrawn."
	action("close", s.ops, map[string]string{"reason": reason}, 200)
	closed := s.waitForCase(s.adminA, c.ID, hasStatus(workflows.SettlementClosed))
	d := settlementDetails(t, closed)
	if d.Closure == nil || d.Closure.Reason != reason || len(d.Extensions) != 2 {
		t.Errorf("closed with %+v after %d extensions", d.Closure, len(d.Extensions))
	}
	if len(s.incentiveCredits()) != 0 {
		t.Error("a closed settlement paid out")
	}
}
