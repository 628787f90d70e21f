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

	"partnerops/rules"
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
const RenewalScheduleID = "partnerops-renewal-run"

// RenewalCatchUp is how late a missed 03:00 renewal run still starts: the
// same business morning.
const RenewalCatchUp = 6 * time.Hour

// sweeps are the schedules every worker makes sure exist: two every
// minute, and the renewal run daily at 03:00 in the business time zone.
func sweeps(loc *time.Location) []sweep {
	everyMinute := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: sweepEvery}}}
	return []sweep{
		{id: "partnerops-start-pending-cases", workflow: workflows.StartPendingCasesWorkflow, spec: everyMinute, catchUp: sweepEvery},
		{id: "partnerops-cancel-overdue-orders", workflow: workflows.CancelOverdueOrdersWorkflow, spec: everyMinute, catchUp: sweepEvery},
		{id: RenewalScheduleID, workflow: workflows.RenewalRunWorkflow, args: []any{workflows.RenewalRunInput{}},
			spec: client.ScheduleSpec{
				Calendars:    []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: rules.RenewalHour}}}},
				TimeZoneName: loc.String(),
			}, catchUp: RenewalCatchUp},
	}
}

const sweepEvery = time.Minute

// EnsureSchedules creates each sweep's schedule, or brings an existing one
// to the current spec, so that a worker's restart (or several workers
// starting at once) never duplicates one. A run still going when the next
// is due makes that next one skip. loc is the business time zone.
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string, loc *time.Location) error {
	for _, sw := range sweeps(loc) {
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
