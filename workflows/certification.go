package workflows

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// CertificationWorkflow is the registered name of the certification review.
const CertificationWorkflow = "Certification"

// Statuses of a certification case.
const (
	CertificationChecking   = "checking"    // automatic checks running
	CertificationInReview   = "in_review"   // waiting for an ops decision
	CertificationRejected   = "rejected"    // the partner may resubmit or file a ticket, until it expires
	CertificationTicketOpen = "ticket_open" // the partner's ticket waits for ops, under the SLA
	// the ticket's deadline is being computed: no one can act on it yet
	CertificationTicketFiling = "ticket_filing"
	// ops asked the partner for information: the SLA clock is paused
	CertificationTicketAwaitingPartner = "ticket_awaiting_partner"
	CertificationCertified             = "certified" // done
	// done: rejected and left alone for the expiry period; the partner starts a new certification
	CertificationExpired = "expired"
)

// Actions on a certification case.
const (
	ActionApprove     = "approve" // ops certify; on a partner payment, the partner pays
	ActionReject      = "reject"
	ActionFileTicket  = "file_ticket"
	ActionResolve     = "resolve"
	ActionResubmit    = "resubmit"
	ActionRequestInfo = "request_info"
	ActionReply       = "reply"
)

// Decisions that resolve a ticket.
const (
	DecisionCertify = "certify"
	DecisionReject  = "reject"
)

// DefaultCertificationExpiry is how long a rejected certification waits for
// a resubmission or a ticket when its input names no period.
const DefaultCertificationExpiry = 30 * 24 * time.Hour

// CertificationInput starts a certification review.
type CertificationInput struct {
	CaseID    string             `json:"case_id"`
	PartnerID string             `json:"partner_id"`
	Submitter cases.Actor        `json:"submitter"`
	Info      rules.BusinessInfo `json:"business_info"`
	// TicketSLA is the policy for tickets of this case ("3wd"), fixed at start.
	TicketSLA string    `json:"ticket_sla"`
	CreatedAt time.Time `json:"created_at"`
	// RejectedExpiry is how long a rejected case waits for the partner
	// before it expires (PARTNEROPS_CERTIFICATION_EXPIRY); zero is
	// DefaultCertificationExpiry.
	RejectedExpiry time.Duration `json:"rejected_expiry,omitempty"`
	// StepsPerRun bounds the transitions one run records before it
	// continues as new; zero is the default.
	StepsPerRun int `json:"steps_per_run,omitempty"`
	// Resume is the state a previous run carried over (continue-as-new).
	Resume *Resumed[CertificationDetails] `json:"resume,omitempty"`
	// RecertificationOf is the partner's certified case this one renews;
	// that certification stays valid until this one is decided.
	RecertificationOf string `json:"recertification_of,omitempty"`
}

// CertificationDetails is the certification's own part of the case.
type CertificationDetails struct {
	BusinessInfo    rules.BusinessInfo `json:"business_info"`
	Submissions     int                `json:"submissions" doc:"How many times the information was submitted"`
	CheckProblems   []rules.FieldError `json:"check_problems,omitempty" doc:"What the automatic checks found wrong"`
	RejectionReason string             `json:"rejection_reason,omitempty" doc:"Why the certification is rejected, while it is"`
	// ExpiresAt is when a rejected case expires unless the partner
	// resubmits or files a ticket.
	ExpiresAt   *time.Time `json:"expires_at,omitempty" doc:"While rejected: when the case expires unless the partner resubmits or files a ticket"`
	Ticket      *Ticket    `json:"ticket,omitempty"`
	CertifiedAt *time.Time `json:"certified_at,omitempty"`
	// RecertificationOf is the certified case this one renews: the partner
	// stays certified by it until this one is decided.
	RecertificationOf string `json:"recertification_of,omitempty"`
}

// Ticket is the partner's latest ticket about a failed certification.
type Ticket struct {
	Message    string      `json:"message"`
	FiledBy    cases.Actor `json:"filed_by"`
	FiledAt    time.Time   `json:"filed_at"`
	ResolvedAt *time.Time  `json:"resolved_at,omitempty"`
	Decision   string      `json:"decision,omitempty" doc:"certify or reject, once resolved"`
	// InfoRequest is what ops last asked the partner; PausedAt is when the
	// SLA clock stopped for it (nil while it runs).
	InfoRequest string     `json:"info_request,omitempty" doc:"What ops last asked the partner (request_info)"`
	PausedAt    *time.Time `json:"paused_at,omitempty" doc:"When the SLA clock stopped for an information request; absent while it runs"`
}

// Inputs of the actions that carry one.
type (
	RejectInput struct {
		Reason string `json:"reason"`
	}
	// FileTicketInput is also the input of request_info and reply: a message.
	FileTicketInput struct {
		Message string `json:"message"`
	}
	ResolveInput struct {
		Decision string `json:"decision" enum:"certify,reject"`
		Reason   string `json:"reason,omitempty" doc:"Why, when the decision is reject"`
	}
	// noInput is the input of an action that carries none.
	noInput struct{}
)

// certificationProcess declares the certification review.
var certificationProcess = Process{
	Kind: cases.KindCertification, Workflow: CertificationWorkflow, Run: Certification,
	Statuses: []Status{
		{Name: CertificationChecking, Start: true, WaitsOn: System, Next: []string{CertificationInReview, CertificationRejected}},
		{Name: CertificationInReview, WaitsOn: Ops},
		{Name: CertificationRejected, WaitsOn: Partner, Next: []string{CertificationExpired}},
		{Name: CertificationTicketOpen, WaitsOn: Ops},
		{Name: CertificationTicketAwaitingPartner, WaitsOn: Partner, PausesSLA: true},
		{Name: CertificationTicketFiling, WaitsOn: System, Next: []string{CertificationTicketOpen, CertificationRejected}},
		{Name: CertificationCertified, Final: true},
		{Name: CertificationExpired, Final: true},
	},
	Actions: certificationActions.static(),
	Schema:  "CertificationCase", Details: reflect.TypeFor[CertificationDetails](),
	Subject: subjectOf(func(d CertificationDetails) string {
		return joined(d.BusinessInfo.CompanyName, d.BusinessInfo.CertificateNumber)
	}),
	Description: "A certification case. A submission starts in checking while automatic checks run. Checks that fail move it to " +
		"rejected (with check_problems); checks that pass move it to in_review. In in_review ops or a supervisor may approve (to " +
		"certified, final) or reject with a reason (to rejected). In rejected the partner may resubmit corrected business information " +
		"(back to checking) or file_ticket (to ticket_filing while its deadline is computed, then ticket_open), until details.expires_at " +
		"(then expired, final). In ticket_open ops resolve it with decision certify (to certified) or reject with a reason (to rejected), " +
		"or request_info with a message (to ticket_awaiting_partner: the SLA clock pauses until the partner answers with reply, back to " +
		"ticket_open with the deadline moved by the paused time); ops may resolve from either. A missed deadline marks sla.breached, " +
		"notifies a supervisor, and the ticket stays open until resolved.",
}

// certificationActions is who may do what, when, and with which step.
var certificationActions = table[*certification]{
	act[*certification, noInput]{actionSpec: actionSpec{ActionApprove, cases.StaffRoles, []string{CertificationInReview}, []string{CertificationCertified}},
		step: (*certification).approve},
	act[*certification, RejectInput]{actionSpec: actionSpec{ActionReject, cases.StaffRoles, []string{CertificationInReview}, []string{CertificationRejected}},
		check: checkRejectInput, step: (*certification).rejectAction},
	act[*certification, FileTicketInput]{actionSpec: actionSpec{ActionFileTicket, cases.PartnerRoles, []string{CertificationRejected}, []string{CertificationTicketFiling}},
		check: checkMessage, step: (*certification).fileTicket},
	act[*certification, ResolveInput]{actionSpec: actionSpec{ActionResolve, cases.StaffRoles, []string{CertificationTicketOpen, CertificationTicketAwaitingPartner},
		[]string{CertificationCertified, CertificationRejected}},
		check: checkResolveInput, claim: resolvedStatus, step: (*certification).resolve},
	act[*certification, rules.BusinessInfo]{actionSpec: actionSpec{ActionResubmit, cases.PartnerRoles, []string{CertificationRejected}, []string{CertificationChecking}},
		check: validInput[rules.BusinessInfo], step: (*certification).resubmit},
	act[*certification, FileTicketInput]{actionSpec: actionSpec{ActionRequestInfo, cases.StaffRoles, []string{CertificationTicketOpen}, []string{CertificationTicketAwaitingPartner}},
		check: checkMessage, step: (*certification).requestInfo},
	act[*certification, FileTicketInput]{actionSpec: actionSpec{ActionReply, cases.PartnerRoles, []string{CertificationTicketAwaitingPartner}, []string{CertificationTicketOpen}},
		check: checkMessage, step: (*certification).reply},
}

type certification struct {
	caseState
	details   CertificationDetails
	ticketSLA string
	expiry    time.Duration
}

// Certification reviews a partner's business information: automatic checks,
// then an ops decision. A rejected partner may correct and resubmit, or file
// a ticket that ops must handle within the ticket SLA; a missed deadline
// marks the case breached and notifies a supervisor, and the ticket stays
// open until ops resolves it. While ops wait for information they asked the
// partner for, the SLA clock is paused; the partner's reply restarts it with
// the working days paused added to the deadline. A rejected case the partner leaves
// alone for the expiry period expires.
func Certification(ctx workflow.Context, in CertificationInput) (string, error) {
	c := &certification{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindCertification, partnerID: in.PartnerID,
			status: CertificationChecking, createdAt: in.CreatedAt, updatedAt: in.CreatedAt,
		},
		ticketSLA: in.TicketSLA,
		expiry:    in.RejectedExpiry,
	}
	if c.expiry <= 0 {
		c.expiry = DefaultCertificationExpiry
	}
	c.details = resume(&c.caseState, in.Resume,
		CertificationDetails{BusinessInfo: in.Info.Normalized(), Submissions: 1, RecertificationOf: in.RecertificationOf}, in.StepsPerRun)
	return c.live(ctx, life{
		actions: certificationActions.bind(c), details: func() any { return c.details },
		first: firstRun(in.Resume, func(ctx workflow.Context) error {
			return c.check(ctx, step{event: "submitted", actor: in.Submitter})
		}),
		wait: c.wait,
		next: func() any {
			next := in
			next.Resume = carry(&c.caseState, c.details)
			return next
		},
	})
}

// wait waits for the case to move: a running ticket's deadline, a
// rejection's expiry, or any action.
func (c *certification) wait(ctx workflow.Context) error {
	changed := c.moved()
	switch {
	// A reply clears PausedAt only once it has moved the deadline.
	case c.status == CertificationTicketOpen && c.sla != nil && !c.sla.Breached && c.details.Ticket.PausedAt == nil:
		return awaitDeadline(ctx, c.sla.DueAt, changed, c.breach)
	case c.status == CertificationRejected && c.details.ExpiresAt != nil:
		return awaitDeadline(ctx, *c.details.ExpiresAt, changed, c.expire)
	default:
		return workflow.Await(ctx, changed)
	}
}

// check records how the submission came in, runs the automatic checks and
// moves the case to review or back to the partner. The case is checking
// (claimed by the caller) until the checks answer.
func (c *certification) check(ctx workflow.Context, submitted step) error {
	c.status = CertificationChecking
	c.details.CheckProblems = nil
	c.details.RejectionReason = ""
	c.details.ExpiresAt = nil
	submitted.detail = map[string]any{"submission": c.details.Submissions}
	if err := c.record(ctx, c.details, submitted); err != nil {
		return err
	}
	req := activities.CheckRequest{PartnerID: c.partnerID, Info: c.details.BusinessInfo}
	problems, err := checkBusinessInfo.runAs(ctx, req, patched(ctx, patchLocalActivities))
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		c.details.CheckProblems = problems
		return c.reject(ctx, step{event: "checks_failed", actor: cases.System,
			detail: map[string]any{"problems": problems}},
			"automatic checks failed: "+rules.FieldErrors(problems).Error())
	}
	c.status = CertificationInReview
	return c.record(ctx, c.details, step{
		event: "checks_passed", actor: cases.System,
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "certification_to_review",
			Message: fmt.Sprintf("Certification %s of %s waits for review.", c.id, c.details.BusinessInfo.CompanyName),
		}},
	})
}

func (c *certification) approve(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	return c.certify(ctx, step{event: "approved", actor: actor})
}

func (c *certification) rejectAction(ctx workflow.Context, actor cases.Actor, in RejectInput) error {
	reason := strings.TrimSpace(in.Reason)
	return c.reject(ctx, step{event: "rejected", actor: actor, detail: map[string]any{"reason": reason}}, reason)
}

func (c *certification) resubmit(ctx workflow.Context, actor cases.Actor, info rules.BusinessInfo) error {
	c.details.BusinessInfo = info.Normalized()
	c.details.Submissions++
	return c.check(ctx, step{event: "resubmitted", actor: actor})
}

func (c *certification) certify(ctx workflow.Context, st step) error {
	at := now(ctx)
	c.status = CertificationCertified
	c.details.CertifiedAt = &at
	c.details.RejectionReason = ""
	st.notifications = append(st.notifications, cases.Notification{
		Audience: cases.AudiencePartner, Kind: "certification_certified",
		Message: fmt.Sprintf("Your certification %s is approved: %s is certified.", c.id, c.details.BusinessInfo.CompanyName),
	})
	return c.record(ctx, c.details, st)
}

// reject sends the case back to the partner, who may resubmit or file a
// ticket until the case expires.
func (c *certification) reject(ctx workflow.Context, st step, reason string) error {
	c.status = CertificationRejected
	c.details.RejectionReason = reason
	c.details.ExpiresAt = nil
	message := fmt.Sprintf("Your certification %s was rejected: %s. Correct and resubmit it, or file a ticket.", c.id, reason)
	if patched(ctx, patchRejectedExpiry) {
		expires := now(ctx).Add(c.expiry)
		c.details.ExpiresAt = &expires
		message = fmt.Sprintf("Your certification %s was rejected: %s. Correct and resubmit it, or file a ticket, by %s.",
			c.id, reason, expires.Format(time.RFC3339))
	}
	st.notifications = append(st.notifications, cases.Notification{
		Audience: cases.AudiencePartner, Kind: "certification_rejected", Message: message,
	})
	return c.record(ctx, c.details, st)
}

// expire closes a rejected case the partner left alone past its expiry.
func (c *certification) expire(ctx workflow.Context) error {
	c.status = CertificationExpired
	return c.record(ctx, c.details, step{
		event: "expired", actor: cases.System, detail: map[string]any{"expired_at": c.details.ExpiresAt},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "certification_expired",
			Message: fmt.Sprintf("Your rejected certification %s was neither resubmitted nor disputed in time and is closed; submit a new one to be certified.", c.id),
		}},
	})
}

// fileTicket opens the partner's ticket once its deadline is known; until
// then the case is ticket_filing, so nobody can act on a ticket that has
// no deadline yet. If no deadline can be computed (the policy is refused),
// the case goes back to rejected and the action fails.
func (c *certification) fileTicket(ctx workflow.Context, actor cases.Actor, in FileTicketInput) error {
	message := strings.TrimSpace(in.Message)
	at := now(ctx)
	due, err := dueAt.run(ctx, activities.DueAtRequest{From: at, Policy: c.ticketSLA})
	if err != nil {
		c.status = CertificationRejected
		return err
	}
	c.details.ExpiresAt = nil
	c.status = CertificationTicketOpen
	c.details.Ticket = &Ticket{Message: message, FiledBy: actor, FiledAt: at}
	c.sla = &cases.SLA{DueAt: due}
	return c.record(ctx, c.details, step{
		event: "ticket_filed", actor: actor,
		detail: map[string]any{"message": message, "due_at": due},
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "ticket_filed",
			Message: fmt.Sprintf("Partner %s filed a ticket on certification %s; it is due by %s.",
				c.partnerID, c.id, due.Format(time.RFC3339)),
		}},
	})
}

// requestInfo pauses the ticket's SLA while the partner answers ops.
func (c *certification) requestInfo(ctx workflow.Context, actor cases.Actor, in FileTicketInput) error {
	message := strings.TrimSpace(in.Message)
	at := now(ctx)
	c.details.Ticket.InfoRequest = message
	c.details.Ticket.PausedAt = &at
	return c.record(ctx, c.details, step{
		event: "info_requested", actor: actor, detail: map[string]any{"message": message},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "info_requested",
			Message: fmt.Sprintf("Ops need more information on your ticket about certification %s: %s", c.id, message),
		}},
	})
}

// reply restarts the ticket's SLA, moving the deadline by the working time
// it was paused (rules.SLAPolicy.Extended). If the calendar cannot say, the
// ticket waits on the partner again and the action fails.
func (c *certification) reply(ctx workflow.Context, actor cases.Actor, in FileTicketInput) error {
	message := strings.TrimSpace(in.Message)
	at := now(ctx)
	pausedAt := *c.details.Ticket.PausedAt
	paused := at.Sub(pausedAt)
	if !c.sla.Breached {
		due := c.sla.DueAt.Add(paused)
		if patched(ctx, patchPauseWorkingDays) {
			var cal *activities.Calendar
			req := activities.ExtendRequest{Due: c.sla.DueAt, PausedAt: pausedAt, ResumedAt: at, Policy: c.ticketSLA}
			if err := workflow.ExecuteActivity(activityContext(ctx), cal.ExtendForPause, req).Get(ctx, &due); err != nil {
				c.status = CertificationTicketAwaitingPartner
				return err
			}
		}
		c.sla.DueAt = due
	}
	c.details.Ticket.PausedAt = nil
	return c.record(ctx, c.details, step{
		event: "partner_replied", actor: actor,
		detail: map[string]any{"message": message, "paused_seconds": int64(paused.Seconds()), "due_at": c.sla.DueAt},
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "partner_replied",
			Message: fmt.Sprintf("Partner %s answered on certification %s; the ticket is due by %s.",
				c.partnerID, c.id, c.sla.DueAt.Format(time.RFC3339)),
		}},
	})
}

func (c *certification) breach(ctx workflow.Context) error {
	c.sla.Breached = true
	return c.record(ctx, c.details, step{
		event: "sla_breached", actor: cases.System,
		detail: map[string]any{"due_at": c.sla.DueAt},
		notifications: []cases.Notification{{
			Audience: cases.AudienceSupervisor, Kind: "sla_breached",
			Message: fmt.Sprintf("The ticket on certification %s of partner %s missed its deadline %s and is still open.",
				c.id, c.partnerID, c.sla.DueAt.Format(time.RFC3339)),
		}},
	})
}

// resolvedStatus is the status a resolve claims: its decision's.
func resolvedStatus(in ResolveInput) string {
	if in.Decision == DecisionCertify {
		return CertificationCertified
	}
	return CertificationRejected
}

func (c *certification) resolve(ctx workflow.Context, actor cases.Actor, in ResolveInput) error {
	at := now(ctx)
	c.details.Ticket.ResolvedAt = &at
	c.details.Ticket.Decision = in.Decision
	c.details.Ticket.PausedAt = nil
	st := step{event: "ticket_resolved", actor: actor, detail: map[string]any{"decision": in.Decision}}
	if in.Decision == DecisionCertify {
		return c.certify(ctx, st)
	}
	st.detail["reason"] = strings.TrimSpace(in.Reason)
	return c.reject(ctx, st, strings.TrimSpace(in.Reason))
}

func checkRejectInput(in RejectInput) error {
	return requireText("reason", in.Reason, MaxReasonLength)
}

func checkMessage(in FileTicketInput) error {
	return requireText("message", in.Message, MaxTicketMessageLength)
}

func checkResolveInput(in ResolveInput) error {
	switch in.Decision {
	case DecisionCertify:
		return nil
	case DecisionReject:
		return requireText("reason", in.Reason, MaxReasonLength)
	default:
		return invalidInput(rules.FieldErrors{{Field: "decision", Message: "must be certify or reject"}})
	}
}
