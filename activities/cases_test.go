package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// A transition PostgreSQL refuses (here a NUL byte, which text and jsonb
// cannot hold) fails non-retryably once Permanent maps it (as the worker's
// interceptor does for every activity): retrying it would fail for ever and
// stall the case. A good one is recorded.
func TestRecordTransitionRefusesWhatPostgreSQLRefuses(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	p, err := st.CreatePartner(ctx, "Acme", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	c := cases.Case{ID: store.NewID("cas"), Kind: cases.KindCertification, PartnerID: p.ID, Status: "checking",
		CreatedAt: at, UpdatedAt: at, Details: json.RawMessage(`{"submissions": 1}`)}
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: struct{}{}}, nil); err != nil {
		t.Fatal(err)
	}
	a := &activities.Cases{Store: st}
	tr := cases.Transition{Case: c, WorkflowID: c.ID, RunID: "run",
		Event: cases.Event{Seq: 1, Type: "rejected", Status: "rejected", Actor: cases.System, At: at,
			Detail: map[string]any{"reason": "bad\x00byte"}}}
	err = activities.Permanent(a.RecordTransition(ctx, tr))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != activities.DataRefused {
		t.Fatalf("a NUL byte: %v, want a non-retryable %s", err, activities.DataRefused)
	}
	tr.Event.Detail = map[string]any{"reason": "readable"}
	if err := a.RecordTransition(ctx, tr); err != nil {
		t.Fatalf("a good transition: %v", err)
	}
}
