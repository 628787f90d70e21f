package api

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
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

// startCase records the case and starts its workflow, answering 202 with
// the case and its Location. With an Idempotency-Key, the same request again
// answers the same case, and another request under that key a 409.
func (s *Server) startCase(c *fiber.Ctx, st caseStart) error {
	ctx := c.UserContext()
	now := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	details, err := json.Marshal(st.details)
	if err != nil {
		return err
	}
	newCase := cases.Case{
		ID: store.NewID("cas"), Kind: st.kind, PartnerID: st.partnerID, CustomerID: st.customerID,
		Status: st.initialStatus, CreatedAt: now, UpdatedAt: now, Details: details,
	}
	idem, err := idempotency(c)
	if err != nil {
		return err
	}
	opened, err := s.store.OpenCase(ctx, newCase, newCase.ID, idem)
	if err != nil {
		return err
	}
	return s.runCase(c, opened, st.workflow, st.input(opened.ID, opened.CreatedAt))
}

// runCase starts the workflow of a case just opened and answers 202 with the
// case and its Location. For a repeated request it makes sure the workflow
// runs (the first attempt may have stopped between opening the case and
// starting it) without starting a second one.
func (s *Server) runCase(c *fiber.Ctx, opened cases.Case, workflow string, input any) error {
	ctx := c.UserContext()
	_, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       opened.ID,
		TaskQueue:                s.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflow, input)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return err
	}
	live, err := s.liveCase(ctx, opened, principal(c).Role)
	if err != nil {
		return err
	}
	c.Location("/v1/cases/" + opened.ID)
	return c.Status(fiber.StatusAccepted).JSON(live)
}
