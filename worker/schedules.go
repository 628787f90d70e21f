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

// sweep is a workflow a Temporal Schedule runs.
type sweep struct {
	id       string // the schedule's ID, and the prefix of its runs' workflow IDs
	workflow string
	args     []any
	spec     client.ScheduleSpec
	// catchUp is how late a run the server missed (it was down) may still start.
	catchUp time.Duration
}

// RenewalScheduleID is the schedule of the daily renewal run.
const RenewalScheduleID = workflows.RenewalScheduleID

// sweeps are the schedules every worker makes sure exist: two every
// minute, and the daily schedule of every process that declares one (the
// renewal run's at 03:00), in the business time zone.
func sweeps(loc *time.Location, catalog workflows.Catalog) []sweep {
	everyMinute := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: sweepEvery}}}
	out := []sweep{
		{id: "partnerops-start-pending-cases", workflow: workflows.StartPendingCasesWorkflow, spec: everyMinute, catchUp: sweepEvery},
		{id: "partnerops-cancel-overdue-orders", workflow: workflows.CancelOverdueOrdersWorkflow, spec: everyMinute, catchUp: sweepEvery},
	}
	for _, p := range catalog {
		if sch := p.Schedule; sch != nil {
			out = append(out, sweep{id: sch.ID, workflow: p.Workflow, args: []any{sch.Input},
				spec: client.ScheduleSpec{
					Calendars:    []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: sch.Hour}}}},
					TimeZoneName: loc.String(),
				}, catchUp: sch.CatchUp})
		}
	}
	return out
}

const sweepEvery = time.Minute

// EnsureSchedules creates each sweep's schedule, or brings an existing one
// to the current spec, so that a worker's restart (or several workers
// starting at once) never duplicates one. A run still going when the next
// is due makes that next one skip. loc is the business time zone.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string, loc *time.Location) error {
	for _, sw := range sweeps(loc, workflows.Declared()) {
		if err := ensureSchedule(ctx, c, sw, taskQueue); err != nil {
			return fmt.Errorf("schedule %s: %w", sw.id, err)
		}
	}
	return nil
}

// TriggerRenewals starts a renewal run now through its schedule (which
// skips it while a run is going).
func TriggerRenewals(ctx context.Context, c client.Client) error {
	return c.ScheduleClient().GetHandle(ctx, RenewalScheduleID).Trigger(ctx, client.ScheduleTriggerOptions{})
}

func ensureSchedule(ctx context.Context, c client.Client, sw sweep, taskQueue string) error {
	spec := sw.spec
	action := &client.ScheduleWorkflowAction{ID: sw.id, Workflow: sw.workflow, Args: sw.args, TaskQueue: taskQueue}
	policy := client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: sw.catchUp}
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
