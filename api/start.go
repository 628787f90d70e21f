package api

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"partnerops/cases"
	"partnerops/store"
)

// caseStart describes a process a POST starts.
type caseStart struct {
	kind          cases.Kind
	partnerID     string
	customerID    string
	initialStatus string
	details       any // the kind's details as the case first shows them
	workflow      string
	// input builds the workflow's input once the case has its ID and time.
	input func(caseID string, createdAt time.Time) any
}

// startedOutput is the answer to a POST that started a process: 202, the
// case, and the case's Location.
type startedOutput struct {
	Location string `header:"Location" doc:"The case's URL"`
	Body     cases.Case
}

// startCase opens the case with its workflow's start request in one
// transaction, starts the workflow and answers 202 with the case and its
// Location. With an Idempotency-Key, the same request again answers the same
// case (starting its workflow if the first attempt could not), and another
// request under that key a 409.
func (s *Server) startCase(ctx context.Context, idem Idempotent, st caseStart) (*startedOutput, error) {
	now := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	details, err := json.Marshal(st.details)
	if err != nil {
		return nil, err
	}
	id := store.NewID("cas")
	nc := store.NewCase{
		Case: cases.Case{
			ID: id, Kind: st.kind, PartnerID: st.partnerID, CustomerID: st.customerID,
			Status: st.initialStatus, CreatedAt: now, UpdatedAt: now, Details: details,
		},
		Workflow: st.workflow, Input: st.input(id, now),
	}
	opened, start, err := s.store.OpenCase(ctx, nc, idem.claim(ctx))
	var open *store.OpenCaseError
	if errors.As(err, &open) {
		p := conflict("case-open", "the partner already has an open "+string(open.Kind)+" case, "+open.CaseID+
			"; act on it (resubmit, file a ticket) instead of starting another")
		p.CaseID = open.CaseID
		return nil, p
	}
	if err != nil {
		return nil, err
	}
	return s.runCase(ctx, opened, start)
}

// runCase starts the workflow of a case just opened (or found again by its
// Idempotency-Key) and answers 202 with the case as recorded and its
// Location. When the
// workflow cannot be started now, the answer is a 503 that names the case:
// it exists, and it will run (the reconciler starts it, or the same request
// retried with its Idempotency-Key does).
func (s *Server) runCase(ctx context.Context, opened cases.Case, start store.CaseStart) (*startedOutput, error) {
	location := "/v1/cases/" + opened.ID
	if err := s.starter.Start(ctx, start); err != nil {
		s.logger.WarnContext(ctx, "case opened, its workflow not started yet", "case_id", opened.ID, "error", err)
		p := unavailable("case-not-started", startRetryAfter, "case "+opened.ID+" is recorded (see Location) but its process "+
			"could not start now; it starts within minutes, or retry this request with the same Idempotency-Key")
		p.CaseID, p.location = opened.ID, location
		return nil, p
	}
	// Accepted, not yet done: the answer is the case as recorded, without
	// waiting for the workflow's first task (GET Location reads it live).
	return &startedOutput{Location: location, Body: recordedCase(opened, principalOf(ctx).Role)}, nil
}

// startRetryAfter is the Retry-After, in seconds, of a start that could not reach Temporal.
const startRetryAfter = 5
