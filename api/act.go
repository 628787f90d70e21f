package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// DefaultActionTimeout bounds an action on a case.
const DefaultActionTimeout = 10 * time.Second

// act takes the action name on the case as a Temporal Update (with the
// Update ID updateID; "" lets Temporal pick one) and answers the case as
// the step left it. Temporal takes an Update ID once per run: the same ID
// again answers the first Update's outcome without taking the step again. The Update has the action deadline: when the
// workflow cannot take it now (no worker polls, its task fails, Temporal is
// away or slow) the answer is a 503 with Retry-After, never a hang. A
// closed case takes no action, and Temporal is not asked.
func (s *Server) act(ctx context.Context, row cases.Case, name, updateID string, req cases.ActionRequest) (cases.Case, error) {
	if row.ClosedAt != nil && updateID == "" {
		return cases.Case{}, caseClosed() // with an Update ID: a retry of the step that closed it, answered by Temporal
	}
	ctx, cancel := context.WithTimeout(ctx, s.actionTimeout)
	defer cancel()
	handle, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: row.ID, UpdateID: updateID, UpdateName: name, Args: []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var updated cases.Case
	if err == nil {
		err = handle.Get(ctx, &updated)
	}
	if err != nil {
		return cases.Case{}, actionError(err)
	}
	updated.Live = true
	return updated, nil
}

// actionUpdateID is the Update ID of an action sent with an
// Idempotency-Key: derived from the caller, the case, the action and the
// key, so a retry is the same Update and another caller's key, case or
// action another one. No key, no ID ("": every request a new Update).
func actionUpdateID(principalID, caseID, action, key string) string {
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{principalID, caseID, action, key}, "\n")))
	return "action-" + hex.EncodeToString(sum[:])
}

func caseClosed() *Problem {
	return conflict("case-closed", "the case is finished; no action can be taken on it")
}

// actionError turns a refused or unanswered update into its problem.
func actionError(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case cases.RefusalForbidden:
			return forbidden(appErr.Message())
		case cases.RefusalConflict:
			return conflict("action-not-allowed", appErr.Message())
		case workflows.RefusalInsufficientBalance:
			return conflict("insufficient-balance", appErr.Message()+"; nothing was moved")
		case workflows.RefusalDissociationBlocked:
			return conflict("dissociation-blocked", appErr.Message()+"; nothing changed, the request waits")
		case workflows.RefusalAssociationRefused:
			return conflict("account-unavailable", appErr.Message()+"; nothing changed")
		case cases.RefusalInvalid:
			var fields rules.FieldErrors
			if appErr.HasDetails() {
				_ = appErr.Details(&fields)
			}
			return invalid(fields)
		default: // the step itself failed; the case says where it stands
			return conflict("action-failed", appErr.Message())
		}
	}
	var notFoundErr *serviceerror.NotFound
	if errors.As(err, &notFoundErr) {
		return caseClosed()
	}
	return unavailable("process-unavailable", actionRetryAfter,
		"the case's process could not take the action in time (no worker, or Temporal unavailable); "+
			"read the case before retrying, the action may have been taken")
}

// actionRetryAfter is the Retry-After, in seconds, of an action the process could not take.
const actionRetryAfter = 5

// unavailable is a 503: what was asked can be retried after retryAfter seconds.
func unavailable(slug string, retryAfter int, detail string) *Problem {
	p := problem(http.StatusServiceUnavailable, slug, detail)
	p.retryAfter = retryAfter
	return p
}
