package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// activityStub is one activity as the workflows call it, typed: its function,
// its input and its result, and how it runs (a local activity, or with
// its own options). Each activity's options are set here, once.
type activityStub[In, Out any] struct {
	fn    any
	local bool // runs in the workflow task (localActivityContext)
	// options are a remote attempt's (activityContext when nil).
	options func(workflow.Context) workflow.Context
}

// none is the result of an activity that answers only an error.
type none struct{}

// run runs the activity on in, as it is declared to run.
func (a activityStub[In, Out]) run(ctx workflow.Context, in In) (Out, error) {
	return a.runAs(ctx, in, a.local)
}

// runAs runs the activity on in, locally or not: for a run on either side
// of a patch that moved it. A local attempt that fails with an error a retry
// can heal (the database away for longer than the local activity's
// schedule-to-close) runs again as a normal activity, whose retries are
// unlimited (patch outlast-outage): only an error no retry heals fails the
// step. Every activity is idempotent, so running it again is harmless.
func (a activityStub[In, Out]) runAs(ctx workflow.Context, in In, local bool) (Out, error) {
	var out Out
	var result any = &out
	if _, nothing := any(out).(none); nothing {
		result = nil
	}
	if local {
		err := workflow.ExecuteLocalActivity(localActivityContext(ctx), a.fn, in).Get(ctx, result)
		if err == nil || !transient(err) || !patched(ctx, patchOutlastOutage) {
			return out, err
		}
	}
	options := a.options
	if options == nil {
		options = activityContext
	}
	return out, workflow.ExecuteActivity(options(ctx), a.fn, in).Get(ctx, result)
}

// The activities the case workflows call. The receivers are nil: Temporal
// takes an activity's name from its method, and the worker registers the
// real ones (worker/worker.go).
var (
	recordTransition  = activityStub[cases.Transition, none]{fn: (*activities.Cases)(nil).RecordTransition, local: true, options: activityContext}
	dueAt             = activityStub[activities.DueAtRequest, time.Time]{fn: (*activities.Calendar)(nil).DueAt, options: activityContext}
	checkBusinessInfo = activityStub[activities.CheckRequest, []rules.FieldError]{fn: (*activities.Certification)(nil).CheckBusinessInfo, local: true, options: activityContext}

	debit         = activityStub[activities.Movement, none]{fn: (*activities.Payments)(nil).Debit, options: activityContext}
	refund        = activityStub[activities.Movement, none]{fn: (*activities.Payments)(nil).Refund, options: activityContext}
	markOrderPaid = activityStub[activities.Movement, none]{fn: (*activities.Payments)(nil).MarkOrderPaid, options: activityContext}
	handBackOrder = activityStub[string, none]{fn: (*activities.Payments)(nil).HandBackOrder, options: activityContext}
	cancelOrder   = activityStub[string, none]{fn: (*activities.Payments)(nil).CancelOrder, options: activityContext}

	checkInvoice = activityStub[activities.InvoiceCheckRequest, []rules.InvoiceProblem]{fn: (*activities.Incentives)(nil).CheckInvoice, local: true}
	payOut       = activityStub[activities.Payout, none]{fn: (*activities.Incentives)(nil).PayOut, options: activityContext}

	checkOpportunity        = activityStub[activities.OpportunityCheckRequest, activities.OpportunityCheck]{fn: (*activities.Opportunities)(nil).CheckOpportunity, local: true}
	settleVendorOpportunity = activityStub[activities.InvitationAnswer, none]{fn: (*activities.Opportunities)(nil).SettleVendorOpportunity, local: true}

	checkExitObligations = activityStub[activities.ObligationsRequest, []rules.ExitObligation]{fn: (*activities.PartnerExit)(nil).CheckExitObligations, options: activityContext}
	endPartnerExit       = activityStub[activities.ExitOutcome, none]{fn: (*activities.PartnerExit)(nil).EndPartnerExit, options: activityContext}
	completePartnerExit  = activityStub[activities.ExitOutcome, []rules.ExitObligation]{fn: (*activities.PartnerExit)(nil).CompletePartnerExit, options: activityContext}

	decideAssociation = activityStub[activities.AssociationDecision, none]{fn: (*activities.Associations)(nil).DecideAssociation, local: true}

	applyExpiryPolicies = activityStub[time.Time, int]{fn: (*activities.Renewals)(nil).ApplyExpiryPolicies, options: batchContext}
	renewDueGroups      = activityStub[activities.RenewBatch, activities.BatchOutcome]{fn: (*activities.Renewals)(nil).RenewDueGroups, options: batchContext}
)
