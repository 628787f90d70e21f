package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

func newCase(t *testing.T, st *store.Store) (cases.Case, string) {
	t.Helper()
	p, err := st.CreatePartner(context.Background(), "Acme", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	return cases.Case{
		ID: store.NewID("cas"), Kind: cases.KindCertification, PartnerID: p.ID, Status: "checking",
		CreatedAt: at, UpdatedAt: at, Details: json.RawMessage(`{"submissions": 1}`),
	}, p.ID
}

func transition(c cases.Case, seq int, status string) cases.Transition {
	c.Status = status
	c.UpdatedAt = c.CreatedAt.Add(time.Duration(seq) * time.Second)
	return cases.Transition{
		Case: c, WorkflowID: c.ID, RunID: "run",
		Event:         cases.Event{Seq: seq, Type: "step", Status: status, Actor: cases.System, At: c.UpdatedAt},
		Notifications: []cases.Notification{{Audience: cases.AudiencePartner, Kind: "k", Message: "m"}},
	}
}

func TestApplyTransitionIsIdempotentAndOrdered(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	c, partnerID := newCase(t, st)
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []cases.Transition{
		transition(c, 1, "in_review"),
		transition(c, 1, "in_review"), // a retried activity
		transition(c, 3, "certified"),
		transition(c, 2, "rejected"), // a late write of an older state
	} {
		if err := st.ApplyTransition(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "certified" {
		t.Errorf("status %s, want the newest (certified)", got.Status)
	}
	events, _, err := st.CaseEvents(ctx, c.ID, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || events[0].Seq != 1 || events[2].Seq != 3 {
		t.Errorf("events %+v, want seq 1, 2, 3 once each", events)
	}
	notes, _, err := st.Notifications(ctx, store.Recipient{Audience: cases.AudiencePartner, PartnerID: partnerID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 3 {
		t.Errorf("%d notifications, want one per transition", len(notes))
	}
}

// newCaseByAdmin is newCase with its partner's admin, who opens it.
func newCaseByAdmin(t *testing.T) (*store.Store, cases.Case, store.Principal) {
	t.Helper()
	st, _ := testdb.New(t)
	c, partnerID := newCase(t, st)
	p, _, err := st.CreatePrincipal(context.Background(), store.NewPrincipal{Name: "admin", Role: cases.RoleAdmin, PartnerID: partnerID})
	if err != nil {
		t.Fatal(err)
	}
	return st, c, p
}

func TestOpenCaseIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	st, c, p := newCaseByAdmin(t)
	request := []byte("POST /v1/partners/x/certifications\n{}")

	// Twenty identical requests at once open one case.
	ids := make(chan string, 20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attempt := c
			attempt.ID = store.NewID("cas")
			opened, _, err := st.OpenCase(ctx, store.NewCase{Case: attempt, Workflow: "Certification", Input: map[string]string{}},
				&store.Idempotency{PrincipalID: p.ID, Key: "k1", Request: request})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- opened.ID
		}()
	}
	wg.Wait()
	close(ids)
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	if len(distinct) != 1 {
		t.Errorf("one key opened %d cases", len(distinct))
	}
	list, _, err := st.ListCases(ctx, store.CaseFilter{}, store.Page{})
	if err != nil || len(list) != 1 {
		t.Errorf("%d cases stored (%v)", len(list), err)
	}

	other := c
	other.ID = store.NewID("cas")
	_, _, err = st.OpenCase(ctx, store.NewCase{Case: other, Workflow: "Certification", Input: map[string]string{}},
		&store.Idempotency{PrincipalID: p.ID, Key: "k1", Request: []byte("another body")})
	if !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Errorf("another request under the same key: %v", err)
	}
}

func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	if err := st.MigrateDown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreatePartner(ctx, "Acme", "solution_provider", ""); err != nil {
		t.Errorf("after down and up: %v", err)
	}
	if _, err := st.CreatePartner(ctx, "Nope", "astronaut", ""); err == nil {
		t.Error("the schema accepts an unknown partner type")
	}
}
