package workflows

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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
	CertificationRejected   = "rejected"    // the partner may resubmit or file a ticket
	CertificationTicketOpen = "ticket_open" // the partner's ticket waits for ops, under the SLA
	// ops asked the partner for information: the SLA clock is paused
	CertificationTicketAwaitingPartner = "ticket_awaiting_partner"
	CertificationCertified             = "certified" // done
)

// Actions on a certification case.
const (
	ActionApprove     = "approve"
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

// Limits of free text in actions.
const (
	MaxReasonLength        = 1000
	MaxTicketMessageLength = 2000
)

// CertificationInput starts a certification review.
type CertificationInput struct {
	CaseID    string             `json:"case_id"`
	PartnerID string             `json:"partner_id"`
	Submitter cases.Actor        `json:"submitter"`
	Info      rules.BusinessInfo `json:"business_info"`
	// TicketSLA is the policy for tickets of this case ("3wd"), fixed at start.
	TicketSLA string    `json:"ticket_sla"`
	CreatedAt time.Time `json:"created_at"`
	// RecertificationOf is the partner's certified case this one renews;
	// that certification stays valid until this one is decided.
	RecertificationOf string `json:"recertification_of,omitempty"`
}

// CertificationDetails is the certification's own part of the case.
type CertificationDetails struct {
	BusinessInfo    rules.BusinessInfo `json:"business_info"`
	Submissions     int                `json:"submissions"`
	CheckProblems   []rules.FieldError `json:"check_problems,omitempty"`
	RejectionReason string             `json:"rejection_reason,omitempty"`
	Ticket          *Ticket            `json:"ticket,omitempty"`
	CertifiedAt     *time.Time         `json:"certified_at,omitempty"`
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
	Decision   string      `json:"decision,omitempty"`
	// InfoRequest is what ops last asked the partner; PausedAt is when the
	// SLA clock stopped for it (nil while it runs).
	InfoRequest string     `json:"info_request,omitempty"`
	PausedAt    *time.Time `json:"paused_at,omitempty"`
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
		Decision string `json:"decision"`
		Reason   string `json:"reason,omitempty"`
	}
)

var (
	staffRoles   = []string{cases.RoleOps, cases.RoleSupervisor}
	partnerRoles = []string{cases.RoleAdmin, cases.RoleMember}
)

// certificationActions is who may do what, and when.
var certificationActions = []action{
	{name: ActionApprove, roles: staffRoles, from: []string{CertificationInReview}},
	{name: ActionReject, roles: staffRoles, from: []string{CertificationInReview}, check: checkRejectInput},
	{name: ActionFileTicket, roles: partnerRoles, from: []string{CertificationRejected}, check: checkFileTicketInput},
	{name: ActionResolve, roles: staffRoles, from: []string{CertificationTicketOpen, CertificationTicketAwaitingPartner}, check: checkResolveInput},
	{name: ActionResubmit, roles: partnerRoles, from: []string{CertificationRejected}, check: checkResubmitInput},
	{name: ActionRequestInfo, roles: staffRoles, from: []string{CertificationTicketOpen}, check: checkFileTicketInput},
	{name: ActionReply, roles: partnerRoles, from: []string{CertificationTicketAwaitingPartner}, check: checkFileTicketInput},
}

type certification struct {
	caseState
	details   CertificationDetails
	ticketSLA string
}

// Certification reviews a partner's business information: automatic checks,
// then an ops decision. A rejected partner may correct and resubmit, or file
// a ticket that ops must handle within the ticket SLA; a missed deadline
// marks the case breached and notifies a supervisor, and the ticket stays
// open until ops resolves it. While ops wait for information they asked the
// partner for, the SLA clock is paused; the partner's reply restarts it with
// the paused time added to the deadline.
func Certification(ctx workflow.Context, in CertificationInput) (string, error) {
	c := &certification{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindCertification, partnerID: in.PartnerID,
			status: CertificationChecking, createdAt: in.CreatedAt, updatedAt: in.CreatedAt,
		},
		details:   CertificationDetails{BusinessInfo: in.Info.Normalized(), Submissions: 1, RecertificationOf: in.RecertificationOf},
		ticketSLA: in.TicketSLA,
	}
	if err := workflow.SetQueryHandler(ctx, QueryCase, func(role string) (cases.Case, error) {
		return c.view(c.details, allowedActions(certificationActions, role, c.status)), nil
	}); err != nil {
		return "", err
	}
	if err := registerActions(ctx, certificationActions, func() string { return c.status }, c.act); err != nil {
		return "", err
	}

	if err := c.check(ctx, step{event: "submitted", actor: in.Submitter}); err != nil {
		return "", err
	}
	for c.status != CertificationCertified {
		seen := c.seq
		changed := func() bool { return c.seq != seen }
		if c.status == CertificationTicketOpen && c.sla != nil && !c.sla.Breached {
			timedOut, err := awaitDeadline(ctx, c.sla.DueAt, changed)
			if err != nil {
				return "", err
			}
			if timedOut {
				if err := c.breach(ctx); err != nil {
					return "", err
				}
			}
			continue
		}
		if err := workflow.Await(ctx, changed); err != nil {
			return "", err
		}
	}
	// Let a handler still answering its caller finish before the run ends.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return "", err
	}
	return c.status, nil
}

// awaitDeadline waits until cond holds or the deadline passes, and says
// whether it was the deadline. Temporal has no absolute timer: the wait is
// the time left, measured on workflow time.
func awaitDeadline(ctx workflow.Context, deadline time.Time, cond func() bool) (bool, error) {
	left := deadline.Sub(workflow.Now(ctx))
	if left <= 0 {
		return true, nil
	}
	ok, err := workflow.AwaitWithTimeout(ctx, left, cond)
	return !ok, err
}

// check records how the submission came in, runs the automatic checks and
// moves the case to review or back to the partner.
func (c *certification) check(ctx workflow.Context, submitted step) error {
	c.status = CertificationChecking
	c.details.CheckProblems = nil
	c.details.RejectionReason = ""
	submitted.detail = map[string]any{"submission": c.details.Submissions}
	if err := c.record(ctx, c.details, submitted); err != nil {
		return err
	}
	var a *activities.Certification
	var problems []rules.FieldError
	req := activities.CheckRequest{PartnerID: c.partnerID, Info: c.details.BusinessInfo}
	if err := workflow.ExecuteActivity(activityContext(ctx), a.CheckBusinessInfo, req).Get(ctx, &problems); err != nil {
		return err
	}
	if len(problems) > 0 {
		c.status = CertificationRejected
		c.details.CheckProblems = problems
		c.details.RejectionReason = "automatic checks failed: " + rules.FieldErrors(problems).Error()
		return c.record(ctx, c.details, step{
			event: "checks_failed", actor: cases.System,
			detail:        map[string]any{"problems": problems},
			notifications: []cases.Notification{c.rejectedNotice()},
		})
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

func (c *certification) rejectedNotice() cases.Notification {
	return cases.Notification{
		Audience: cases.AudiencePartner, Kind: "certification_rejected",
		Message: fmt.Sprintf("Your certification %s was rejected: %s. Correct and resubmit it, or file a ticket.",
			c.id, c.details.RejectionReason),
	}
}

// act takes an action that its validator accepted.
func (c *certification) act(ctx workflow.Context, name string, req cases.ActionRequest) (cases.Case, error) {
	var err error
	switch name {
	case ActionApprove:
		err = c.certify(ctx, step{event: "approved", actor: req.Actor})
	case ActionReject:
		var in RejectInput
		_ = json.Unmarshal(req.Input, &in) // the validator decoded it already
		err = c.reject(ctx, step{event: "rejected", actor: req.Actor}, strings.TrimSpace(in.Reason))
	case ActionFileTicket:
		var in FileTicketInput
		_ = json.Unmarshal(req.Input, &in)
		err = c.fileTicket(ctx, req.Actor, strings.TrimSpace(in.Message))
	case ActionResolve:
		var in ResolveInput
		_ = json.Unmarshal(req.Input, &in)
		err = c.resolve(ctx, req.Actor, in)
	case ActionRequestInfo:
		var in FileTicketInput
		_ = json.Unmarshal(req.Input, &in)
		err = c.requestInfo(ctx, req.Actor, strings.TrimSpace(in.Message))
	case ActionReply:
		var in FileTicketInput
		_ = json.Unmarshal(req.Input, &in)
		err = c.reply(ctx, req.Actor, strings.TrimSpace(in.Message))
	case ActionResubmit:
		var info rules.BusinessInfo
		_ = json.Unmarshal(req.Input, &info)
		c.details.BusinessInfo = info.Normalized()
		c.details.Submissions++
		err = c.check(ctx, step{event: "resubmitted", actor: req.Actor})
	}
	if err != nil {
		return cases.Case{}, err
	}
	return c.view(c.details, allowedActions(certificationActions, req.Actor.Role, c.status)), nil
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

func (c *certification) reject(ctx workflow.Context, st step, reason string) error {
	c.status = CertificationRejected
	c.details.RejectionReason = reason
	st.detail = map[string]any{"reason": reason}
	st.notifications = append(st.notifications, c.rejectedNotice())
	return c.record(ctx, c.details, st)
}

func (c *certification) fileTicket(ctx workflow.Context, actor cases.Actor, message string) error {
	at := now(ctx)
	c.status = CertificationTicketOpen
	c.details.Ticket = &Ticket{Message: message, FiledBy: actor, FiledAt: at}
	var cal *activities.Calendar
	var due time.Time
	req := activities.DueAtRequest{From: at, Policy: c.ticketSLA}
	if err := workflow.ExecuteActivity(activityContext(ctx), cal.DueAt, req).Get(ctx, &due); err != nil {
		return err
	}
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
func (c *certification) requestInfo(ctx workflow.Context, actor cases.Actor, message string) error {
	at := now(ctx)
	c.status = CertificationTicketAwaitingPartner
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

// reply restarts the ticket's SLA, moving the deadline by the time it was paused.
func (c *certification) reply(ctx workflow.Context, actor cases.Actor, message string) error {
	at := now(ctx)
	paused := at.Sub(*c.details.Ticket.PausedAt)
	c.status = CertificationTicketOpen
	c.details.Ticket.PausedAt = nil
	if !c.sla.Breached {
		c.sla.DueAt = c.sla.DueAt.Add(paused)
	}
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

func checkRejectInput(input json.RawMessage) error {
	var in RejectInput
	if err := decodeInput(input, &in); err != nil {
		return err
	}
	return requireText("reason", in.Reason, MaxReasonLength)
}

func checkFileTicketInput(input json.RawMessage) error {
	var in FileTicketInput
	if err := decodeInput(input, &in); err != nil {
		return err
	}
	return requireText("message", in.Message, MaxTicketMessageLength)
}

func checkResolveInput(input json.RawMessage) error {
	var in ResolveInput
	if err := decodeInput(input, &in); err != nil {
		return err
	}
	switch in.Decision {
	case DecisionCertify:
		return nil
	case DecisionReject:
		return requireText("reason", in.Reason, MaxReasonLength)
	default:
		return invalidInput(rules.FieldErrors{{Field: "decision", Message: "must be certify or reject"}})
	}
}

func checkResubmitInput(input json.RawMessage) error {
	var info rules.BusinessInfo
	if err := decodeInput(input, &info); err != nil {
		return err
	}
	if problems := info.Validate(); len(problems) > 0 {
		return invalidInput(problems)
	}
	return nil
}

// requireText checks a required free-text field and its length in runes.
func requireText(field, value string, max int) error {
	value = strings.TrimSpace(value)
	switch {
	case value == "":
		return invalidInput(rules.FieldErrors{{Field: field, Message: "is required"}})
	case utf8.RuneCountInString(value) > max:
		return invalidInput(rules.FieldErrors{{Field: field, Message: fmt.Sprintf("must be at most %d characters", max)}})
	}
	return nil
}
