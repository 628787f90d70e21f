package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

func TestOpenCaseWritesItsStartUntilMarked(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	c, _ := newCase(t, st)
	_, start, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{"case_id": c.ID}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if start.CaseID != c.ID || start.Workflow != "Certification" || string(start.Input) != `{"case_id":"`+c.ID+`"}` || start.StartedAt.Valid {
		t.Errorf("start %+v", start)
	}
	pending, err := st.UnstartedCases(ctx, time.Now().Add(time.Second), 10)
	if err != nil || len(pending) != 1 || pending[0].CaseID != c.ID {
		t.Fatalf("unstarted %+v (%v)", pending, err)
	}
	if pending, _ := st.UnstartedCases(ctx, c.CreatedAt, 10); len(pending) != 0 {
		t.Errorf("a start younger than the cut-off is listed: %+v", pending)
	}
	for range 2 { // marking again changes nothing
		if err := st.MarkCaseStarted(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if pending, _ := st.UnstartedCases(ctx, time.Now().Add(time.Second), 10); len(pending) != 0 {
		t.Errorf("a started case is still listed: %+v", pending)
	}
	_, read, err := st.OpenedCase(ctx, c.ID)
	if err != nil || !read.StartedAt.Valid {
		t.Errorf("read back %+v (%v)", read, err)
	}
}

func TestOneOpenCertificationPerPartner(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	c, _ := newCase(t, st)

	// Ten submissions at once: the database lets one through and names it to the others.
	opened := make(chan string, 10)
	refusals := make(chan *store.OpenCaseError, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attempt := c
			attempt.ID = store.NewID("cas")
			_, _, err := st.OpenCase(ctx, store.NewCase{Case: attempt, Workflow: "Certification", Input: struct{}{}}, nil)
			var refused *store.OpenCaseError
			switch {
			case err == nil:
				opened <- attempt.ID
			case errors.As(err, &refused):
				refusals <- refused
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(opened)
	close(refusals)
	if len(opened) != 1 || len(refusals) != 9 {
		t.Fatalf("%d opened, %d refused; want 1 and 9", len(opened), len(refusals))
	}
	first := <-opened
	for r := range refusals {
		if r.CaseID != first {
			t.Errorf("refusal names %s, want the open case %s", r.CaseID, first)
		}
	}

	// Once it is certified (closed), the partner may open a re-certification.
	done := c
	done.ID = first
	closing := transition(done, 1, "certified")
	closedAt := closing.Case.UpdatedAt
	closing.Case.ClosedAt = &closedAt
	if err := st.ApplyTransition(ctx, closing); err != nil {
		t.Fatal(err)
	}
	if certified, err := st.CertifiedCase(ctx, c.PartnerID); err != nil || certified != first {
		t.Errorf("certified case %q (%v), want %s", certified, err, first)
	}
	again := c
	again.ID = store.NewID("cas")
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: again, Workflow: "Certification", Input: struct{}{}}, nil); err != nil {
		t.Errorf("a re-certification after the case closed: %v", err)
	}
	read, err := st.Case(ctx, first)
	if err != nil || read.ClosedAt == nil || !read.ClosedAt.Equal(closedAt) {
		t.Errorf("closed case reads %+v (%v)", read, err)
	}
	if read.Kind != cases.KindCertification {
		t.Errorf("kind %s", read.Kind)
	}
}

// A start the reconciler failed is tried again after a backoff, in the
// order of next tries (so a newer request is not starved behind it), and
// is parked after the configured failures: listed for ops, counted, and
// due again once ops retry it.
func TestFailedStartsBackOffAndPark(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	var ids []string
	for range 2 {
		c, _ := newCase(t, st)
		if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: struct{}{}}, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	retry := store.StartRetry{Backoff: time.Hour, MaxBackoff: 2 * time.Hour, ParkAfter: 2}
	due := func() []string {
		t.Helper()
		list, err := st.UnstartedCases(ctx, time.Now().Add(time.Second), 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range list {
			got = append(got, s.CaseID)
		}
		return got
	}
	if got := due(); !slices.Equal(got, ids[:1]) {
		t.Fatalf("due %v, want the oldest %s", got, ids[0])
	}
	if parked, err := st.CaseStartFailed(ctx, ids[0], errors.New("temporal: unavailable"), retry); err != nil || parked {
		t.Fatalf("the first failure parked %v (%v)", parked, err)
	}
	if got := due(); !slices.Equal(got, ids[1:]) {
		t.Errorf("due after the oldest failed %v, want the newer %s (not the failed one again)", got, ids[1])
	}
	_, failed, err := st.OpenedCase(ctx, ids[0])
	if err != nil || failed.Attempts != 1 || failed.LastError != "temporal: unavailable" ||
		failed.NextTryAt.Before(time.Now().Add(59*time.Minute)) || failed.ParkedAt.Valid {
		t.Errorf("after one failure %+v (%v)", failed, err)
	}
	if counts, err := st.PendingCaseStartCounts(ctx); err != nil || counts != (store.CaseStartCounts{Retrying: 1}) {
		t.Errorf("counts %+v (%v)", counts, err)
	}

	// the second failure parks it (a backoff is no matter then)
	if _, err := st.DB().ExecContext(ctx, `UPDATE case_starts SET next_try_at = now() WHERE case_id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if parked, err := st.CaseStartFailed(ctx, ids[0], errors.New("temporal: unavailable"), retry); err != nil || !parked {
		t.Fatalf("the second failure parked %v (%v)", parked, err)
	}
	if got := due(); !slices.Equal(got, ids[1:]) {
		t.Errorf("due with the oldest parked %v", got)
	}
	pending, err := st.PendingCaseStarts(ctx, 10)
	if err != nil || len(pending) != 2 || pending[0].CaseID != ids[0] || !pending[0].ParkedAt.Valid || pending[0].Attempts != 2 {
		t.Errorf("pending %+v (%v), want the parked one first", pending, err)
	}
	if counts, _ := st.PendingCaseStartCounts(ctx); counts != (store.CaseStartCounts{Parked: 1}) {
		t.Errorf("counts %+v", counts)
	}

	if err := st.RetryParkedCaseStart(ctx, ids[1]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("retrying a start that is not parked: %v", err)
	}
	if err := st.RetryParkedCaseStart(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if list, err := st.UnstartedCases(ctx, time.Now().Add(time.Second), 10); err != nil || len(list) != 2 || list[1].CaseID != ids[0] || list[1].Attempts != 0 {
		t.Errorf("due after ops retried it %+v (%v), want it again, after the newer one", list, err)
	}
}
