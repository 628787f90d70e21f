package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"partnerops/workflows"
)

// sweep is a workflow a Temporal Schedule runs every minute.
type sweep struct {
	id       string // the schedule's ID, and the prefix of its runs' workflow IDs
	workflow string
}

// sweeps are the schedules every worker makes sure exist.
var sweeps = []sweep{
	{id: "partnerops-start-pending-cases", workflow: workflows.StartPendingCasesWorkflow},
	{id: "partnerops-cancel-overdue-orders", workflow: workflows.CancelOverdueOrdersWorkflow},
}

const sweepEvery = time.Minute

// EnsureSchedules creates each sweep's schedule, or brings an existing one
// to the current spec, so that a worker's restart (or several workers
// starting at once) never duplicates one. A run still going when the next
// is due makes that next one skip.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string) error {
	for _, sw := range sweeps {
		if err := ensureSchedule(ctx, c, sw, taskQueue); err != nil {
			return fmt.Errorf("schedule %s: %w", sw.id, err)
		}
	}
	return nil
}

func ensureSchedule(ctx context.Context, c client.Client, sw sweep, taskQueue string) error {
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: sweepEvery}}}
	action := &client.ScheduleWorkflowAction{ID: sw.id, Workflow: sw.workflow, TaskQueue: taskQueue}
	policy := client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: sweepEvery}
	handle := c.ScheduleClient().GetHandle(ctx, sw.id)
	_, err := handle.Describe(ctx)
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return handle.Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				schedule := in.Description.Schedule
				schedule.Spec, schedule.Action, schedule.Policy = &spec, action, &policy
				return &client.ScheduleUpdate{Schedule: &schedule}, nil
			},
		})
	case !errors.As(err, &notFound):
		return err
	}
	_, err = c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: sw.id, Spec: spec, Action: action, Overlap: policy.Overlap, CatchupWindow: policy.CatchupWindow,
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) { // another worker created it meanwhile
		return nil
	}
	return err
}
