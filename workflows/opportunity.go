package workflows

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// OpportunityWorkflow is the registered name of the opportunity process.
const OpportunityWorkflow = "Opportunity"

// Statuses of an opportunity case.
const (
	OpportunityChecking       = "checking"        // the validity rules run; nobody can act
	OpportunityActionRequired = "action_required" // the partner edits and resubmits (findings or reviewer comments say what)
	OpportunityInReview       = "in_review"       // ops review it, under the review SLA
	OpportunityApproved       = "approved"        // the partner moves it through its stages
	OpportunityRejected       = "rejected"        // done: ops rejected it with a reason code
	OpportunityWon            = "won"             // done: the customer signed
	OpportunityLost           = "lost"            // done: lost, with a reason
	// A vendor opportunity shared with the partner: it accepts or declines by the expiry.
	OpportunityInvited   = "invited"
	OpportunityAccepting = "accepting" // the vendor opportunity is being given to the partner; nobody can act
	OpportunityDeclined  = "declined"  // done: the partner declined the invitation, with a reason
	OpportunityExpired   = "expired"   // done: the invitation was not answered in time
	// Ending before approval.
	OpportunityInvalid   = "invalid"   // done: not fixed within the fix window (judged invalid, 判定无效)
	OpportunityWithdrawn = "withdrawn" // done: the partner withdrew it before approval
	OpportunityClosed    = "closed"    // done: ops closed it while it waited for the partner's fix, with a reason
)

// Origins of an opportunity.
const (
	OriginPartner = "partner" // partner-originated (PO): the partner registered it
	OriginVendor  = "vendor"  // vendor-originated (HO): ops shared it with the partner
)

// Stages of an approved opportunity; won and lost are final.
const (
	StageQualified           = "qualified"
	StageTechnicalValidation = "technical_validation"
	StageBusinessValidation  = "business_validation"
	StageCommitted           = "committed"
	StageWon                 = "won"
	StageLost                = "lost"
)

// OpportunityStages lists the stages in their order: an approved
// opportunity moves to the next one only, and to lost from any.
func OpportunityStages() []string {
	return []string{StageQualified, StageTechnicalValidation, StageBusinessValidation, StageCommitted, StageWon, StageLost}
}

// ClosedLostReasons are the reason codes of a lost opportunity (AWS Partner
// Central's ClosedLostReason, as partners' CRMs know them).
func ClosedLostReasons() []string {
	return []string{"customer_deficiency", "delay_or_cancellation_of_project", "legal_tax_regulatory", "lost_to_competitor",
		"no_opportunity", "on_premises_deployment", "partner_gap", "price", "security_compliance", "technical_limitations", "other"}
}

// ChangeReasons are the reason codes of ops' request_changes: a validity
// rule the reviewer finds unmet, or other.
func ChangeReasons() []string {
	return []string{rules.ReasonNoCustomerContact, rules.ReasonNoBudgetOrTimeline, rules.ReasonNoIncrementalRevenue,
		rules.ReasonVagueDescription, RejectOther}
}

// Reason codes of an ops rejection.
const (
	RejectDuplicate                       = "duplicate"
	RejectCustomerEngagedByAnotherPartner = "customer_engaged_by_another_partner"
	RejectNotARealOpportunity             = "not_a_real_opportunity"
	RejectOther                           = "other"
)

// OpportunityRejectReasons lists the reason codes of a rejection.
func OpportunityRejectReasons() []string {
	return []string{RejectDuplicate, RejectCustomerEngagedByAnotherPartner, RejectNotARealOpportunity, RejectOther}
}

// Actions on an opportunity case besides approve, reject, resubmit and
// accept (the invited partner takes it; ActionAccept, shared with ops
// accepting an incentive invoice).
const (
	ActionRequestChanges    = "request_changes"
	ActionAdvance           = "advance"
	ActionDeclineInvitation = "decline"
	ActionClose             = "close" // ops close a case waiting for the partner (an opportunity to fix, an overdue settlement)
	// the partner withdraws its opportunity before approval: ActionWithdraw
)

// OpportunityInput starts an opportunity case: a partner's registration,
// or ops' invitation of a partner to a vendor opportunity.
type OpportunityInput struct {
	CaseID    string      `json:"case_id"`
	PartnerID string      `json:"partner_id"`
	Origin    string      `json:"origin"`
	Submitter cases.Actor `json:"submitter"`
	// Opportunity is as the partner sees it: a vendor one without its contact.
	Opportunity rules.Opportunity `json:"opportunity"`
	// Contact is a vendor opportunity's contact, shown once the partner accepts.
	Contact             *rules.CustomerContact `json:"contact,omitempty"`
	VendorOpportunityID string                 `json:"vendor_opportunity_id,omitempty"`
	InvitationExpiresAt time.Time              `json:"invitation_expires_at,omitzero"`
	// ReviewSLA is the policy of ops' review ("2wd"), fixed at start.
	ReviewSLA string `json:"review_sla"`
	// FixWindow is how long the partner has to fix an action_required
	// opportunity ("10wd", rules.DefaultOpportunityFixWindow if empty).
	FixWindow string    `json:"fix_window,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// StepsPerRun bounds the transitions one run records before it
	// continues as new; zero is the default.
	StepsPerRun int `json:"steps_per_run,omitempty"`
	// Resume is the state a previous run carried over (continue-as-new).
	Resume *Resumed[OpportunityDetails] `json:"resume,omitempty"`
}

// InitialStatus is the status the case starts in.
func (in OpportunityInput) InitialStatus() string {
	if in.Origin == OriginVendor {
		return OpportunityInvited
	}
	return OpportunityChecking
}

// Details are the case's details when it starts: what the read model's
// first row and the workflow both show.
func (in OpportunityInput) Details() OpportunityDetails {
	d := OpportunityDetails{Origin: in.Origin, Opportunity: in.Opportunity.Normalized(), VendorOpportunityID: in.VendorOpportunityID}
	if in.Origin == OriginVendor {
		expires := in.InvitationExpiresAt
		d.InvitationExpiresAt = &expires
		d.Opportunity.Contact = nil
	} else {
		d.Submissions = 1
	}
	return d
}

// OpportunityDetails is the opportunity's own part of the case.
type OpportunityDetails struct {
	Origin      string            `json:"origin" enum:"partner,vendor" doc:"partner: registered by the partner (PO); vendor: shared by ops (HO)"`
	Opportunity rules.Opportunity `json:"opportunity" doc:"The opportunity; a vendor one shows its contact only once accepted"`
	Submissions int               `json:"submissions,omitempty" doc:"How many times the partner submitted it"`
	// Findings are the validity rules the last submission failed, and
	// Reasons their codes.
	Findings []rules.Finding `json:"findings,omitempty" doc:"What the automatic checks found wrong in the last submission"`
	Reasons  []string        `json:"reasons,omitempty" doc:"The reason codes of the findings"`
	// LikelyDuplicate: another partner has an open or won opportunity for
	// the same customer (ops' notification names the cases).
	LikelyDuplicate bool                  `json:"likely_duplicate,omitempty" doc:"Another partner has an open or won opportunity for the same customer (by certificate number or name)"`
	ReviewComments  string                `json:"review_comments,omitempty" doc:"What the reviewer asked to change (request_changes)"`
	Rejection       *OpportunityRejection `json:"rejection,omitempty"`
	Stage           string                `json:"stage,omitempty" enum:"qualified,technical_validation,business_validation,committed,won,lost" doc:"Once approved: where the deal stands"`
	LostReason      string                `json:"lost_reason,omitempty"`
	LostReasonCode  string                `json:"lost_reason_code,omitempty" doc:"Why it was lost: one of ClosedLostReasons"`
	// ChangeReasonCode is the code of ops' request_changes.
	ChangeReasonCode string `json:"change_reason_code,omitempty" doc:"Why the reviewer asked for changes (request_changes)"`
	// While action_required: the fix window's end, and when the partner is
	// reminded of it (absent once reminded).
	FixBy         *time.Time `json:"fix_by,omitempty" doc:"While action_required: fixed and resubmitted by then, or the opportunity closes invalid"`
	FixReminderAt *time.Time `json:"fix_reminder_at,omitempty" doc:"While action_required: when the partner is reminded of fix_by (absent once reminded)"`
	ClosingReason string     `json:"closing_reason,omitempty" doc:"Why it ended before approval: withdrawn by the partner or closed by ops"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	// A vendor opportunity's invitation.
	VendorOpportunityID string     `json:"vendor_opportunity_id,omitempty"`
	InvitationExpiresAt *time.Time `json:"invitation_expires_at,omitempty" doc:"While invited: when the invitation expires unanswered"`
	// InvitationReminderAt: while invited, when the partner is reminded
	// that the invitation expires (absent once reminded).
	InvitationReminderAt *time.Time `json:"invitation_reminder_at,omitempty" doc:"While invited: when the partner is reminded that the invitation expires (absent once reminded)"`
	DeclineReason        string     `json:"decline_reason,omitempty"`
}

// OpportunityRejection is ops' final rejection.
type OpportunityRejection struct {
	ReasonCode string `json:"reason_code" enum:"duplicate,customer_engaged_by_another_partner,not_a_real_opportunity,other"`
	Reason     string `json:"reason"`
}

// Inputs of the opportunity's actions.
type (
	// OpportunityRejectInput is the input of reject.
	OpportunityRejectInput struct {
		ReasonCode string `json:"reason_code" enum:"duplicate,customer_engaged_by_another_partner,not_a_real_opportunity,other"`
		Reason     string `json:"reason"`
	}
	// RequestChangesInput is the input of request_changes.
	RequestChangesInput struct {
		ReasonCode string `json:"reason_code" enum:"no_customer_contact,no_budget_or_timeline,no_incremental_revenue,vague_description,other" doc:"What the partner must fix"`
		Comments   string `json:"comments"`
	}
	// AdvanceInput is the input of advance: the new stage (the next one,
	// or lost with its reason code and text).
	AdvanceInput struct {
		Stage          string `json:"stage"`
		LostReasonCode string `json:"lost_reason_code,omitempty" enum:"customer_deficiency,delay_or_cancellation_of_project,legal_tax_regulatory,lost_to_competitor,no_opportunity,on_premises_deployment,partner_gap,price,security_compliance,technical_limitations,other" doc:"When lost: why (AWS Partner Central's ClosedLostReason)"`
		LostReason     string `json:"lost_reason,omitempty"`
	}
	// ClosingInput is the input of withdraw (reason optional) and close
	// (reason required).
	ClosingInput struct {
		Reason string `json:"reason,omitempty"`
	}
)

// opportunityProcess declares the opportunity.
var opportunityProcess = Process{
	Kind: cases.KindOpportunity, Workflow: OpportunityWorkflow, Run: Opportunity,
	Statuses: []Status{
		{Name: OpportunityChecking, Start: true, WaitsOn: System, Next: []string{OpportunityInReview, OpportunityActionRequired}},
		{Name: OpportunityActionRequired, WaitsOn: Partner, Next: []string{OpportunityInvalid}},
		{Name: OpportunityInReview, WaitsOn: Ops},
		{Name: OpportunityApproved, WaitsOn: Partner},
		{Name: OpportunityRejected, Final: true},
		{Name: OpportunityWon, Final: true},
		{Name: OpportunityLost, Final: true},
		{Name: OpportunityInvited, Start: true, WaitsOn: Partner, Next: []string{OpportunityExpired}},
		{Name: OpportunityAccepting, WaitsOn: System, Next: []string{OpportunityApproved}},
		{Name: OpportunityDeclined, Final: true},
		{Name: OpportunityExpired, Final: true},
		{Name: OpportunityInvalid, Final: true},
		{Name: OpportunityWithdrawn, Final: true},
		{Name: OpportunityClosed, Final: true},
	},
	Actions: opportunityActions.static(),
	Schema:  "OpportunityCase", Details: reflect.TypeFor[OpportunityDetails](),
	Subject: subjectOf(func(d OpportunityDetails) string {
		return joined(d.Opportunity.Customer.Name, strings.Join(d.Opportunity.Products, ", "))
	}),
	Description: "An opportunity case. Origin partner (PO): it starts in checking while the validity rules run; every failed rule is " +
		"named in details.findings with its reason code (no_customer_contact, no_budget_or_timeline, no_incremental_revenue, " +
		"vague_description) and the case is action_required, where the partner resubmits the whole opportunity (back to checking), " +
		"any number of times, until details.fix_by (the fix window, reminded at details.fix_reminder_at): unfixed, it closes invalid, " +
		"final, with the failed rules. Ops may close an action_required one with a reason (closed, final); the partner may withdraw one " +
		"not yet approved (withdrawn, final). One that passes is in_review, due by sla.due_at (the review SLA on the business calendar; missed: " +
		"sla.breached and a supervisor notified); details.likely_duplicate flags another partner's open or won opportunity for the " +
		"same customer. Ops approve (approved, stage qualified), request_changes with a reason_code (one of the four rules, or other) " +
		"and comments (action_required) or reject with a " +
		"reason_code (duplicate, customer_engaged_by_another_partner, not_a_real_opportunity, other) and a reason (rejected, final). " +
		"Origin vendor (HO): ops shared a vendor opportunity; it is invited until details.invitation_expires_at (then expired, final; " +
		"the partner is reminded at details.invitation_reminder_at, a day before or halfway through a shorter invitation), " +
		"shown without the customer's contact; the partner accepts (accepting, then approved with the contact shown) or declines with " +
		"a reason (declined, final); declined or expired, the vendor opportunity is available to ops again. Approved, the partner " +
		"advances it through its stages in order (qualified, technical_validation, business_validation, committed, won), or to lost " +
		"from any with a lost_reason_code (AWS Partner Central's ClosedLostReason) and a lost_reason; won and lost are final.",
}

// opportunityActions is who may do what, when, and with which step.
var opportunityActions = table[*opportunity]{
	act[*opportunity, rules.Opportunity]{actionSpec: actionSpec{ActionResubmit, cases.PartnerRoles, []string{OpportunityActionRequired}, []string{OpportunityChecking}},
		check: validInput[rules.Opportunity], step: (*opportunity).resubmit},
	act[*opportunity, noInput]{actionSpec: actionSpec{ActionApprove, cases.StaffRoles, []string{OpportunityInReview}, []string{OpportunityApproved}},
		step: (*opportunity).approve},
	act[*opportunity, RequestChangesInput]{actionSpec: actionSpec{ActionRequestChanges, cases.StaffRoles, []string{OpportunityInReview}, []string{OpportunityActionRequired}},
		check: checkRequestChanges, step: (*opportunity).requestChanges},
	act[*opportunity, OpportunityRejectInput]{actionSpec: actionSpec{ActionReject, cases.StaffRoles, []string{OpportunityInReview}, []string{OpportunityRejected}},
		check: checkOpportunityReject, step: (*opportunity).reject},
	act[*opportunity, AdvanceInput]{actionSpec: actionSpec{ActionAdvance, cases.PartnerRoles, []string{OpportunityApproved},
		[]string{OpportunityApproved, OpportunityWon, OpportunityLost}},
		check: checkAdvance, checkCase: (*opportunity).checkStage, claim: advancedStatus, step: (*opportunity).advance},
	act[*opportunity, noInput]{actionSpec: actionSpec{ActionAccept, cases.PartnerRoles, []string{OpportunityInvited}, []string{OpportunityAccepting}},
		step: (*opportunity).accept},
	act[*opportunity, DeclineInput]{actionSpec: actionSpec{ActionDeclineInvitation, cases.PartnerRoles, []string{OpportunityInvited}, []string{OpportunityDeclined}},
		check: checkDeclineInput, step: (*opportunity).decline},
	act[*opportunity, ClosingInput]{actionSpec: actionSpec{ActionWithdraw, cases.PartnerRoles, []string{OpportunityActionRequired, OpportunityInReview}, []string{OpportunityWithdrawn}},
		check: checkWithdraw, step: (*opportunity).withdraw},
	act[*opportunity, ClosingInput]{actionSpec: actionSpec{ActionClose, cases.StaffRoles, []string{OpportunityActionRequired}, []string{OpportunityClosed}},
		check: checkClose, step: (*opportunity).close},
}

type opportunity struct {
	caseState
	details   OpportunityDetails
	reviewSLA string
	fixWindow string
	contact   *rules.CustomerContact
}

// Opportunity runs one opportunity. A partner's registration is checked
// by the validity rules: failures send it back to the partner
// (action_required, every finding with its reason code) to edit and
// resubmit, any number of times; a valid one waits for ops' review under
// the review SLA (a missed deadline marks the case breached and notifies a
// supervisor). Ops approve it, request changes, or reject it with a reason
// code (final). A vendor opportunity shared with the partner waits for its
// answer until the invitation expires; accepted, it is the partner's
// approved opportunity (its contact now shown); declined or expired, the
// vendor opportunity returns to ops. An approved opportunity moves through
// its stages until won or lost.
func Opportunity(ctx workflow.Context, in OpportunityInput) (string, error) {
	o := &opportunity{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindOpportunity, partnerID: in.PartnerID,
			status: in.InitialStatus(), createdAt: in.CreatedAt, updatedAt: in.CreatedAt,
		},
		reviewSLA: in.ReviewSLA,
		fixWindow: cmp.Or(in.FixWindow, rules.DefaultOpportunityFixWindow),
		contact:   in.Contact,
	}
	o.details = resume(&o.caseState, in.Resume, in.Details(), in.StepsPerRun)
	return o.live(ctx, life{
		actions: opportunityActions.bind(o), details: func() any { return o.details },
		first: firstRun(in.Resume, func(ctx workflow.Context) error {
			if in.Origin != OriginVendor {
				return o.check(ctx, step{event: "submitted", actor: in.Submitter})
			}
			if patched(ctx, patchInvitationReminder) {
				remind := rules.InvitationReminderAt(in.CreatedAt, in.InvitationExpiresAt)
				o.details.InvitationReminderAt = &remind
			}
			return o.record(ctx, o.details, step{
				event: "invited", actor: in.Submitter,
				detail: map[string]any{"vendor_opportunity_id": in.VendorOpportunityID, "expires_at": in.InvitationExpiresAt},
				notifications: []cases.Notification{{
					Audience: cases.AudiencePartner, Kind: "opportunity_invitation",
					Message: fmt.Sprintf("The vendor shares an opportunity with you (%s, %s): accept or decline it on case %s by %s.",
						o.details.Opportunity.Customer.Name, o.details.Opportunity.Customer.Industry, o.id, in.InvitationExpiresAt.Format(time.RFC3339)),
				}},
			})
		}),
		wait: o.wait,
		next: func() any {
			next := in
			next.Resume = carry(&o.caseState, o.details)
			return next
		},
	})
}

// wait waits for the case to move: the review's deadline, the
// invitation's expiry, the fix window's reminder and end, or any action.
func (o *opportunity) wait(ctx workflow.Context) error {
	changed := o.moved()
	switch {
	case o.status == OpportunityActionRequired && o.details.FixReminderAt != nil:
		return awaitDeadline(ctx, *o.details.FixReminderAt, changed, o.remindFix)
	case o.status == OpportunityActionRequired && o.details.FixBy != nil:
		return awaitDeadline(ctx, *o.details.FixBy, changed, o.invalidate)
	case o.status == OpportunityInReview && o.sla != nil && !o.sla.Breached:
		return awaitDeadline(ctx, o.sla.DueAt, changed, o.breach)
	case o.status == OpportunityInvited && o.details.InvitationReminderAt != nil:
		return awaitDeadline(ctx, *o.details.InvitationReminderAt, changed, o.remindInvitation)
	case o.status == OpportunityInvited:
		return awaitDeadline(ctx, *o.details.InvitationExpiresAt, changed, o.expire)
	default:
		return workflow.Await(ctx, changed)
	}
}

// check records how the submission came in, runs the validity rules and
// the duplicate look-up, and moves the case back to the partner or to
// review (its deadline computed on the business calendar while the case is
// still checking, so nobody acts on a review without a deadline).
func (o *opportunity) check(ctx workflow.Context, submitted step) error {
	o.status = OpportunityChecking
	o.details.Findings, o.details.Reasons, o.details.ReviewComments, o.details.LikelyDuplicate = nil, nil, "", false
	o.details.ChangeReasonCode, o.details.FixBy, o.details.FixReminderAt = "", nil, nil
	submitted.detail = map[string]any{"submission": o.details.Submissions}
	if err := o.record(ctx, o.details, submitted); err != nil {
		return err
	}
	req := activities.OpportunityCheckRequest{CaseID: o.id, PartnerID: o.partnerID, Opportunity: o.details.Opportunity, At: now(ctx)}
	checked, err := checkOpportunity.run(ctx, req)
	if err != nil {
		return err
	}
	if len(checked.Findings) > 0 {
		if err := o.openFixWindow(ctx); err != nil {
			return err
		}
		o.status = OpportunityActionRequired
		o.details.Findings, o.details.Reasons = checked.Findings, rules.FindingReasons(checked.Findings)
		return o.record(ctx, o.details, step{
			event: "checks_failed", actor: cases.System,
			detail: map[string]any{"reasons": o.details.Reasons, "findings": checked.Findings, "fix_by": o.details.FixBy},
			notifications: []cases.Notification{{
				Audience: cases.AudiencePartner, Kind: "opportunity_action_required",
				Message: fmt.Sprintf("Your opportunity %s (%s) needs changes: %s. Edit and resubmit it%s.",
					o.id, o.details.Opportunity.Customer.Name, strings.Join(o.details.Reasons, ", "), o.fixByClause()),
			}},
		})
	}
	due, err := dueAt.run(ctx, activities.DueAtRequest{From: now(ctx), Policy: o.reviewSLA})
	if err != nil {
		return err
	}
	o.status = OpportunityInReview
	o.sla = &cases.SLA{DueAt: due}
	o.details.LikelyDuplicate = len(checked.Duplicates) > 0
	message := fmt.Sprintf("Opportunity %s of partner %s (%s) waits for review by %s.",
		o.id, o.partnerID, o.details.Opportunity.Customer.Name, due.Format(time.RFC3339))
	if o.details.LikelyDuplicate {
		message += " Likely duplicate of " + strings.Join(checked.Duplicates, ", ")
		if checked.MoreDuplicates > 0 {
			message += fmt.Sprintf(" and %d more", checked.MoreDuplicates)
		}
		message += " (the same customer with another partner)."
	}
	return o.record(ctx, o.details, step{
		event: "checks_passed", actor: cases.System,
		detail: map[string]any{"due_at": due, "likely_duplicate": o.details.LikelyDuplicate},
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "opportunity_to_review", Message: message,
		}},
	})
}

func (o *opportunity) resubmit(ctx workflow.Context, actor cases.Actor, in rules.Opportunity) error {
	o.details.Opportunity = in.Normalized()
	o.details.Submissions++
	return o.check(ctx, step{event: "resubmitted", actor: actor})
}

func (o *opportunity) approve(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	o.toStageOne(ctx)
	return o.record(ctx, o.details, step{
		event: "approved", actor: actor,
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "opportunity_approved",
			Message: fmt.Sprintf("Your opportunity %s (%s) is approved; move it through its stages as the deal progresses.",
				o.id, o.details.Opportunity.Customer.Name),
		}},
	})
}

// toStageOne makes the case an approved opportunity at its first stage.
func (o *opportunity) toStageOne(ctx workflow.Context) {
	at := now(ctx)
	o.status = OpportunityApproved
	o.details.Stage = StageQualified
	o.details.ApprovedAt = &at
}

func (o *opportunity) requestChanges(ctx workflow.Context, actor cases.Actor, in RequestChangesInput) error {
	comments := strings.TrimSpace(in.Comments)
	if err := o.openFixWindow(ctx); err != nil {
		o.status = OpportunityInReview
		return err
	}
	o.details.ReviewComments, o.details.ChangeReasonCode = comments, in.ReasonCode
	detail := map[string]any{"comments": comments}
	if in.ReasonCode != "" {
		detail["reason_code"] = in.ReasonCode
	}
	if o.details.FixBy != nil {
		detail["fix_by"] = o.details.FixBy
	}
	return o.record(ctx, o.details, step{
		event: "changes_requested", actor: actor, detail: detail,
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "opportunity_action_required",
			Message: fmt.Sprintf("The reviewer asks for changes to your opportunity %s (%s): %s%s", o.id, o.details.Opportunity.Customer.Name,
				comments, o.fixByClause()),
		}},
	})
}

// openFixWindow sets the action_required opportunity's fix window and
// its reminder on the business calendar (cases started before the fix
// window had none and wait for the partner as long as it takes).
func (o *opportunity) openFixWindow(ctx workflow.Context) error {
	if !patched(ctx, patchOpportunityFixWindow) {
		return nil
	}
	var cal *activities.Calendar
	var w activities.Window
	if err := workflow.ExecuteActivity(activityContext(ctx), cal.WindowAt, activities.DueAtRequest{From: now(ctx), Policy: o.fixWindow}).Get(ctx, &w); err != nil {
		return err
	}
	o.details.FixBy, o.details.FixReminderAt = &w.DueAt, &w.RemindAt
	return nil
}

// fixByClause is ", by <fix_by>" in a message to the partner, or "".
func (o *opportunity) fixByClause() string {
	if o.details.FixBy == nil {
		return ""
	}
	return ", by " + o.details.FixBy.Format(time.RFC3339) + ", or it closes as invalid"
}

// remindFix tells the partner the fix window is ending.
func (o *opportunity) remindFix(ctx workflow.Context) error {
	o.details.FixReminderAt = nil
	return o.record(ctx, o.details, step{
		event: "fix_reminder", actor: cases.System, detail: map[string]any{"fix_by": o.details.FixBy},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "opportunity_fix_reminder",
			Message: fmt.Sprintf("Your opportunity %s (%s) still needs changes: resubmit it%s.",
				o.id, o.details.Opportunity.Customer.Name, o.fixByClause()),
		}},
	})
}

// remindInvitation tells the partner the invitation it has not answered
// expires soon.
func (o *opportunity) remindInvitation(ctx workflow.Context) error {
	o.details.InvitationReminderAt = nil
	return o.record(ctx, o.details, step{
		event: "invitation_reminder", actor: cases.System, detail: map[string]any{"expires_at": o.details.InvitationExpiresAt},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "opportunity_invitation_expiring",
			Message: fmt.Sprintf("The vendor's invitation %s (%s) expires at %s: accept or decline it before then.",
				o.id, o.details.Opportunity.Customer.Name, o.details.InvitationExpiresAt.Format(time.RFC3339)),
		}},
	})
}

// invalidate closes an opportunity left unfixed past its fix window as
// invalid, with the rules it failed (or the reviewer's reason).
func (o *opportunity) invalidate(ctx workflow.Context) error {
	o.status = OpportunityInvalid
	why := strings.Join(o.details.Reasons, ", ")
	if why == "" {
		why = o.details.ChangeReasonCode + ": " + o.details.ReviewComments
	}
	return o.record(ctx, o.details, step{
		event: "judged_invalid", actor: cases.System,
		detail: map[string]any{"fix_by": o.details.FixBy, "reasons": o.details.Reasons, "findings": o.details.Findings},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "opportunity_invalid",
			Message: fmt.Sprintf("Your opportunity %s (%s) was not fixed by %s and is closed as invalid (%s).",
				o.id, o.details.Opportunity.Customer.Name, o.details.FixBy.Format(time.RFC3339), why),
		}},
	})
}

// withdraw ends the partner's opportunity before approval.
func (o *opportunity) withdraw(ctx workflow.Context, actor cases.Actor, in ClosingInput) error {
	return o.end(ctx, actor, "withdrawn", in.Reason, cases.AudienceOps,
		fmt.Sprintf("Partner %s withdrew opportunity %s (%s)", o.partnerID, o.id, o.details.Opportunity.Customer.Name))
}

// close ends an opportunity waiting for the partner's fix, for ops.
func (o *opportunity) close(ctx workflow.Context, actor cases.Actor, in ClosingInput) error {
	return o.end(ctx, actor, "closed", in.Reason, cases.AudiencePartner,
		fmt.Sprintf("Your opportunity %s (%s) was closed by the vendor", o.id, o.details.Opportunity.Customer.Name))
}

// end records an opportunity ended before approval (its status claimed),
// telling the other side why.
func (o *opportunity) end(ctx workflow.Context, actor cases.Actor, event, reason, audience, message string) error {
	reason = strings.TrimSpace(reason)
	o.details.ClosingReason, o.details.FixBy, o.details.FixReminderAt = reason, nil, nil
	if reason != "" {
		message += ": " + reason
	}
	return o.record(ctx, o.details, step{
		event: event, actor: actor, detail: map[string]any{"reason": reason},
		notifications: []cases.Notification{{Audience: audience, Kind: "opportunity_" + event, Message: message + "."}},
	})
}

func (o *opportunity) reject(ctx workflow.Context, actor cases.Actor, in OpportunityRejectInput) error {
	o.details.Rejection = &OpportunityRejection{ReasonCode: in.ReasonCode, Reason: strings.TrimSpace(in.Reason)}
	return o.record(ctx, o.details, step{
		event: "rejected", actor: actor, detail: map[string]any{"reason_code": in.ReasonCode, "reason": o.details.Rejection.Reason},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "opportunity_rejected",
			Message: fmt.Sprintf("Your opportunity %s (%s) is rejected (%s): %s", o.id, o.details.Opportunity.Customer.Name,
				in.ReasonCode, o.details.Rejection.Reason),
		}},
	})
}

// advancedStatus is the status advance claims: won and lost are final.
func advancedStatus(in AdvanceInput) string {
	switch in.Stage {
	case StageWon:
		return OpportunityWon
	case StageLost:
		return OpportunityLost
	}
	return OpportunityApproved
}

func (o *opportunity) advance(ctx workflow.Context, actor cases.Actor, in AdvanceInput) error {
	from := o.details.Stage
	o.details.Stage = in.Stage
	o.details.LostReason, o.details.LostReasonCode = strings.TrimSpace(in.LostReason), in.LostReasonCode
	detail := map[string]any{"from": from, "to": in.Stage}
	if o.details.LostReason != "" {
		detail["lost_reason"] = o.details.LostReason
	}
	if o.details.LostReasonCode != "" {
		detail["lost_reason_code"] = o.details.LostReasonCode
	}
	st := step{event: "stage_changed", actor: actor, detail: detail}
	if o.status != OpportunityApproved {
		st.notifications = []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "opportunity_" + o.status,
			Message: fmt.Sprintf("Opportunity %s of partner %s (%s) is %s.", o.id, o.partnerID, o.details.Opportunity.Customer.Name, o.status),
		}}
	}
	return o.record(ctx, o.details, st)
}

// accept gives the vendor opportunity to the partner: its approved
// opportunity from now on, with the customer's contact shown.
func (o *opportunity) accept(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	if err := o.settleVendorOpportunity(ctx, true); err != nil {
		return err
	}
	o.toStageOne(ctx)
	o.details.InvitationExpiresAt, o.details.InvitationReminderAt = nil, nil
	o.details.Opportunity.Contact = o.contact
	return o.record(ctx, o.details, step{
		event: "accepted", actor: actor, detail: map[string]any{"vendor_opportunity_id": o.details.VendorOpportunityID},
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "opportunity_invitation_accepted",
			Message: fmt.Sprintf("Partner %s accepted vendor opportunity %s (%s) on case %s.",
				o.partnerID, o.details.VendorOpportunityID, o.details.Opportunity.Customer.Name, o.id),
		}},
	})
}

func (o *opportunity) decline(ctx workflow.Context, actor cases.Actor, in DeclineInput) error {
	if err := o.settleVendorOpportunity(ctx, false); err != nil {
		return err
	}
	o.details.DeclineReason = strings.TrimSpace(in.Reason)
	o.details.InvitationReminderAt = nil
	return o.record(ctx, o.details, step{
		event: "declined", actor: actor, detail: map[string]any{"reason": o.details.DeclineReason},
		notifications: []cases.Notification{o.returnedToOps("declined it: " + o.details.DeclineReason)},
	})
}

// expire closes an invitation nobody answered; the case is expired (so no
// answer is taken) before the vendor opportunity goes back to ops.
func (o *opportunity) expire(ctx workflow.Context) error {
	o.status = OpportunityExpired
	o.details.InvitationReminderAt = nil
	if err := o.settleVendorOpportunity(ctx, false); err != nil {
		return err
	}
	return o.record(ctx, o.details, step{
		event: "expired", actor: cases.System, detail: map[string]any{"expired_at": o.details.InvitationExpiresAt},
		notifications: []cases.Notification{
			o.returnedToOps("did not answer in time"),
			{Audience: cases.AudiencePartner, Kind: "opportunity_invitation_expired",
				Message: fmt.Sprintf("The vendor's invitation %s (%s) expired unanswered.", o.id, o.details.Opportunity.Customer.Name)},
		},
	})
}

func (o *opportunity) returnedToOps(why string) cases.Notification {
	return cases.Notification{
		Audience: cases.AudienceOps, Kind: "vendor_opportunity_available",
		Message: fmt.Sprintf("Partner %s %s; vendor opportunity %s (%s) is available to share again.",
			o.partnerID, why, o.details.VendorOpportunityID, o.details.Opportunity.Customer.Name),
	}
}

func (o *opportunity) settleVendorOpportunity(ctx workflow.Context, accepted bool) error {
	_, err := settleVendorOpportunity.run(ctx, activities.InvitationAnswer{CaseID: o.id, Accepted: accepted, At: now(ctx)})
	return err
}

func (o *opportunity) breach(ctx workflow.Context) error {
	o.sla.Breached = true
	return o.record(ctx, o.details, step{
		event: "sla_breached", actor: cases.System,
		detail: map[string]any{"due_at": o.sla.DueAt},
		notifications: []cases.Notification{{
			Audience: cases.AudienceSupervisor, Kind: "sla_breached",
			Message: fmt.Sprintf("The review of opportunity %s of partner %s missed its deadline %s and is still open.",
				o.id, o.partnerID, o.sla.DueAt.Format(time.RFC3339)),
		}},
	})
}

// checkRequestChanges takes a reason code of ChangeReasons and comments,
// naming both when both are bad.
func checkRequestChanges(in RequestChangesInput) error {
	return codeAndText("reason_code", in.ReasonCode, ChangeReasons(), "comments", in.Comments)
}

// codeAndText checks a required code of a published list and the required
// text that goes with it, naming both when both are bad.
func codeAndText(codeField, code string, codes []string, textField, text string) error {
	textErr := requireText(textField, text, MaxReasonLength)
	if slices.Contains(codes, code) {
		return textErr
	}
	problems := rules.FieldErrors{{Field: codeField, Message: "must be one of " + strings.Join(codes, ", ")}}
	if textErr != nil {
		problems = append(problems, rules.FieldError{Field: textField, Message: fmt.Sprintf("is required: text of at most %d characters", MaxReasonLength)})
	}
	return invalidInput(problems)
}

// checkWithdraw takes an optional reason.
func checkWithdraw(in ClosingInput) error {
	if strings.TrimSpace(in.Reason) == "" {
		return nil
	}
	return requireText("reason", in.Reason, MaxReasonLength)
}

// checkClose takes a required reason.
func checkClose(in ClosingInput) error {
	return requireText("reason", in.Reason, MaxReasonLength)
}

// checkOpportunityReject names both fields when both are bad.
func checkOpportunityReject(in OpportunityRejectInput) error {
	return codeAndText("reason_code", in.ReasonCode, OpportunityRejectReasons(), "reason", in.Reason)
}

// checkStage takes the stage after the current one, or lost from any.
func (o *opportunity) checkStage(in AdvanceInput) error {
	stages := OpportunityStages()
	switch next := slices.Index(stages, o.details.Stage) + 1; {
	case in.Stage == o.details.Stage:
		return invalidInput(rules.FieldErrors{{Field: "stage", Message: "is the opportunity's stage already"}})
	case in.Stage == StageLost || (next < len(stages) && stages[next] == in.Stage):
		return nil
	default:
		return invalidInput(rules.FieldErrors{{Field: "stage", Message: fmt.Sprintf("must be the next stage (%s) or lost: stages move forward in order", stages[next])}})
	}
}

// checkAdvance takes a known stage, and a lost reason exactly when the
// stage is lost.
func checkAdvance(in AdvanceInput) error {
	var problems rules.FieldErrors
	if !slices.Contains(OpportunityStages(), in.Stage) {
		problems = append(problems, rules.FieldError{Field: "stage", Message: "must be one of " + strings.Join(OpportunityStages(), ", ")})
	}
	switch {
	case in.Stage == StageLost:
		if !slices.Contains(ClosedLostReasons(), in.LostReasonCode) {
			problems = append(problems, rules.FieldError{Field: "lost_reason_code",
				Message: "is required when the stage is lost: one of " + strings.Join(ClosedLostReasons(), ", ")})
		}
		if err := requireText("lost_reason", in.LostReason, MaxReasonLength); err != nil {
			problems = append(problems, rules.FieldError{Field: "lost_reason",
				Message: fmt.Sprintf("is required when the stage is lost: text of at most %d characters", MaxReasonLength)})
		}
	case strings.TrimSpace(in.LostReason) != "" || in.LostReasonCode != "":
		problems = append(problems, rules.FieldError{Field: "lost_reason", Message: "is given only when the stage is lost"})
	}
	if len(problems) > 0 {
		return invalidInput(problems)
	}
	return nil
}
