package api

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

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

// startCase records the case and starts its workflow. With an
// Idempotency-Key, the same request again answers the same case, and
// another request under that key a 409.
func (s *Server) startCase(ctx context.Context, idem Idempotent, st caseStart) (*startedOutput, error) {
	now := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	details, err := json.Marshal(st.details)
	if err != nil {
		return nil, err
	}
	newCase := cases.Case{
		ID: store.NewID("cas"), Kind: st.kind, PartnerID: st.partnerID, CustomerID: st.customerID,
		Status: st.initialStatus, CreatedAt: now, UpdatedAt: now, Details: details,
	}
	opened, err := s.store.OpenCase(ctx, newCase, newCase.ID, idem.claim(ctx))
	if err != nil {
		return nil, err
	}
	return s.runCase(ctx, principalOf(ctx).Role, opened, st.workflow, st.input(opened.ID, opened.CreatedAt))
}

// runCase starts the workflow of a case just opened and answers the case as
// role sees it. For a repeated request it makes sure the workflow runs (the
// first attempt may have stopped between opening the case and starting it)
// without starting a second one.
func (s *Server) runCase(ctx context.Context, role string, opened cases.Case, workflow string, input any) (*startedOutput, error) {
	_, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       opened.ID,
		TaskQueue:                s.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflow, input)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return nil, err
	}
	live, err := s.liveCase(ctx, opened, role)
	if err != nil {
		return nil, err
	}
	return &startedOutput{Location: "/v1/cases/" + opened.ID, Body: live}, nil
}
