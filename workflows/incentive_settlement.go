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

// IncentiveSettlementWorkflow is the registered name of the incentive settlement process.
const IncentiveSettlementWorkflow = "IncentiveSettlement"

// Statuses of an incentive settlement case. The partner's clock (details.deadline)
// runs while the partner must act and stops while the vendor holds the case.
const (
	SettlementPublished           = "published"            // in-between: the deadline is being computed
	SettlementAwaitingApplication = "awaiting_application" // the partner applies, by the deadline
	SettlementApplying            = "applying"             // in-between: the invoice deadline is being computed
	SettlementAwaitingInvoice     = "awaiting_invoice"     // the partner submits its invoice, by the deadline
	SettlementCheckingInvoice     = "checking_invoice"     // in-between: the automatic checks run
	SettlementInvoiceInReview     = "invoice_in_review"    // ops accept or reject the invoice (the partner's clock stops)
	// A rejected invoice is taken back before a new one counts:
	SettlementAwaitingReturnRequest = "awaiting_return_request" // a paper one: the partner asks for it back
	SettlementAwaitingReversal      = "awaiting_reversal"       // an electronic one: the partner reports its reversal
	SettlementFilingReturn          = "filing_return"           // in-between: the return's deadline is being computed
	SettlementReturnRequested       = "return_requested"        // ops mail the paper invoice back, under the ticket SLA
	SettlementPaying                = "paying"                  // in-between: the payout runs
	SettlementPaid                  = "paid"                    // done: the incentive is in the partner's account
	SettlementOverdue               = "overdue"                 // the deadline passed: reminded until ops extend it or close it
	SettlementClosed                = "closed"                  // done: ops closed it unpaid, with a reason the partner reads
	// Before patchSettlementOverdue a missed deadline lapsed the settlement
	// and an ops-less timer forfeited it; recorded histories keep that way.
	SettlementLapsed    = "lapsed"    // the deadline passed; ops may extend it once, else it is forfeited
	SettlementForfeited = "forfeited" // done: lapsed and not extended
)

// Actions on an incentive settlement case (and ActionReject: ops reject the invoice).
const (
	ActionApply          = "apply"
	ActionSubmitInvoice  = "submit_invoice"
	ActionAccept         = "accept"
	ActionRequestReturn  = "request_return"
	ActionMarkReturned   = "mark_returned"
	ActionReportReversal = "report_reversal"
	ActionExtend         = "extend"
)

// How a settlement was applied for.
const (
	ApplicationAutomatic = "automatic" // the partner's automatic incentive application is on
	ApplicationManual    = "manual"    // the partner applies itself
)

// DefaultLapseGrace is how long a lapsed settlement waits for ops to extend
// it before it is forfeited, when its input names no period.
const DefaultLapseGrace = 30 * 24 * time.Hour

// DefaultOverdueReminder is how often an overdue settlement reminds the
// partner and ops, when its input names no interval.
const DefaultOverdueReminder = 7 * 24 * time.Hour

// MaxExtension bounds how far ahead ops may move a deadline.
const MaxExtension = 366 * 24 * time.Hour

// IncentiveSettlementInput starts an incentive settlement: staff published it.
type IncentiveSettlementInput struct {
	CaseID      string                `json:"case_id"`
	PartnerID   string                `json:"partner_id"`
	PublishedBy cases.Actor           `json:"published_by"`
	Period      string                `json:"period"`
	Amount      rules.Money           `json:"amount"`
	Items       []rules.IncentiveItem `json:"items"`
	Vendor      rules.Party           `json:"vendor"` // the entity the partner invoices
	// Automatic is the partner's automatic incentive application switch
	// when the settlement was published.
	Automatic   bool      `json:"automatic"`
	PublishedAt time.Time `json:"published_at"`
	// IncentivePolicy is the deadlines and reminders it was published under.
	rules.IncentivePolicy
	// ReturnSLA is the ticket SLA policy of returning a paper invoice ("3wd").
	ReturnSLA string `json:"return_sla"`
	// TimeZone is the business time zone: the month an invoice may be voided in.
	TimeZone string `json:"time_zone"`
	// LapseGrace is how long a lapsed settlement waits for an extension
	// (before patchSettlementOverdue); zero is DefaultLapseGrace.
	LapseGrace time.Duration `json:"lapse_grace,omitempty"`
	// StepsPerRun bounds the transitions one run records before it
	// continues as new; zero is the default.
	StepsPerRun int `json:"steps_per_run,omitempty"`
	// Resume is the state a previous run carried over (continue-as-new).
	Resume *Resumed[IncentiveSettlementDetails] `json:"resume,omitempty"`
}

// Details are the case's details when it starts.
func (in IncentiveSettlementInput) Details() IncentiveSettlementDetails {
	application := ApplicationManual
	if in.Automatic {
		application = ApplicationAutomatic
	}
	return IncentiveSettlementDetails{
		Period: in.Period, Amount: in.Amount, Items: in.Items, Vendor: in.Vendor,
		Application: application, PublishedAt: in.PublishedAt,
	}
}

// IncentiveSettlementDetails is the settlement's own part of the case.
type IncentiveSettlementDetails struct {
	Period      string                `json:"period" doc:"The period the incentives were earned in, e.g. 2026-Q3"`
	Amount      rules.Money           `json:"amount"`
	Items       []rules.IncentiveItem `json:"items"`
	Vendor      rules.Party           `json:"vendor" doc:"The vendor entity the invoice must be issued to (the buyer)"`
	Application string                `json:"application" doc:"automatic (the partner's automatic incentive application was on) or manual"`
	PublishedAt time.Time             `json:"published_at,omitzero" doc:"When staff published it (the case's created_at)"`
	AppliedAt   *time.Time            `json:"applied_at,omitempty"`
	// Deadline is by when the partner applies (awaiting_application) or
	// sends a valid invoice (from application on).
	Deadline *time.Time `json:"deadline,omitempty" doc:"By when the partner applies, or (once applied) sends a valid invoice"`
	// DeadlinePausedAt is when the partner's clock stopped because the
	// vendor holds the case (checks, review, a return); nil while it runs.
	DeadlinePausedAt *time.Time `json:"deadline_paused_at,omitempty" doc:"Set while the vendor holds the case: the partner's clock is stopped"`
	RemindAt         *time.Time `json:"remind_at,omitempty" doc:"When the partner is reminded of the deadline"`
	Reminded         bool       `json:"reminded,omitempty"`
	Extension        *Extension `json:"extension,omitempty" doc:"The one extension ops could grant (settlements that lapse rather than go overdue)"`
	// Extensions are every new date ops gave (settlements that go overdue).
	Extensions []Extension `json:"extensions,omitempty" doc:"The new deadlines ops gave, oldest first (the last 20)"`
	// EarlierExtensions counts the extensions older than those listed.
	EarlierExtensions int `json:"earlier_extensions,omitempty" doc:"How many more extensions ops gave before those listed"`
	// Invoices are the rounds: each invoice submitted, and what became of it.
	Invoices []InvoiceRound `json:"invoices,omitempty" doc:"The invoice rounds, oldest first (the last 20)"`
	// EarlierInvoices counts the rounds older than those listed.
	EarlierInvoices int `json:"earlier_invoices,omitempty" doc:"How many more invoice rounds came before those listed"`
	// OverdueFrom is, while overdue, the status an extension goes back to.
	OverdueFrom     string     `json:"overdue_from,omitempty" doc:"While overdue: the status an extension goes back to"`
	OverdueSince    *time.Time `json:"overdue_since,omitempty" doc:"When the deadline passed (while overdue)"`
	OverdueRemindAt *time.Time `json:"overdue_remind_at,omitempty" doc:"While overdue: when the partner and ops are reminded next"`
	Closure         *Closure   `json:"closure,omitempty" doc:"Why ops closed it unpaid (status closed)"`
	LapsedFrom      string     `json:"lapsed_from,omitempty" doc:"While lapsed: the status an extension goes back to"`
	LapsedAt        *time.Time `json:"lapsed_at,omitempty"`
	PaidAt          *time.Time `json:"paid_at,omitempty"`
}

// InvoiceRound is one invoice the partner submitted and what became of it.
type InvoiceRound struct {
	Round       int                    `json:"round"`
	Invoice     rules.Invoice          `json:"invoice"`
	SubmittedBy cases.Actor            `json:"submitted_by"`
	SubmittedAt time.Time              `json:"submitted_at"`
	Problems    []rules.InvoiceProblem `json:"problems,omitempty" doc:"The automatic checks that failed, each with its reason code"`
	// RejectionReason is ops' reason, when ops rejected it.
	RejectionReason string          `json:"rejection_reason,omitempty"`
	Return          *InvoiceReturn  `json:"return,omitempty" doc:"A rejected paper invoice's way back to the partner"`
	Reversal        *rules.Reversal `json:"reversal,omitempty" doc:"How a rejected electronic invoice was reversed"`
	ReversedAt      *time.Time      `json:"reversed_at,omitempty"`
	AcceptedAt      *time.Time      `json:"accepted_at,omitempty"`
}

// InvoiceReturn is the return of a rejected paper invoice.
type InvoiceReturn struct {
	Request     rules.ReturnRequest   `json:"request"`
	RequestedAt time.Time             `json:"requested_at"`
	DueAt       time.Time             `json:"due_at" doc:"By when ops mail it back (the ticket SLA)"`
	Breached    bool                  `json:"breached,omitempty"`
	Shipment    *rules.ReturnShipment `json:"shipment,omitempty"`
	ReturnedAt  *time.Time            `json:"returned_at,omitempty"`
}

// Closure is ops closing an overdue settlement unpaid, and why.
type Closure struct {
	Reason string      `json:"reason"`
	By     cases.Actor `json:"by"`
	At     time.Time   `json:"at"`
}

// Extension is ops moving the partner's deadline.
type Extension struct {
	From   *time.Time  `json:"from,omitempty"`
	To     time.Time   `json:"to"`
	Reason string      `json:"reason"`
	By     cases.Actor `json:"by"`
	At     time.Time   `json:"at"`
}

// ExtendInput is the input of extend: the new deadline and why.
type ExtendInput struct {
	Deadline time.Time `json:"deadline" doc:"The new deadline, in the future"`
	Reason   string    `json:"reason"`
}

// incentiveSettlementProcess declares the incentive settlement.
var incentiveSettlementProcess = Process{
	Kind: cases.KindIncentiveSettlement, Workflow: IncentiveSettlementWorkflow, Run: IncentiveSettlement,
	Statuses: []Status{
		{Name: SettlementPublished, Start: true, WaitsOn: System, Next: []string{SettlementAwaitingApplication, SettlementApplying}},
		{Name: SettlementAwaitingApplication, WaitsOn: Partner, Next: []string{SettlementOverdue, SettlementLapsed}},
		{Name: SettlementApplying, WaitsOn: System, Next: []string{SettlementAwaitingInvoice, SettlementAwaitingApplication}},
		{Name: SettlementAwaitingInvoice, WaitsOn: Partner, Next: []string{SettlementOverdue, SettlementLapsed}},
		{Name: SettlementCheckingInvoice, WaitsOn: System, PausesSLA: true,
			Next: []string{SettlementInvoiceInReview, SettlementAwaitingReturnRequest, SettlementAwaitingReversal}},
		{Name: SettlementInvoiceInReview, WaitsOn: Ops, PausesSLA: true},
		{Name: SettlementAwaitingReturnRequest, WaitsOn: Partner, Next: []string{SettlementOverdue, SettlementLapsed}},
		{Name: SettlementAwaitingReversal, WaitsOn: Partner, Next: []string{SettlementOverdue, SettlementLapsed}},
		{Name: SettlementFilingReturn, WaitsOn: System, Next: []string{SettlementReturnRequested, SettlementAwaitingReturnRequest}},
		{Name: SettlementReturnRequested, WaitsOn: Ops},
		{Name: SettlementPaying, WaitsOn: System, Next: []string{SettlementPaid}},
		{Name: SettlementPaid, Final: true},
		{Name: SettlementOverdue, WaitsOn: Ops},
		{Name: SettlementClosed, Final: true},
		{Name: SettlementLapsed, WaitsOn: Ops, Next: []string{SettlementForfeited}},
		{Name: SettlementForfeited, Final: true},
	},
	Actions: incentiveSettlementActions.static(),
	Schema:  "IncentiveSettlementCase", Details: reflect.TypeFor[IncentiveSettlementDetails](),
	Subject: subjectOf(func(d IncentiveSettlementDetails) string { return joined(d.Period, d.Amount.String()) }),
	Description: "An incentive settlement case: staff published what a partner earned (published while its deadline is computed). " +
		"With the partner's automatic incentive application on it is applied for at once; otherwise it is awaiting_application " +
		"until the partner applies (applying while the invoice deadline is computed). In awaiting_invoice the partner submit_invoice's " +
		"the VAT special invoice it issued to details.vendor (checking_invoice while the automatic checks run: each failure has a " +
		"reason code). Passed, it is invoice_in_review: ops accept (paying while the ledger pays details.amount into the partner's " +
		"account, once; then paid, final) or reject with a reason. A rejected invoice is taken back before a new " +
		"one counts: a paper one (awaiting_return_request) with request_return (address, recipient; filing_return, then return_requested, where ops " +
		"mark_returned with the courier and tracking number within the ticket SLA: a breach sets sla.breached and notifies " +
		"supervisors), an electronic one (awaiting_reversal) with report_reversal (an old-format one voided in its month or by its red-letter invoice's number, " +
		"a fully digitalised one only by its red-letter confirmation's 20-digit number; a refusal names the rule in errors[].code); back to " +
		"awaiting_invoice, any number of rounds (details.invoices). The partner's deadline (details.deadline, sla.due_at outside " +
		"a return) stops while the vendor holds the case; the partner and ops are reminded before it passes (docs/incentive-policy.md). " +
		"A missed deadline makes the case overdue: nothing is forfeited by time, the partner and ops are reminded at the policy's interval, " +
		"and only ops decide: extend with a new date (any number of times, before or after the deadline; back to the status it was overdue from) " +
		"or close with a reason the partner reads (closed, final, unpaid). Settlements started before this rule keep theirs: " +
		"lapsed, extended once, forfeited (final) 30 days later or on lapsing again.",
}

// extendable are the statuses ops may extend a settlement's deadline in
// (and overdue or lapsed, which an extension takes back to one of them).
var extendable = []string{SettlementAwaitingApplication, SettlementAwaitingInvoice, SettlementInvoiceInReview,
	SettlementAwaitingReturnRequest, SettlementAwaitingReversal, SettlementReturnRequested}

// incentiveSettlementActions is who may do what, when, and with which step.
var incentiveSettlementActions = table[*settlement]{
	act[*settlement, noInput]{actionSpec: actionSpec{ActionApply, cases.PartnerRoles, []string{SettlementAwaitingApplication}, []string{SettlementApplying}},
		step: (*settlement).applyAction},
	act[*settlement, rules.Invoice]{actionSpec: actionSpec{ActionSubmitInvoice, cases.PartnerRoles, []string{SettlementAwaitingInvoice}, []string{SettlementCheckingInvoice}},
		check: validInput[rules.Invoice], step: (*settlement).submitInvoice},
	act[*settlement, noInput]{actionSpec: actionSpec{ActionAccept, cases.StaffRoles, []string{SettlementInvoiceInReview}, []string{SettlementPaying}},
		step: (*settlement).accept},
	act[*settlement, RejectInput]{actionSpec: actionSpec{ActionReject, cases.StaffRoles, []string{SettlementInvoiceInReview},
		[]string{SettlementAwaitingReturnRequest, SettlementAwaitingReversal}},
		check: checkRejectInput, claimCase: (*settlement).rejectedStatus, step: (*settlement).rejectInvoice},
	act[*settlement, rules.ReturnRequest]{actionSpec: actionSpec{ActionRequestReturn, cases.PartnerRoles, []string{SettlementAwaitingReturnRequest}, []string{SettlementFilingReturn}},
		check: validInput[rules.ReturnRequest], step: (*settlement).requestReturn},
	act[*settlement, rules.ReturnShipment]{actionSpec: actionSpec{ActionMarkReturned, cases.StaffRoles, []string{SettlementReturnRequested}, []string{SettlementAwaitingInvoice}},
		check: validInput[rules.ReturnShipment], step: (*settlement).markReturned},
	act[*settlement, rules.Reversal]{actionSpec: actionSpec{ActionReportReversal, cases.PartnerRoles, []string{SettlementAwaitingReversal}, []string{SettlementAwaitingInvoice}},
		check: validInput[rules.Reversal], checkCase: (*settlement).checkReversal, step: (*settlement).reportReversal},
	act[*settlement, ExtendInput]{actionSpec: actionSpec{ActionExtend, cases.StaffRoles, append(slices.Clone(extendable), SettlementOverdue, SettlementLapsed), extendable},
		check: checkExtendInput, checkCase: (*settlement).checkExtend, claimCase: (*settlement).extendedStatus, step: (*settlement).extend},
	act[*settlement, RejectInput]{actionSpec: actionSpec{ActionClose, cases.StaffRoles, []string{SettlementOverdue}, []string{SettlementClosed}},
		check: checkRejectInput, step: (*settlement).close},
}

type settlement struct {
	caseState
	details  IncentiveSettlementDetails
	in       IncentiveSettlementInput
	location *time.Location
	lapseFor time.Duration
	// overdue: this run takes patchSettlementOverdue's side (a missed
	// deadline is overdue until ops decide, not lapsed then forfeited).
	overdue      bool
	overdueEvery time.Duration
	workflowNow  func() time.Time // workflow time, for the validators
}

// IncentiveSettlement runs one published settlement to its payout: the
// partner applies (or its automatic application does), submits a VAT
// special invoice that the automatic checks and then ops accept, and is
// paid exactly once through the ledger. A rejected invoice is taken back
// first (a paper one returned by ops under the ticket SLA, an electronic
// one reversed by a red-letter invoice or voided), any number of rounds.
// A missed deadline makes the settlement overdue until ops extend or close it
// (before patchSettlementOverdue: it lapsed, ops could extend it once).
func IncentiveSettlement(ctx workflow.Context, in IncentiveSettlementInput) (string, error) {
	w := &settlement{
		caseState: caseState{
			id: in.CaseID, kind: cases.KindIncentiveSettlement, partnerID: in.PartnerID,
			status: SettlementPublished, createdAt: in.PublishedAt, updatedAt: in.PublishedAt,
		},
		in:          in,
		lapseFor:    in.LapseGrace,
		workflowNow: func() time.Time { return workflow.Now(ctx) },
	}
	if w.lapseFor <= 0 {
		w.lapseFor = DefaultLapseGrace
	}
	w.overdueEvery = cmp.Or(in.OverdueReminder, DefaultOverdueReminder)
	w.overdue = patched(ctx, patchSettlementOverdue)
	w.location = zone(in.TimeZone)
	w.details = resume(&w.caseState, in.Resume, in.Details(), in.StepsPerRun)
	return w.live(ctx, life{
		actions: incentiveSettlementActions.bind(w), details: func() any { return w.details },
		first: firstRun(in.Resume, w.publish),
		wait:  w.wait,
		next: func() any {
			next := in
			next.Resume = carry(&w.caseState, w.details)
			return next
		},
	})
}

// publish records the publication: with automatic application the case
// applies at once, else it waits for the partner to apply by its deadline.
func (w *settlement) publish(ctx workflow.Context) error {
	published := step{event: "published", actor: w.in.PublishedBy,
		detail: map[string]any{"period": w.details.Period, "amount": w.details.Amount, "application": w.details.Application}}
	if w.in.Automatic {
		w.status = SettlementApplying
		if err := w.record(ctx, w.details, published); err != nil {
			return err
		}
		return w.apply(ctx, cases.System)
	}
	due, err := w.dueAt(ctx, w.in.InvoiceDeadline)
	if err != nil {
		return err
	}
	w.status = SettlementAwaitingApplication
	w.setDeadline(w.details.PublishedAt, due)
	published.notifications = []cases.Notification{{
		Audience: cases.AudiencePartner, Kind: "incentive_published",
		Message: fmt.Sprintf("An incentive settlement of %s for %s is published (%s); apply for it by %s.",
			w.details.Amount, w.details.Period, w.id, due.Format(time.RFC3339)),
	}}
	return w.record(ctx, w.details, published)
}

func (w *settlement) applyAction(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	return w.apply(ctx, actor)
}

// apply starts the partner's invoice window; the case is applying (claimed)
// until its deadline is known.
func (w *settlement) apply(ctx workflow.Context, actor cases.Actor) error {
	at := now(ctx)
	due, err := w.dueAt(ctx, w.in.InvoiceDeadline)
	if err != nil {
		w.status = SettlementAwaitingApplication
		return err
	}
	w.status = SettlementAwaitingInvoice
	w.details.AppliedAt = &at
	w.setDeadline(at, due)
	return w.record(ctx, w.details, step{
		event: "applied", actor: actor, detail: map[string]any{"application": w.details.Application, "deadline": due},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "incentive_invoice_requested",
			Message: fmt.Sprintf("Settlement %s (%s, %s) is applied for. Issue a VAT special invoice of %s to %s (%s) and submit it by %s.",
				w.id, w.details.Period, w.details.Application, w.details.Amount, w.details.Vendor.Name, w.details.Vendor.TaxID, due.Format(time.RFC3339)),
		}},
	})
}

// dueAt computes a deadline from now on the business calendar.
func (w *settlement) dueAt(ctx workflow.Context, policy string) (time.Time, error) {
	return dueAt.run(ctx, activities.DueAtRequest{From: now(ctx), Policy: policy})
}

// setDeadline starts the partner's clock: due, with a reminder before it.
func (w *settlement) setDeadline(from, due time.Time) {
	remind := rules.IncentiveReminderAt(from, due, w.in.RemindPercent)
	w.details.Deadline, w.details.RemindAt, w.details.Reminded, w.details.DeadlinePausedAt = &due, &remind, false, nil
	w.sla = &cases.SLA{DueAt: due}
}

// pauseClock stops the partner's clock while the vendor holds the case.
func (w *settlement) pauseClock(ctx workflow.Context) {
	if w.details.DeadlinePausedAt == nil && w.details.Deadline != nil {
		at := now(ctx)
		w.details.DeadlinePausedAt = &at
	}
}

// resumeClock restarts the partner's clock, the deadline (and the
// reminder) moved by the time it stood still.
func (w *settlement) resumeClock(ctx workflow.Context) {
	if w.details.DeadlinePausedAt == nil || w.details.Deadline == nil {
		return
	}
	paused := now(ctx).Sub(*w.details.DeadlinePausedAt)
	due := w.details.Deadline.Add(paused)
	w.details.Deadline, w.details.DeadlinePausedAt = &due, nil
	if w.details.RemindAt != nil {
		remind := w.details.RemindAt.Add(paused)
		w.details.RemindAt = &remind
	}
	w.sla = &cases.SLA{DueAt: due}
}

// partnerTurn reports whether the partner must act now (its clock runs):
// the settlement waits on the partner (its declaration says when).
func partnerTurn(status string) bool {
	return declared.WaitsOn(cases.KindIncentiveSettlement, status) == Partner
}

// wait waits for the case to move: a reminder or the partner's deadline
// while it is the partner's turn, the return's SLA, an overdue case's next
// reminder, the end of a lapse's grace, or any action.
func (w *settlement) wait(ctx workflow.Context) error {
	changed := w.moved()
	d := w.details
	switch {
	case partnerTurn(w.status) && d.Deadline != nil:
		if !d.Reminded && d.RemindAt != nil && workflow.Now(ctx).Before(*d.Deadline) {
			return awaitDeadline(ctx, *d.RemindAt, changed, w.remind)
		}
		return awaitDeadline(ctx, *d.Deadline, changed, w.lapse)
	case w.status == SettlementReturnRequested && w.sla != nil && !w.sla.Breached:
		return awaitDeadline(ctx, w.sla.DueAt, changed, w.breachReturn)
	case w.status == SettlementOverdue && d.OverdueRemindAt != nil:
		return awaitDeadline(ctx, *d.OverdueRemindAt, changed, w.remindOverdue)
	case w.status == SettlementLapsed && d.LapsedAt != nil:
		return awaitDeadline(ctx, d.LapsedAt.Add(w.lapseFor), changed, w.forfeit)
	default:
		return workflow.Await(ctx, changed)
	}
}

func (w *settlement) remind(ctx workflow.Context) error {
	w.details.Reminded = true
	todo := "submit a valid VAT special invoice"
	if w.status == SettlementAwaitingApplication {
		todo = "apply for it"
	}
	st := step{
		event: "reminder_sent", actor: cases.System, detail: map[string]any{"deadline": w.details.Deadline},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "incentive_deadline_reminder",
			Message: fmt.Sprintf("Settlement %s (%s, %s): %s by %s, or it lapses.",
				w.id, w.details.Period, w.details.Amount, todo, w.details.Deadline.Format(time.RFC3339)),
		}},
	}
	if w.overdue {
		st.notifications = []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "incentive_deadline_reminder",
			Message: fmt.Sprintf("Settlement %s (%s, %s): %s by %s; after that it is overdue until ops decide on it.",
				w.id, w.details.Period, w.details.Amount, todo, w.details.Deadline.Format(time.RFC3339)),
		}, {
			Audience: cases.AudienceOps, Kind: "incentive_deadline_reminder",
			Message: fmt.Sprintf("Partner %s has until %s to %s on settlement %s (%s, %s).",
				w.partnerID, w.details.Deadline.Format(time.RFC3339), todo, w.id, w.details.Period, w.details.Amount),
		}}
	}
	return w.record(ctx, w.details, st)
}

// becomeOverdue marks the settlement overdue at its deadline: nothing is
// forfeited by time; the partner and ops are reminded at the policy's
// interval until ops extend it or close it.
func (w *settlement) becomeOverdue(ctx workflow.Context) error {
	at := now(ctx)
	next := at.Add(w.overdueEvery)
	w.details.OverdueFrom, w.details.OverdueSince, w.details.OverdueRemindAt = w.status, &at, &next
	w.sla.Breached = true
	w.status = SettlementOverdue
	return w.record(ctx, w.details, step{
		event: "overdue", actor: cases.System, detail: map[string]any{"deadline": w.details.Deadline, "was": w.details.OverdueFrom},
		notifications: w.overdueNotices("is overdue"),
	})
}

// remindOverdue reminds the partner and ops of an overdue settlement, and
// sets the next reminder.
func (w *settlement) remindOverdue(ctx workflow.Context) error {
	next := w.details.OverdueRemindAt.Add(w.overdueEvery)
	w.details.OverdueRemindAt = &next
	return w.record(ctx, w.details, step{
		event: "overdue_reminder_sent", actor: cases.System, detail: map[string]any{"deadline": w.details.Deadline, "since": w.details.OverdueSince},
		notifications: w.overdueNotices("is still overdue"),
	})
}

// overdueNotices tell the partner and ops that the settlement is overdue
// and that only ops decide on it.
func (w *settlement) overdueNotices(state string) []cases.Notification {
	deadline := w.details.Deadline.Format(time.RFC3339)
	return []cases.Notification{
		{Audience: cases.AudiencePartner, Kind: "incentive_overdue",
			Message: fmt.Sprintf("Settlement %s (%s, %s) %s: its deadline %s passed. Nothing is forfeited; ops will give a new date or close it with a reason.",
				w.id, w.details.Period, w.details.Amount, state, deadline)},
		{Audience: cases.AudienceOps, Kind: "incentive_overdue",
			Message: fmt.Sprintf("Settlement %s of partner %s (%s, %s) %s since %s: extend it with a new date or close it with a reason.",
				w.id, w.partnerID, w.details.Period, w.details.Amount, state, deadline)},
	}
}

// close ends an overdue settlement unpaid, with the reason the partner reads.
func (w *settlement) close(ctx workflow.Context, actor cases.Actor, in RejectInput) error {
	reason := strings.TrimSpace(in.Reason)
	w.details.Closure = &Closure{Reason: reason, By: actor, At: now(ctx)}
	w.details.OverdueRemindAt = nil
	w.status = SettlementClosed
	return w.record(ctx, w.details, step{
		event: "closed", actor: actor, detail: map[string]any{"reason": reason},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "incentive_closed",
			Message: fmt.Sprintf("Settlement %s (%s, %s) is closed unpaid: %s", w.id, w.details.Period, w.details.Amount, reason),
		}},
	})
}

// lapse marks the settlement lapsed at its deadline; ops may still extend
// it once, for the grace period, after which it is forfeited. A settlement
// already extended is forfeited at once.
func (w *settlement) lapse(ctx workflow.Context) error {
	if w.overdue {
		return w.becomeOverdue(ctx)
	}
	at := now(ctx)
	w.details.LapsedFrom, w.details.LapsedAt = w.status, &at
	w.sla.Breached = true
	w.status = SettlementLapsed
	message := fmt.Sprintf("Settlement %s (%s, %s) lapsed: its deadline %s passed.", w.id, w.details.Period, w.details.Amount,
		w.details.Deadline.Format(time.RFC3339))
	if w.details.Extension != nil {
		w.status = SettlementForfeited
		message += " It was extended once already and is forfeited."
	}
	return w.record(ctx, w.details, step{
		event: "lapsed", actor: cases.System, detail: map[string]any{"deadline": w.details.Deadline, "was": w.details.LapsedFrom},
		notifications: []cases.Notification{
			{Audience: cases.AudiencePartner, Kind: "incentive_lapsed", Message: message},
			{Audience: cases.AudienceOps, Kind: "incentive_lapsed", Message: message},
		},
	})
}

func (w *settlement) forfeit(ctx workflow.Context) error {
	w.status = SettlementForfeited
	return w.record(ctx, w.details, step{
		event: "forfeited", actor: cases.System,
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "incentive_forfeited",
			Message: fmt.Sprintf("Settlement %s (%s, %s) lapsed and was not extended: it is forfeited.", w.id, w.details.Period, w.details.Amount),
		}},
	})
}

// current is the latest invoice round.
func (w *settlement) current() *InvoiceRound {
	return &w.details.Invoices[len(w.details.Invoices)-1]
}

// submitInvoice records the invoice as a new round and runs the automatic
// checks; the case is checking_invoice (claimed) until they answer, and the
// partner's clock stands still meanwhile.
func (w *settlement) submitInvoice(ctx workflow.Context, actor cases.Actor, inv rules.Invoice) error {
	at := now(ctx)
	inv = inv.Normalized()
	w.pauseClock(ctx)
	w.details.Invoices = appendBounded(w.details.Invoices, InvoiceRound{
		Round: w.details.EarlierInvoices + len(w.details.Invoices) + 1, Invoice: inv, SubmittedBy: actor, SubmittedAt: at,
	}, &w.details.EarlierInvoices)
	round := w.current()
	if err := w.record(ctx, w.details, step{
		event: "invoice_submitted", actor: actor,
		detail: map[string]any{"round": round.Round, "kind": inv.Kind, "medium": inv.Medium, "number": rules.InvoiceNumberText(inv.Code, inv.Number)},
	}); err != nil {
		return err
	}
	req := activities.InvoiceCheckRequest{
		CaseID: w.id, Round: round.Round, PartnerID: w.partnerID, Invoice: inv, Buyer: w.details.Vendor,
		Amount: w.details.Amount, PublishedAt: w.details.PublishedAt, SubmittedAt: at,
	}
	problems, err := checkInvoice.run(ctx, req)
	if err != nil {
		return err
	}
	round = w.current()
	if len(problems) > 0 {
		round.Problems = problems
		codes := make([]string, len(problems))
		for i, p := range problems {
			codes[i] = p.Code
		}
		return w.sendBack(ctx, step{event: "checks_failed", actor: cases.System,
			detail: map[string]any{"round": round.Round, "problems": problems}},
			"the automatic checks failed ("+strings.Join(codes, ", ")+")")
	}
	w.status = SettlementInvoiceInReview
	return w.record(ctx, w.details, step{
		event: "checks_passed", actor: cases.System, detail: map[string]any{"round": round.Round},
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "incentive_invoice_to_review",
			Message: fmt.Sprintf("The invoice %s for settlement %s of partner %s passed the checks and waits for review.",
				rules.InvoiceNumberText(inv.Code, inv.Number), w.id, w.partnerID),
		}},
	})
}

// sendBack rejects the current invoice: the partner takes it back (a paper
// one is returned, an electronic one reversed) before a new one counts.
func (w *settlement) sendBack(ctx workflow.Context, st step, why string) error {
	w.status = w.rejectedStatus(RejectInput{})
	w.resumeClock(ctx)
	todo := "state the red-letter invoice that reverses it, or that it was voided (report_reversal)"
	if w.current().Invoice.Medium == rules.MediumPaper {
		todo = "ask for it back with a return address and a recipient (request_return)"
	}
	st.notifications = append(st.notifications, cases.Notification{
		Audience: cases.AudiencePartner, Kind: "incentive_invoice_rejected",
		Message: fmt.Sprintf("Your invoice for settlement %s was rejected: %s. Take it back first: %s; then submit a correct one by %s.",
			w.id, why, todo, w.details.Deadline.Format(time.RFC3339)),
	})
	return w.record(ctx, w.details, st)
}

func (w *settlement) rejectInvoice(ctx workflow.Context, actor cases.Actor, in RejectInput) error {
	reason := strings.TrimSpace(in.Reason)
	w.current().RejectionReason = reason
	return w.sendBack(ctx, step{event: "invoice_rejected", actor: actor,
		detail: map[string]any{"round": w.current().Round, "reason": reason}}, reason)
}

// accept pays the settlement out once and closes the case as paid; it is
// paying (claimed) while the ledger posting runs.
func (w *settlement) accept(ctx workflow.Context, actor cases.Actor, _ noInput) error {
	at := now(ctx)
	round := w.current()
	round.AcceptedAt = &at
	if err := w.record(ctx, w.details, step{event: "invoice_accepted", actor: actor, detail: map[string]any{"round": round.Round}}); err != nil {
		return err
	}
	payout := activities.Payout{Reference: w.id, PartnerID: w.partnerID, Amount: w.details.Amount,
		Memo: fmt.Sprintf("Incentive settlement %s (%s)", w.id, w.details.Period)}
	if _, err := payOut.run(ctx, payout); err != nil {
		return err
	}
	paid := now(ctx)
	w.status = SettlementPaid
	w.details.PaidAt = &paid
	w.details.DeadlinePausedAt = nil
	return w.record(ctx, w.details, step{
		event: "paid", actor: cases.System, detail: map[string]any{"amount": w.details.Amount},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "incentive_paid",
			Message: fmt.Sprintf("Settlement %s (%s) is paid: %s is in your account.", w.id, w.details.Period, w.details.Amount),
		}},
	})
}

// rejectedStatus is the status a rejection leaves the case in: the way
// back its invoice's medium takes.
func (w *settlement) rejectedStatus(RejectInput) string {
	if w.current().Invoice.Medium == rules.MediumPaper {
		return SettlementAwaitingReturnRequest
	}
	return SettlementAwaitingReversal
}

// requestReturn files the partner's return ticket: ops mail the paper
// invoice back within the ticket SLA. The case is filing_return (claimed)
// until the SLA's deadline is known; the partner's clock stops meanwhile.
func (w *settlement) requestReturn(ctx workflow.Context, actor cases.Actor, in rules.ReturnRequest) error {
	at := now(ctx)
	due, err := w.dueAt(ctx, w.in.ReturnSLA)
	if err != nil {
		w.status = SettlementAwaitingReturnRequest
		return err
	}
	w.status = SettlementReturnRequested
	w.pauseClock(ctx)
	w.current().Return = &InvoiceReturn{Request: in.Normalized(), RequestedAt: at, DueAt: due}
	w.sla = &cases.SLA{DueAt: due}
	return w.record(ctx, w.details, step{
		event: "return_requested", actor: actor, detail: map[string]any{"round": w.current().Round, "due_at": due},
		notifications: []cases.Notification{{
			Audience: cases.AudienceOps, Kind: "invoice_return_requested",
			Message: fmt.Sprintf("Partner %s asks for its rejected paper invoice of settlement %s back; mail it by %s.",
				w.partnerID, w.id, due.Format(time.RFC3339)),
		}},
	})
}

// breachReturn flags a return ops did not mail in time and tells the
// supervisors; the return stays open until ops mark it returned.
func (w *settlement) breachReturn(ctx workflow.Context) error {
	w.sla.Breached = true
	w.current().Return.Breached = true
	return w.record(ctx, w.details, step{
		event: "sla_breached", actor: cases.System, detail: map[string]any{"due_at": w.sla.DueAt},
		notifications: []cases.Notification{{
			Audience: cases.AudienceSupervisor, Kind: "sla_breached",
			Message: fmt.Sprintf("The return of partner %s's invoice on settlement %s missed its deadline %s and is still open.",
				w.partnerID, w.id, w.sla.DueAt.Format(time.RFC3339)),
		}},
	})
}

func (w *settlement) markReturned(ctx workflow.Context, actor cases.Actor, in rules.ReturnShipment) error {
	at := now(ctx)
	shipment := in.Normalized()
	ret := w.current().Return
	ret.Shipment, ret.ReturnedAt = &shipment, &at
	w.resumeClock(ctx)
	return w.record(ctx, w.details, step{
		event: "returned", actor: actor,
		detail: map[string]any{"round": w.current().Round, "courier": shipment.Courier, "tracking_number": shipment.TrackingNumber, "breached": ret.Breached},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "invoice_returned",
			Message: fmt.Sprintf("Your rejected invoice of settlement %s is on its way back (%s %s). Submit a correct VAT special invoice by %s.",
				w.id, shipment.Courier, shipment.TrackingNumber, w.details.Deadline.Format(time.RFC3339)),
		}},
	})
}

// checkReversal judges a reversal against the invoice it takes back, by
// its form (rules.ReversalProblems), on today in the business time zone.
func (w *settlement) checkReversal(in rules.Reversal) error {
	if problems := rules.ReversalProblems(w.current().Invoice, in, w.workflowNow().In(w.location).Format(time.DateOnly)); len(problems) > 0 {
		return invalidInput(problems)
	}
	return nil
}

func (w *settlement) reportReversal(ctx workflow.Context, actor cases.Actor, in rules.Reversal) error {
	at := now(ctx)
	in.RedLetterNumber = strings.TrimSpace(in.RedLetterNumber)
	round := w.current()
	round.Reversal, round.ReversedAt = &in, &at
	detail := map[string]any{"round": round.Round, "voided": in.Voided}
	if !in.Voided {
		detail["red_letter_number"] = in.RedLetterNumber
	}
	return w.record(ctx, w.details, step{event: "invoice_reversed", actor: actor, detail: detail})
}

// checkExtendInput: a new deadline, and why.
func checkExtendInput(in ExtendInput) error {
	var errs rules.FieldErrors
	if in.Deadline.IsZero() {
		errs = append(errs, rules.FieldError{Field: "deadline", Message: "is required: the new deadline (RFC 3339)"})
	}
	if err := requireText("reason", in.Reason, MaxReasonLength); err != nil {
		if len(errs) == 0 {
			return err
		}
		errs = append(errs, rules.FieldError{Field: "reason", Message: "is required, at most 1000 characters without control characters"})
	}
	if len(errs) > 0 {
		return invalidInput(errs)
	}
	return nil
}

// checkExtend: to a deadline in the future within a year (once, for a
// settlement that lapses rather than goes overdue).
func (w *settlement) checkExtend(in ExtendInput) error {
	if !w.overdue && w.details.Extension != nil {
		return refuse(cases.RefusalConflict, "the settlement was extended once already (to %s); it cannot be extended again",
			w.details.Extension.To.Format(time.RFC3339))
	}
	switch {
	case in.Deadline.IsZero(): // checkExtendInput names it
	case !in.Deadline.After(w.workflowNow()):
		return invalidInput(rules.FieldErrors{{Field: "deadline", Message: "must be in the future"}})
	case in.Deadline.Sub(w.workflowNow()) > MaxExtension:
		return invalidInput(rules.FieldErrors{{Field: "deadline", Message: "must be within a year"}})
	}
	return nil
}

// extendedStatus is the status an extension leaves the case in: the same,
// or for an overdue (lapsed) settlement the one it was overdue (lapsed) from.
func (w *settlement) extendedStatus(ExtendInput) string {
	switch w.status {
	case SettlementOverdue:
		return w.details.OverdueFrom
	case SettlementLapsed:
		return w.details.LapsedFrom
	}
	return w.status
}

func (w *settlement) extend(ctx workflow.Context, actor cases.Actor, in ExtendInput) error {
	at := now(ctx)
	to := in.Deadline.UTC().Truncate(time.Microsecond)
	extension := Extension{From: w.details.Deadline, To: to, Reason: strings.TrimSpace(in.Reason), By: actor, At: at}
	if w.overdue {
		w.details.Extensions = appendBounded(w.details.Extensions, extension, &w.details.EarlierExtensions)
	} else {
		w.details.Extension = &extension
	}
	paused := w.details.DeadlinePausedAt
	w.setDeadline(at, to)
	if paused != nil { // the vendor still holds the case: the new deadline runs once it hands it back
		w.details.DeadlinePausedAt = &at
	}
	if w.status == SettlementReturnRequested {
		ret := w.current().Return
		w.sla = &cases.SLA{DueAt: ret.DueAt, Breached: ret.Breached}
	}
	w.details.LapsedFrom, w.details.LapsedAt = "", nil
	w.details.OverdueFrom, w.details.OverdueSince, w.details.OverdueRemindAt = "", nil, nil
	return w.record(ctx, w.details, step{
		event: "extended", actor: actor, detail: map[string]any{"deadline": to, "reason": extension.Reason},
		notifications: []cases.Notification{{
			Audience: cases.AudiencePartner, Kind: "incentive_extended",
			Message: fmt.Sprintf("Settlement %s (%s, %s): the deadline is extended to %s (%s).",
				w.id, w.details.Period, w.details.Amount, to.Format(time.RFC3339), extension.Reason),
		}},
	})
}

// SettlementNextStep says what the partner must do next on a settlement in
// status, its deadline shown in the business time zone loc, or "" when it
// waits for nothing from the partner.
func SettlementNextStep(status string, d IncentiveSettlementDetails, loc *time.Location) string {
	by := ""
	if d.Deadline != nil {
		by = " by " + d.Deadline.In(loc).Format("2006-01-02 15:04") + " (" + loc.String() + ")"
	}
	switch status {
	case SettlementAwaitingApplication:
		return "apply" + by
	case SettlementAwaitingInvoice:
		return fmt.Sprintf("submit_invoice: a VAT special invoice of %s to %s (%s)%s", d.Amount, d.Vendor.Name, d.Vendor.TaxID, by)
	case SettlementAwaitingReturnRequest:
		return "request_return: ask for the rejected paper invoice back" + by
	case SettlementAwaitingReversal:
		return "report_reversal: state the red-letter invoice that reverses the rejected one (or that it was voided)" + by
	case SettlementOverdue:
		return "none: the deadline has passed; ops decide, either extending it with a new date or closing the settlement " +
			"with a reason you can read; nothing is forfeited without that decision"
	}
	return ""
}
