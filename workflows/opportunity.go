package workflows

import (
	"fmt"
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
)

// OpportunityStatuses lists every status of an opportunity case.
func OpportunityStatuses() []string {
	return []string{OpportunityChecking, OpportunityActionRequired, OpportunityInReview, OpportunityApproved, OpportunityRejected,
		OpportunityWon, OpportunityLost, OpportunityInvited, OpportunityAccepting, OpportunityDeclined, OpportunityExpired}
}

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

// OpportunityStages lists the stages in their order.
func OpportunityStages() []string {
	return []string{StageQualified, StageTechnicalValidation, StageBusinessValidation, StageCommitted, StageWon, StageLost}
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
)

// DefaultInvitationExpiry is how long an invited partner has to answer.
const DefaultInvitationExpiry = 7 * 24 * time.Hour

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
	ReviewSLA string    `json:"review_sla"`
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
	ApprovedAt      *time.Time            `json:"approved_at,omitempty"`
	// A vendor opportunity's invitation.
	VendorOpportunityID string     `json:"vendor_opportunity_id,omitempty"`
	InvitationExpiresAt *time.Time `json:"invitation_expires_at,omitempty" doc:"While invited: when the invitation expires unanswered"`
	DeclineReason       string     `json:"decline_reason,omitempty"`
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
		ReasonCode string `json:"reason_code"`
		Reason     string `json:"reason"`
	}
	// RequestChangesInput is the input of request_changes.
	RequestChangesInput struct {
		Comments string `json:"comments"`
	}
	// AdvanceInput is the input of advance: the new stage.
	AdvanceInput struct {
		Stage      string `json:"stage"`
		LostReason string `json:"lost_reason,omitempty"`
	}
)

// opportunityActions is who may do what, when, and with which step; o is
// nil for the static table (whose steps and checks are never called).
func opportunityActions(o *opportunity) []action {
	staff, partner := cases.StaffRoles, cases.PartnerRoles
	return []action{
		act[rules.Opportunity]{actionSpec: actionSpec{ActionResubmit, partner, []string{OpportunityActionRequired}},
			check: checkOpportunity, claim: to[rules.Opportunity](OpportunityChecking), step: o.resubmit},
		act[noInput]{actionSpec: actionSpec{ActionApprove, staff, []string{OpportunityInReview}},
			claim: to[noInput](OpportunityApproved), step: o.approve},
		act[RequestChangesInput]{actionSpec: actionSpec{ActionRequestChanges, staff, []string{OpportunityInReview}},
			check: checkRequestChanges, claim: to[RequestChangesInput](OpportunityActionRequired), step: o.requestChanges},
		act[OpportunityRejectInput]{actionSpec: actionSpec{ActionReject, staff, []string{OpportunityInReview}},
			check: checkOpportunityReject, claim: to[OpportunityRejectInput](OpportunityRejected), step: o.reject},
		act[AdvanceInput]{actionSpec: actionSpec{ActionAdvance, partner, []string{OpportunityApproved}},
			check: o.checkAdvance, claim: advancedStatus, step: o.advance},
		act[noInput]{actionSpec: actionSpec{ActionAccept, partner, []string{OpportunityInvited}},
			claim: to[noInput](OpportunityAccepting), step: o.accept},
		act[DeclineInput]{actionSpec: actionSpec{ActionDeclineInvitation, partner, []string{OpportunityInvited}},
			check: checkDeclineInput, claim: to[DeclineInput](OpportunityDeclined), step: o.decline},
	}
}

type opportunity struct {
	caseState
	details   OpportunityDetails
	reviewSLA string
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
		contact:   in.Contact,
	}
	o.details = resume(&o.caseState, in.Resume, in.Details(), in.StepsPerRun)
	return o.live(ctx, life{
		actions: opportunityActions(o), details: func() any { return o.details },
		first: firstRun(in.Resume, func(ctx workflow.Context) error {
			if in.Origin != OriginVendor {
				return o.check(ctx, step{event: "submitted", actor: in.Submitter})
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
// invitation's expiry, or any action.
func (o *opportunity) wait(ctx workflow.Context) error {
	changed := o.moved()
	switch {
	case o.status == OpportunityInReview && o.sla != nil && !o.sla.Breached:
		return awaitDeadline(ctx, o.sla.DueAt, changed, o.breach)
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
	submitted.detail = map[string]any{"submission": o.details.Submissions}
	if err := o.record(ctx, o.details, submitted); err != nil {
		return err
	}
	var a *activities.Opportunities
	var checked activities.OpportunityCheck
	req := activities.OpportunityCheckRequest{CaseID: o.id, PartnerID: o.partnerID, Opportunity: o.details.Opportunity, At: now(ctx)}
	if err := runLocal(ctx, a.CheckOpportunity, req, &checked); err != nil {
		return err
	}
	if len(checked.Findings) > 0 {
		o.status = OpportunityActionRequired
		o.details.Findings, o.details.Reasons = checked.Findings, rules.FindingReasons(checked.Findings)
		return o.record(ctx, o.details, step{
			event: "checks_failed", actor: cases.System,
			detail: map[string]any{"reasons": o.details.Reasons, "findings": checked.Findings},
			notifications: []cases.Notification{{
				Audience: cases.AudiencePartner, Kind: "opportunity_action_required",
				Message: fmt.Sprintf("Your opportunity %s (%s) needs changes: %s. Edit and resubmit it.",
					o.id, o.details.Opportunity.Customer.Name, strings.Join(o.details.Reasons, ", ")),
			}},
		})
	}
	var cal *activities.Calendar
	var due time.Time
	if err := workflow.ExecuteActivity(activityContext(ctx), cal.DueAt, activities.DueAtRequest{From: now(ctx), Policy: o.reviewSLA}).Get(ctx, &due); err != nil {
		return err
	}
	o.status = OpportunityInReview
	o.sla = &cases.SLA{DueAt: due}
	o.details.LikelyDuplicate = len(checked.Duplicates) > 0
	message := fmt.Sprintf("Opportunity %s of partner %s (%s) waits for review by %s.",
		o.id, o.partnerID, o.details.Opportunity.Customer.Name, due.Format(time.RFC3339))
	if o.details.LikelyDuplicate {
		message += " Likely duplicate of " + strings.Join(checked.Duplicates, ", ") + " (the same customer with another partner)."
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
	o.details.ReviewComments = comments
	return o.record(ctx, o.details, step{
		event: "changes_requested", actor: actor, detail: map[string]any{"comments": comments},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "opportunity_action_required",
			Message: fmt.Sprintf("The reviewer asks for changes to your opportunity %s (%s): %s", o.id, o.details.Opportunity.Customer.Name, comments),
		}},
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
	o.details.LostReason = strings.TrimSpace(in.LostReason)
	detail := map[string]any{"from": from, "to": in.Stage}
	if o.details.LostReason != "" {
		detail["lost_reason"] = o.details.LostReason
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
	o.details.InvitationExpiresAt = nil
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
	return o.record(ctx, o.details, step{
		event: "declined", actor: actor, detail: map[string]any{"reason": o.details.DeclineReason},
		notifications: []cases.Notification{o.returnedToOps("declined it: " + o.details.DeclineReason)},
	})
}

// expire closes an invitation nobody answered; the case is expired (so no
// answer is taken) before the vendor opportunity goes back to ops.
func (o *opportunity) expire(ctx workflow.Context) error {
	o.status = OpportunityExpired
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
	var a *activities.Opportunities
	ans := activities.InvitationAnswer{CaseID: o.id, Accepted: accepted, At: now(ctx)}
	return runLocal(ctx, a.SettleVendorOpportunity, ans, nil)
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

func checkOpportunity(in rules.Opportunity) error {
	if problems := in.Validate(); len(problems) > 0 {
		return invalidInput(problems)
	}
	return nil
}

func checkRequestChanges(in RequestChangesInput) error {
	return requireText("comments", in.Comments, MaxReasonLength)
}

// checkOpportunityReject names both fields when both are bad.
func checkOpportunityReject(in OpportunityRejectInput) error {
	textErr := requireText("reason", in.Reason, MaxReasonLength)
	if slices.Contains(OpportunityRejectReasons(), in.ReasonCode) {
		return textErr
	}
	problems := rules.FieldErrors{{Field: "reason_code", Message: "must be one of " + strings.Join(OpportunityRejectReasons(), ", ")}}
	if textErr != nil {
		problems = append(problems, rules.FieldError{Field: "reason", Message: fmt.Sprintf("is required: text of at most %d characters", MaxReasonLength)})
	}
	return invalidInput(problems)
}

// checkAdvance takes a known stage other than the current one, and a lost
// reason exactly when the stage is lost.
func (o *opportunity) checkAdvance(in AdvanceInput) error {
	var problems rules.FieldErrors
	switch {
	case !slices.Contains(OpportunityStages(), in.Stage):
		problems = append(problems, rules.FieldError{Field: "stage", Message: "must be one of " + strings.Join(OpportunityStages(), ", ")})
	case o != nil && in.Stage == o.details.Stage: // o is nil for the static table: the stage is the case's to know
		problems = append(problems, rules.FieldError{Field: "stage", Message: "is the opportunity's stage already"})
	}
	switch {
	case in.Stage == StageLost:
		if err := requireText("lost_reason", in.LostReason, MaxReasonLength); err != nil {
			problems = append(problems, rules.FieldError{Field: "lost_reason",
				Message: fmt.Sprintf("is required when the stage is lost: text of at most %d characters", MaxReasonLength)})
		}
	case strings.TrimSpace(in.LostReason) != "":
		problems = append(problems, rules.FieldError{Field: "lost_reason", Message: "is given only when the stage is lost"})
	}
	if len(problems) > 0 {
		return invalidInput(problems)
	}
	return nil
}
