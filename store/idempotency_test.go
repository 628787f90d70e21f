package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/store"
)

// A key is remembered until it is pruned past its retention; a request
// repeated with a pruned key creates anew.
func TestPruneIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	st, c, p := newCaseByAdmin(t)
	open := func(kind cases.Kind, body string) (cases.Case, error) {
		attempt := c
		attempt.ID, attempt.Kind = store.NewID("cas"), kind
		opened, _, err := st.OpenCase(ctx, store.NewCase{Case: attempt, Workflow: "W", Input: map[string]string{}},
			&store.Idempotency{PrincipalID: p.ID, Key: "k1", Request: []byte(body)})
		return opened, err
	}
	if _, err := open(cases.KindCertification, "first"); err != nil {
		t.Fatal(err)
	}
	if n, err := st.PruneIdempotencyKeys(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Fatalf("pruned %d keys younger than the retention (%v)", n, err)
	}
	if _, err := open(cases.KindOpportunity, "second"); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Fatalf("a kept key with another request: %v", err)
	}
	if n, err := st.PruneIdempotencyKeys(ctx, time.Now().Add(time.Minute), 100); err != nil || n != 1 {
		t.Fatalf("pruned %d keys past the retention, want 1 (%v)", n, err)
	}
	if second, err := open(cases.KindOpportunity, "second"); err != nil || second.Kind != cases.KindOpportunity {
		t.Fatalf("a pruned key with another request: %+v %v", second, err)
	}
}
