// Package outbox starts the workflow of a case from the start request
// committed with the case (store.CaseStart). The API starts it right after
// the commit; a scheduled reconciler starts whatever the API did not (it
// died between the commit and the start, or Temporal refused the start).
// Because a workflow is only ever started from a committed row, there is
// no workflow without its case, and because the row is retried until
// started, no case without its workflow.
package outbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"partnerops/store"
)

// Grace is how old an unstarted request must be before the reconciler
// starts it: younger ones are being started by the API that wrote them.
const Grace = time.Minute

// WorkflowTaskTimeout bounds a case's workflow task, half the SDK's
// default: a task whose worker was killed goes to another after it. A
// case's tasks take milliseconds; one running local activities longer
// than most of it is kept alive by the SDK, which heartbeats it.
const WorkflowTaskTimeout = 5 * time.Second

// batchSize bounds the requests the reconciler reads at once.
const batchSize = 100

// Starter starts case workflows on the task queue.
type Starter struct {
	Temporal  client.Client
	Store     *store.Store
	TaskQueue string
	// ParkAfter is how many failed starts park a request (the reconciler
	// tries it no more; ops retry it): zero means DefaultParkAfter.
	ParkAfter int
}

// A start the reconciler failed is tried again after RetryBackoff, doubled
// with each failure up to MaxRetryBackoff, and parked after ParkAfter
// failures (PARTNEROPS_OUTBOX_PARK_AFTER; DefaultParkAfter unless set).
const (
	RetryBackoff     = time.Minute
	MaxRetryBackoff  = time.Hour
	DefaultParkAfter = 10
)

// retry is the backoff and parking of the reconciler's failed starts.
func (s *Starter) retry() store.StartRetry {
	return store.StartRetry{Backoff: RetryBackoff, MaxBackoff: MaxRetryBackoff, ParkAfter: cmp.Or(s.ParkAfter, DefaultParkAfter)}
}

// Start starts the case's workflow (the workflow ID is the case ID) and
// marks the request started. Starting it again is harmless: a running
// workflow of that ID is used as it is, and a finished one is not started
// again.
func (s *Starter) Start(ctx context.Context, st store.CaseStart) error {
	if st.StartedAt.Valid {
		return nil
	}
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       st.CaseID,
		TaskQueue:                s.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowTaskTimeout:      WorkflowTaskTimeout,
	}, st.Workflow, st.Input) // Input is JSON: the default converter passes it on as the workflow's argument
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start workflow of case %s: %w", st.CaseID, err)
	}
	return s.Store.MarkCaseStarted(ctx, st.CaseID)
}

// StartPending starts the workflows of the due requests older than Grace
// that are not marked started nor parked, in batches, and says how many it
// started. A request that fails is tried again after a backoff (or parked
// after too many failures); the others go ahead.
func (s *Starter) StartPending(ctx context.Context) (int, error) {
	before := time.Now().Add(-Grace)
	started := 0
	var failures []error
	for {
		batch, err := s.Store.UnstartedCases(ctx, before, batchSize)
		if err != nil {
			return started, err
		}
		progress := false
		for _, st := range batch {
			if err := s.Start(ctx, st); err != nil {
				failures = append(failures, err)
				if _, err := s.Store.CaseStartFailed(ctx, st.CaseID, err, s.retry()); err != nil {
					failures = append(failures, err)
					continue
				}
				progress = true // its next try moved on: the next batch holds other requests
				continue
			}
			started++
			progress = true
		}
		if len(batch) < batchSize || !progress {
			return started, errors.Join(failures...)
		}
	}
}
