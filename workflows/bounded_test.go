package workflows

import (
	"encoding/json"
	"testing"
	"time"
)

// Every extension ops give an overdue-side settlement is kept in its state,
// which every transition copies: the list keeps the newest MaxListed and
// counts the others (before, all 25 were carried).
func TestSettlementExtensionsAreBounded(t *testing.T) {
	h := newSettlementHarness(t)
	const extensions = MaxListed + 5
	deadline := endOfTenthWorkingDay.UTC()
	for i := range extensions {
		deadline = deadline.Add(24 * time.Hour)
		h.at(time.Duration(i+1)*time.Hour, ActionExtend, opsActor, ExtendInput{Deadline: deadline, Reason: "The partner asked for more time"})
	}
	in := settlementInput(false)
	in.StepsPerRun = 1000
	h.env.ExecuteWorkflow(IncentiveSettlementWorkflow, in)
	var last IncentiveSettlementDetails
	for _, tr := range h.transitions {
		if tr.Event.Type == "extended" {
			if err := json.Unmarshal(tr.Case.Details, &last); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(last.Extensions) != MaxListed || last.EarlierExtensions != extensions-MaxListed {
		t.Fatalf("the last extension's details list %d extensions and %d earlier; want %d and %d",
			len(last.Extensions), last.EarlierExtensions, MaxListed, extensions-MaxListed)
	}
	if got := last.Extensions[MaxListed-1].To; !got.Equal(deadline) {
		t.Errorf("the newest listed extension is to %v, want the last one given, %v", got, deadline)
	}
}
