package workflows

import (
	"fmt"
	"reflect"
	"time"

	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// RenewalRunWorkflow is the registered name of the renewal run, the sweep a
// Temporal Schedule starts daily at 03:00 in the business time zone.
const RenewalRunWorkflow = "RenewalRun"

// Statuses of a renewal run.
const (
	RenewalRunning   = "running"
	RenewalCompleted = "completed"
)

// Defaults of a renewal run.
const (
	DefaultRenewalBatch = 1000 // groups one activity renews
	// defaultBatchesPerRun bounds the batches (and so the history) of one
	// workflow run before it continues as new.
	defaultBatchesPerRun = 20
	// maxFailuresShown bounds the failed groups the case's details list;
	// every failure is in the timeline event of its batch.
	maxFailuresShown = 100
)

// RenewalRunInput starts a renewal run; the schedule starts it empty.
type RenewalRunInput struct {
	// BatchSize is how many groups one activity renews (0: the default).
	BatchSize int `json:"batch_size,omitempty"`
	// StepsPerRun bounds the batches one workflow run records before it
	// continues as new (0: the default).
	StepsPerRun int `json:"steps_per_run,omitempty"`
	// Resume is the state a previous run carried over (continue-as-new).
	Resume *Resumed[RenewalRunDetails] `json:"resume,omitempty"`
}

// RenewalRunDetails is the renewal run's own part of the case: its counts
// and the groups it could not renew.
type RenewalRunDetails struct {
	AsOf            time.Time                 `json:"as_of" doc:"The instant the run renews as of: groups expiring within 7 days of it are due"`
	Expired         int                       `json:"expired" doc:"Resources whose expiry policy applied (expired unrenewed)"`
	Renewed         int                       `json:"renewed" doc:"Groups renewed and charged"`
	RetriedForFunds int                       `json:"retried_for_funds" doc:"Groups whose payer was short of funds; the next day's run tries again until expiry"`
	Skipped         map[string]int            `json:"skipped" doc:"Groups skipped, by reason (in_unpaid_order, no_payer_account, already_renewed, not_renewable, auto_renewal_off)"`
	Failed          int                       `json:"failed" doc:"Groups that failed"`
	Failures        []activities.GroupFailure `json:"failures" doc:"The failed groups and why (the first 100; each batch's event lists all of its own)"`
	Batches         int                       `json:"batches"`
	Cursor          *rules.DueGroup           `json:"cursor,omitempty" doc:"The last group reached"`
}

// RenewalScheduleID is the schedule of the daily renewal run.
const RenewalScheduleID = "partnerops-renewal-run"

// RenewalCatchUp is how late a missed 03:00 renewal run still starts: the
// same business morning.
const RenewalCatchUp = 6 * time.Hour

// renewalRunProcess declares the renewal run: no actions, started daily.
var renewalRunProcess = Process{
	Kind: cases.KindRenewalRun, Workflow: RenewalRunWorkflow, Run: RenewalRun,
	Statuses: []Status{
		{Name: RenewalRunning, Start: true, WaitsOn: System, Next: []string{RenewalCompleted}},
		{Name: RenewalCompleted, Final: true},
	},
	Schema: "RenewalRunCase", Details: reflect.TypeFor[RenewalRunDetails](),
	Subject: subjectOf(func(d RenewalRunDetails) string { return d.AsOf.UTC().Format("2006-01-02") }),
	Description: "A renewal run: the daily sweep (03:00 in the business time zone) that applies the expiry policy of every " +
		"resource that expired unrenewed, then renews, in bounded batches, every group whose primary has auto-renewal on and " +
		"expires within 7 days of details.as_of. It is running until every due group was reached, then completed (final); " +
		"details count what it renewed, retried for lack of funds, skipped (by reason) and failed. It takes no actions.",
	Schedule: &Schedule{ID: RenewalScheduleID, Hour: rules.RenewalHour, CatchUp: RenewalCatchUp, Input: RenewalRunInput{}},
}

type renewalRun struct {
	caseState
	details RenewalRunDetails
}

// RenewalRun is one renewal sweep, a case of kind renewal_run: it applies
// the expiry policy of every resource that expired unrenewed, then renews,
// a bounded batch at a time in keyset order, every group whose primary has
// auto-renewal on and expires within 7 days, and continues as new every few
// batches so its history stays bounded. It takes no actions.
func RenewalRun(ctx workflow.Context, in RenewalRunInput) (string, error) {
	info := workflow.GetInfo(ctx)
	start := now(ctx)
	r := &renewalRun{caseState: caseState{
		id: info.WorkflowExecution.ID, kind: cases.KindRenewalRun, status: RenewalRunning,
		createdAt: start, updatedAt: start,
	}}
	steps := in.StepsPerRun
	if steps <= 0 {
		steps = defaultBatchesPerRun
	}
	r.details = resume(&r.caseState, in.Resume, RenewalRunDetails{AsOf: start, Skipped: map[string]int{}, Failures: []activities.GroupFailure{}}, steps)
	r.createdAt = r.details.AsOf // the run's first instant, whichever run of the workflow this is
	size := in.BatchSize
	if size <= 0 {
		size = DefaultRenewalBatch
	}
	return r.live(ctx, life{
		details: func() any { return r.details },
		first:   firstRun(in.Resume, r.applyExpiryPolicies),
		wait:    func(ctx workflow.Context) error { return r.renewBatch(ctx, size) },
		next: func() any {
			next := in
			next.Resume = carry(&r.caseState, r.details)
			return next
		},
	})
}

// applyExpiryPolicies is a run's first step: it applies the expiry policy
// of every resource that expired unrenewed.
func (r *renewalRun) applyExpiryPolicies(ctx workflow.Context) error {
	if err := r.record(ctx, r.details, step{event: "started", actor: cases.System,
		detail: map[string]any{"as_of": r.details.AsOf}}); err != nil {
		return err
	}
	expired, err := applyExpiryPolicies.run(ctx, r.details.AsOf)
	if err != nil {
		return err
	}
	r.details.Expired = expired
	return r.record(ctx, r.details, step{event: "expiry_policies_applied", actor: cases.System,
		detail: map[string]any{"resources": expired}})
}

// renewBatch renews the next batch of due groups (the run's every step),
// and completes the run once no group is left.
func (r *renewalRun) renewBatch(ctx workflow.Context, size int) error {
	out, err := renewDueGroups.run(ctx, activities.RenewBatch{RunID: r.id, AsOf: r.details.AsOf, After: r.details.Cursor, Limit: size})
	if err != nil {
		return err
	}
	r.add(out)
	if !out.Done {
		return r.record(ctx, r.details, r.batchStep(out))
	}
	r.status = RenewalCompleted
	last := r.batchStep(out)
	last.event = "completed"
	last.notifications = []cases.Notification{{Audience: cases.AudienceOps, Kind: "renewal_run_completed", Message: fmt.Sprintf(
		"Renewal run %s: %d groups renewed, %d retried for lack of funds, %d skipped, %d failed; %d resources expired.",
		r.id, r.details.Renewed, r.details.RetriedForFunds, sum(r.details.Skipped), r.details.Failed, r.details.Expired)}}
	return r.record(ctx, r.details, last)
}

// add counts a batch's outcome into the run's.
func (r *renewalRun) add(out activities.BatchOutcome) {
	d := &r.details
	d.Batches++
	d.Renewed += out.Renewed
	d.RetriedForFunds += out.RetriedForFunds
	for reason, n := range out.Skipped {
		d.Skipped[reason] += n
	}
	d.Failed += len(out.Failures)
	d.Failures = append(d.Failures, out.Failures[:min(len(out.Failures), maxFailuresShown-len(d.Failures))]...)
	if out.Last != nil {
		d.Cursor = out.Last
	}
}

// batchStep is the timeline event of a batch: its own counts and every
// group it could not renew.
func (r *renewalRun) batchStep(out activities.BatchOutcome) step {
	detail := map[string]any{
		"renewed": out.Renewed, "retried_for_funds": out.RetriedForFunds, "failed": len(out.Failures),
		"skipped": out.Skipped, "batch": r.details.Batches,
	}
	if len(out.Failures) > 0 {
		detail["failures"] = out.Failures
	}
	return step{event: "batch_renewed", actor: cases.System, detail: detail}
}

func sum(counts map[string]int) int {
	total := 0
	for _, n := range counts {
		total += n
	}
	return total
}

// batchContext gives a batch activity room for its batch, a heartbeat that
// notices a dead worker within a minute, and unlimited retries: a retry
// resumes from the last heartbeat, and renews nothing twice.
func batchContext(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         retries,
	})
}
