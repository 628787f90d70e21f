package api

import (
	"context"
	"slices"
	"time"

	"partnerops/cases"
	"partnerops/workflows"
)

// DefaultReadTimeout bounds a live read of a case from its workflow.
const DefaultReadTimeout = 2 * time.Second

// liveCase answers a case as role sees it: from its running workflow when
// that answers within the read deadline (live), else from the read model
// row, marked not live and current as of its last update. A closed case is
// answered from the row without asking Temporal: its workflow has nothing
// more to say, and no worker needs to replay it. Any failure of the live
// read (the workflow gone past retention or not started yet, its task
// failing, no worker, Temporal unavailable, the deadline) gives the row:
// the caller always gets an answer.
func (s *Server) liveCase(ctx context.Context, row cases.Case, role string) cases.Case {
	if row.ClosedAt == nil {
		if live, ok := s.queryCase(ctx, row.ID, role); ok {
			return withAssignee(live, row.AssigneeID, role)
		}
	}
	return withAssignee(recordedCase(row, role), row.AssigneeID, role)
}

// withAssignee shows staff the case's assignee (the read model keeps it,
// not the process); the partner's side is not shown who works it.
func withAssignee(c cases.Case, assigneeID, role string) cases.Case {
	c.AssigneeID = ""
	if slices.Contains(cases.StaffRoles, role) {
		c.AssigneeID = assigneeID
	}
	return c
}

// recordedCase is the read model's row as role sees it: not live, current
// as of its last update, with the actions its status allows.
func recordedCase(row cases.Case, role string) cases.Case {
	row.Actions = workflows.AllowedActions(row.Kind, role, row.Status)
	row.Live = false
	asOf := row.UpdatedAt
	row.AsOf = &asOf
	return row
}

// queryCase asks the case's workflow for its state, within the read deadline.
func (s *Server) queryCase(ctx context.Context, id, role string) (cases.Case, bool) {
	ctx, cancel := context.WithTimeout(ctx, s.readTimeout)
	defer cancel()
	var live cases.Case
	resp, err := s.temporal.QueryWorkflow(ctx, id, "", workflows.QueryCase, role)
	if err == nil {
		err = resp.Get(&live)
	}
	if err != nil {
		s.logger.DebugContext(ctx, "case answered from the read model", "case_id", id, "error", err)
		return live, false
	}
	live.Live = true
	return live, true
}
