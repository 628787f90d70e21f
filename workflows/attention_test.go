package workflows

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"partnerops/activities"
	"partnerops/cases"
)

// A step whose recording fails for good (the database refuses the data:
// a permanent, non-retryable error) does not retry for ever: the case ends
// in needs_attention with the reason, the supervisors are told, and the
// live case and the read model agree on its status and details.
func TestPoisonedStepEndsInNeedsAttention(t *testing.T) {
	h := newCertHarness(t)
	h.poison = func(tr cases.Transition) error {
		if tr.Event.Type == "rejected" {
			return temporal.NewNonRetryableApplicationError(`pq: invalid byte sequence for encoding "UTF8": 0x00`, activities.DataRefused, nil)
		}
		return nil
	}
	h.at(time.Minute, ActionReject, opsActor, RejectInput{Reason: "poisoned"})
	if status := h.run(validInfo(validNumber)); status != StatusNeedsAttention {
		t.Fatalf("status %s, want %s", status, StatusNeedsAttention)
	}
	if len(h.outcomes) != 1 || h.outcomes[0].err == nil {
		t.Fatalf("the reject answered %+v, want its failure", h.outcomes)
	}

	last := h.transitions[len(h.transitions)-1]
	before := h.transition("checks_passed")
	if last.Case.Status != StatusNeedsAttention || last.Event.Type != StatusNeedsAttention || last.Case.ClosedAt == nil {
		t.Errorf("the read model's last transition: %s/%s closed %v", last.Event.Type, last.Case.Status, last.Case.ClosedAt)
	}
	if reason, _ := last.Event.Detail["reason"].(string); reason == "" || last.Event.Detail["status_before"] != CertificationRejected {
		t.Errorf("the event says %v", last.Event.Detail)
	}
	assertNotified(t, last, cases.AudienceSupervisor)
	if !bytes.Equal(last.Case.Details, before.Case.Details) {
		t.Errorf("the read model keeps %s, want the last recorded %s", last.Case.Details, before.Case.Details)
	}
	var live cases.Case
	if v, err := h.env.QueryWorkflow(QueryCase, cases.RoleOps); err != nil || v.Get(&live) != nil {
		t.Fatalf("query: %v", err)
	}
	if live.Status != last.Case.Status || !bytes.Equal(live.Details, last.Case.Details) || len(live.Actions) != 0 {
		t.Errorf("live %s %s %v, read model %s %s", live.Status, live.Details, live.Actions, last.Case.Status, last.Case.Details)
	}
}

// A case whose very first transition is refused for good needs attention
// with the details it started with (nothing was recorded before).
func TestPoisonedFirstStepKeepsTheStartDetails(t *testing.T) {
	h := newCertHarness(t)
	h.poison = func(tr cases.Transition) error {
		if tr.Event.Type == "submitted" {
			return temporal.NewNonRetryableApplicationError("refused", activities.DataRefused, nil)
		}
		return nil
	}
	if status := h.run(validInfo(validNumber)); status != StatusNeedsAttention {
		t.Fatalf("status %s, want %s", status, StatusNeedsAttention)
	}
	last := h.transitions[len(h.transitions)-1]
	if len(h.transitions) != 1 || last.Case.Status != StatusNeedsAttention || !bytes.Contains(last.Case.Details, []byte(validNumber)) {
		t.Errorf("%d transitions; the last %s with details %s", len(h.transitions), last.Case.Status, last.Case.Details)
	}
}

// A step whose recording fails only for a while (PostgreSQL away for longer
// than the local activity's schedule-to-close) is no failure of the step:
// the recording runs again as a normal activity, and the case goes on as
// it would have, never taking needs_attention.
func TestOutageLongerThanTheLocalActivityIsNoFailure(t *testing.T) {
	h := newCertHarness(t)
	h.outage = func(tr cases.Transition) bool { return tr.Event.Type == "checks_passed" }
	h.at(time.Minute, ActionApprove, opsActor, nil)
	if status := h.run(validInfo(validNumber)); status != CertificationCertified {
		t.Fatalf("status %s, want %s (events %v)", status, CertificationCertified, h.events())
	}
	if got := h.events(); !slices.Equal(got, []string{"submitted/checking", "checks_passed/in_review", "approved/certified"}) {
		t.Errorf("events %v", got)
	}
}
