package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/store"
)

// The outbox as ops see it: the start requests of cases whose workflow is
// not started yet (retrying after failures, or parked after too many), and
// the retry of a parked one once its cause is fixed.

// Policies of the outbox: staff read it and retry parked starts.
var (
	staffReadsOutbox  = policy{Verb: read, Roles: cases.StaffRoles}
	staffRetriesStart = policy{Verb: act, Roles: cases.StaffRoles}
)

// maxListedCaseStarts bounds the list: parked first, then by next try.
const maxListedCaseStarts = 100

func (s *Server) caseStartRoutes() {
	tags := []string{"operations"}
	register(s, huma.Operation{
		OperationID: "listCaseStarts", Method: http.MethodGet, Path: "/v1/ops/case-starts", Tags: tags,
		Summary: "Case starts not started yet (the outbox)",
		Description: "The start requests of cases whose workflow is not running yet: parked ones first (the reconciler failed " +
			"PARTNEROPS_OUTBOX_PARK_AFTER times and tries no more), then the others by their next try (a failed start is " +
			"tried again after 1 minute, doubling up to 1 hour). At most 100, with the counts of all. Ops and supervisors.",
	}, staffReadsOutbox, s.listCaseStarts)
	register(s, huma.Operation{
		OperationID: "retryCaseStart", Method: http.MethodPost, Path: "/v1/ops/case-starts/{case_id}/retry", Tags: tags,
		Summary:       "Retry a parked case start",
		Description:   "Takes a parked start back to the reconciler, due at once with its attempts counted anew (204). A case with no parked start: 404.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusNotFound},
	}, staffRetriesStart, s.retryCaseStart)
}

// caseStartView is a start request as ops see it.
type caseStartView struct {
	CaseID    string     `json:"case_id"`
	Workflow  string     `json:"workflow"`
	State     string     `json:"state" enum:"pending,retrying,parked" doc:"pending: not tried by the reconciler yet; retrying: failed, tried again at next_try_at; parked: tried no more until ops retry it"`
	Attempts  int        `json:"attempts" doc:"Failed starts so far"`
	NextTryAt *time.Time `json:"next_try_at,omitempty" doc:"When the reconciler tries it again (absent when parked)"`
	LastError string     `json:"last_error,omitempty"`
	ParkedAt  *time.Time `json:"parked_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func caseStartOf(st store.CaseStart) caseStartView {
	v := caseStartView{CaseID: st.CaseID, Workflow: st.Workflow, State: "pending", Attempts: st.Attempts,
		LastError: st.LastError, CreatedAt: st.CreatedAt}
	switch {
	case st.ParkedAt.Valid:
		v.State, v.ParkedAt = "parked", &st.ParkedAt.Time
	case st.Attempts > 0:
		v.State = "retrying"
	}
	if !st.ParkedAt.Valid {
		v.NextTryAt = &st.NextTryAt
	}
	return v
}

type caseStartsOutput struct {
	Body struct {
		Counts store.CaseStartCounts `json:"counts"`
		Starts []caseStartView       `json:"starts"`
	}
}

func (s *Server) listCaseStarts(ctx context.Context, _ *struct{}) (*caseStartsOutput, error) {
	list, err := s.store.PendingCaseStarts(ctx, maxListedCaseStarts)
	if err != nil {
		return nil, err
	}
	out := &caseStartsOutput{}
	if out.Body.Counts, err = s.store.PendingCaseStartCounts(ctx); err != nil {
		return nil, err
	}
	out.Body.Starts = make([]caseStartView, len(list))
	for i, st := range list {
		out.Body.Starts[i] = caseStartOf(st)
	}
	return out, nil
}

func (s *Server) retryCaseStart(ctx context.Context, in *CasePath) (*struct{}, error) {
	err := s.store.RetryParkedCaseStart(ctx, in.CaseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("parked start of case " + in.CaseID)
	}
	return nil, err
}
