package workflows

import (
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"partnerops/activities"
	"partnerops/cases"
)

// An action that claimed a resting status (an advance keeps the case
// approved) can be overtaken by another that claims it too: when the first
// one's step then fails, the failure is its own caller's, not the case's
// (the second one moved the case on), so the case does not take
// needs_attention (before, it did: the status it claimed was still the
// case's). The claims are told apart by number, not by status.
func TestOvertakenActionsFailureIsNotTheCases(t *testing.T) {
	h := newOppHarness(t)
	secondRecorded := make(chan struct{})
	var second sync.Once
	h.poison = func(tr cases.Transition) error {
		if tr.Event.Type != "stage_changed" {
			return nil
		}
		if tr.Event.Detail["to"] == StageTechnicalValidation {
			<-secondRecorded
			return temporal.NewNonRetryableApplicationError("refused", activities.DataRefused, nil)
		}
		second.Do(func() { close(secondRecorded) })
		return nil
	}
	h.at(time.Hour, ActionApprove, opsActor, struct{}{})
	h.at(2*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageTechnicalValidation})
	h.at(2*time.Hour+time.Millisecond, ActionAdvance, partnerActor, AdvanceInput{Stage: StageBusinessValidation})
	h.at(3*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageCommitted})
	h.at(4*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageWon})
	if status := h.execute(OpportunityWorkflow, poInput(validPO())); status != OpportunityWon {
		t.Fatalf("status %s (events %v), want %s", status, h.events(), OpportunityWon)
	}
	var failed []string
	for _, o := range h.outcomes {
		if o.err != nil {
			failed = append(failed, o.action+": "+failureReason(o.err))
		}
	}
	if len(failed) != 1 {
		t.Errorf("failed actions %v, want the overtaken advance's only", failed)
	}
}
