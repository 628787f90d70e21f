package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

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

// startCase opens the case with its workflow's start request in one
// transaction, starts the workflow and answers 202 with the case and its
// Location. With an Idempotency-Key, the same request again answers the same
// case (starting its workflow if the first attempt could not), and another
// request under that key a 409.
func (s *Server) startCase(c *fiber.Ctx, st caseStart) error {
	now := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	details, err := json.Marshal(st.details)
	if err != nil {
		return err
	}
	id := store.NewID("cas")
	nc := store.NewCase{
		Case: cases.Case{
			ID: id, Kind: st.kind, PartnerID: st.partnerID, CustomerID: st.customerID,
			Status: st.initialStatus, CreatedAt: now, UpdatedAt: now, Details: details,
		},
		Workflow: st.workflow, Input: st.input(id, now),
	}
	idem, err := idempotency(c)
	if err != nil {
		return err
	}
	opened, start, err := s.store.OpenCase(c.UserContext(), nc, idem)
	var open *store.OpenCaseError
	if errors.As(err, &open) {
		p := conflict("case-open", "the partner already has an open "+string(open.Kind)+" case, "+open.CaseID+
			"; act on it (resubmit, file a ticket) instead of starting another")
		p.CaseID = open.CaseID
		return p
	}
	if err != nil {
		return err
	}
	return s.runCase(c, opened, start)
}

// runCase starts the workflow of a case just opened (or found again by its
// Idempotency-Key) and answers 202 with the case and its Location. When the
// workflow cannot be started now, the answer is a 503 that names the case:
// it exists, and it will run (the reconciler starts it, or the same request
// retried with its Idempotency-Key does).
func (s *Server) runCase(c *fiber.Ctx, opened cases.Case, start store.CaseStart) error {
	ctx := c.UserContext()
	location := "/v1/cases/" + opened.ID
	c.Location(location)
	if err := s.starter.Start(ctx, start); err != nil {
		s.logger.WarnContext(ctx, "case opened, its workflow not started yet", "case_id", opened.ID, "error", err)
		p := unavailable("case-not-started", startRetryAfter, "case "+opened.ID+" is recorded (see Location) but its process "+
			"could not start now; it starts within minutes, or retry this request with the same Idempotency-Key")
		p.CaseID = opened.ID
		return p
	}
	return c.Status(http.StatusAccepted).JSON(s.liveCase(ctx, opened, principal(c).Role))
}

// startRetryAfter is the Retry-After, in seconds, of a start that could not reach Temporal.
const startRetryAfter = 5
