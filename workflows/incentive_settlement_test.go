package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

var (
	vendorEntity = rules.Party{Name: "Partnerops Cloud Computing Co., Ltd.", TaxID: rules.WithUSCCCheck("91330106MA2CFKQ72")}
	acmeSeller   = rules.Party{Name: "Acme Solutions Ltd", TaxID: validNumber}
	// Ten working days after that Friday afternoon: the end of Friday, 11 December.
	endOfTenthWorkingDay = time.Date(2026, 12, 11, 23, 59, 59, 0, shanghai)
)

// settlementHarness runs the incentive settlement workflow with fake
// activities: the checks are the real rules against a fixed certified
// seller, and the payout counts its postings by reference.
type settlementHarness struct {
	*certHarness
	usedNumbers map[string]bool
	payouts     map[string]int
	// failAfterCommit makes the first payout fail after its money moved,
	// as a worker dying between the commit and the report would.
	failAfterCommit bool
}

func newSettlementHarness(t *testing.T) *settlementHarness {
	h := &settlementHarness{certHarness: newCertHarness(t), usedNumbers: map[string]bool{}, payouts: map[string]int{}}
	h.env.RegisterWorkflowWithOptions(IncentiveSettlement, workflow.RegisterOptions{Name: IncentiveSettlementWorkflow})
	h.env.RegisterActivityWithOptions(func(_ context.Context, req activities.InvoiceCheckRequest) ([]rules.InvoiceProblem, error) {
		number := req.Invoice.Code + "/" + req.Invoice.Number
		used := h.usedNumbers[number]
		h.usedNumbers[number] = true
		return rules.CheckInvoice(req.Invoice, rules.InvoiceExpectation{
			Buyer: req.Buyer, Seller: acmeSeller, Amount: req.Amount, NumberUsed: used,
			PublishedOn: req.PublishedAt.In(shanghai).Format(time.DateOnly), Today: req.SubmittedAt.In(shanghai).Format(time.DateOnly),
		}), nil
	}, activity.RegisterOptions{Name: "CheckInvoice"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, p activities.Payout) error {
		h.payouts[p.Reference]++
		if h.failAfterCommit {
			h.failAfterCommit = false
			return errors.New("worker lost after the payout committed")
		}
		return nil
	}, activity.RegisterOptions{Name: "PayOut"})
	return h
}

func settlementInput(automatic bool) IncentiveSettlementInput {
	amount := rules.Money{Amount: 106_000, Currency: "CNY"}
	return IncentiveSettlementInput{
		CaseID: "cas_inc", PartnerID: "prt_acme", PublishedBy: opsActor, Period: "2026-Q3", Amount: amount,
		Items:  []rules.IncentiveItem{{Name: "Q3 resale growth", Amount: &amount}},
		Vendor: vendorEntity, Automatic: automatic, PublishedAt: fridayAfternoon.UTC(),
		IncentivePolicy: rules.IncentivePolicy{InvoiceDeadline: "10wd"}, ReturnSLA: "3wd", TimeZone: "Asia/Shanghai",
	}
}

func (h *settlementHarness) runSettlement(in IncentiveSettlementInput) string {
	return h.runRefusingOnly(IncentiveSettlementWorkflow, in)
}

// invoice is a correct invoice for the settlement: a fully digitalised VAT
// special e-invoice from Acme to the vendor entity.
func invoice(number string) rules.Invoice {
	return rules.Invoice{
		Kind: rules.DigitalVATSpecial, Medium: rules.MediumElectronic, Number: number, IssueDate: "2026-11-27",
		SellerName: acmeSeller.Name, SellerTaxID: acmeSeller.TaxID, BuyerName: vendorEntity.Name, BuyerTaxID: vendorEntity.TaxID,
		AmountExcludingTax: &rules.Money{Amount: 100_000, Currency: "CNY"}, TaxRate: "0.06",
		TaxAmount: &rules.Money{Amount: 6_000, Currency: "CNY"}, Total: &rules.Money{Amount: 106_000, Currency: "CNY"},
	}
}

// paperOrdinary is the mistake of the seed: a paper ordinary invoice.
func paperOrdinary() rules.Invoice {
	inv := invoice("")
	inv.Kind, inv.Medium, inv.Code, inv.Number = rules.VATOrdinary, rules.MediumPaper, "3300261130", "01234567"
	return inv
}

func paperSpecial() rules.Invoice {
	inv := paperOrdinary()
	inv.Kind, inv.Number = rules.VATSpecial, "01234568"
	return inv
}

var returnRequest = rules.ReturnRequest{Address: "1 Cloud Road, Hangzhou", RecipientName: "Li Si", RecipientPhone: "+86 138 0000 0000"}

func mustDecode(t *testing.T, raw []byte, into any) {
	t.Helper()
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatal(err)
	}
}

func (h *settlementHarness) refusalOf(action string) string {
	for _, o := range h.outcomes {
		var appErr *temporal.ApplicationError
		if o.action == action && errors.As(o.err, &appErr) {
			return appErr.Type()
		}
	}
	return ""
}

// reasonCodes are the reason codes of the refused attempts of action, in order.
func (h *settlementHarness) reasonCodes(action string) []string {
	var codes []string
	for _, o := range h.outcomes {
		var appErr *temporal.ApplicationError
		var fields rules.FieldErrors
		if o.action == action && errors.As(o.err, &appErr) && appErr.HasDetails() && appErr.Details(&fields) == nil {
			for _, f := range fields {
				codes = append(codes, f.Code)
			}
		}
	}
	return codes
}

func TestSettlementAcceptedFirstTime(t *testing.T) {
	h := newSettlementHarness(t)
	var waiting cases.Case
	h.queryAt(time.Minute, cases.RoleAdmin, &waiting)
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000012345678"))
	h.at(2*time.Hour, ActionAccept, opsActor, struct{}{})
	if status := h.runSettlement(settlementInput(true)); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/applying", "applied/awaiting_invoice", "invoice_submitted/checking_invoice",
		"checks_passed/invoice_in_review", "invoice_accepted/paying", "paid/paid")
	if waiting.Status != SettlementAwaitingInvoice || len(waiting.Actions) != 1 || waiting.Actions[0] != ActionSubmitInvoice {
		t.Errorf("after automatic application the partner sees %s with %v", waiting.Status, waiting.Actions)
	}
	if applied := h.transition("applied"); applied.Event.Actor != cases.System || !applied.Case.SLA.DueAt.Equal(endOfTenthWorkingDay) {
		t.Errorf("applied by %v, due %v; want the system, due %v", applied.Event.Actor, applied.Case.SLA, endOfTenthWorkingDay)
	}
	if h.payouts["cas_inc"] != 1 {
		t.Errorf("payouts %v", h.payouts)
	}
	assertNotified(t, h.transition("paid"), cases.AudiencePartner)
	assertNotified(t, h.transition("checks_passed"), cases.AudienceOps)
}

func TestSettlementManualApplicationWaitsForThePartner(t *testing.T) {
	h := newSettlementHarness(t)
	var published cases.Case
	h.queryAt(time.Minute, cases.RoleMember, &published)
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000012345678")) // not applied yet
	h.at(2*time.Hour, ActionApply, opsActor, struct{}{})                                // not the partner
	h.at(3*time.Hour, ActionApply, partnerActor, struct{}{})
	h.at(4*time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000012345678"))
	h.at(5*time.Hour, ActionAccept, opsActor, struct{}{})
	if status := h.runSettlement(settlementInput(false)); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/awaiting_application", "applied/awaiting_invoice", "invoice_submitted/checking_invoice",
		"checks_passed/invoice_in_review", "invoice_accepted/paying", "paid/paid")
	if published.Status != SettlementAwaitingApplication || len(published.Actions) != 1 || published.Actions[0] != ActionApply {
		t.Errorf("a manual settlement shows %s with %v", published.Status, published.Actions)
	}
	if got := h.refusalOf(ActionApply); got != cases.RefusalForbidden {
		t.Errorf("ops applying: %q", got)
	}
	if got := h.refusalOf(ActionSubmitInvoice); got != cases.RefusalConflict {
		t.Errorf("an invoice before applying: %q", got)
	}
	if applied := h.transition("applied"); applied.Event.Actor != partnerActor {
		t.Errorf("applied by %v", applied.Event.Actor)
	}
	assertNotified(t, h.transition("published"), cases.AudiencePartner)
}

func TestSettlementOrdinaryInvoiceReturnedThenReissued(t *testing.T) {
	h := newSettlementHarness(t)
	var rejected cases.Case
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, paperOrdinary())
	h.queryAt(90*time.Minute, cases.RoleAdmin, &rejected)
	h.at(2*time.Hour, ActionSubmitInvoice, partnerActor, paperSpecial()) // must take the first back first
	h.at(3*time.Hour, ActionReportReversal, partnerActor, rules.Reversal{RedLetterNumber: "12345678"})
	h.at(4*time.Hour, ActionRequestReturn, partnerActor, rules.ReturnRequest{})
	h.at(5*time.Hour, ActionRequestReturn, partnerActor, returnRequest)
	h.at(24*time.Hour, ActionMarkReturned, opsActor, rules.ReturnShipment{Courier: "SF Express", TrackingNumber: "SF1234567890"})
	h.at(26*time.Hour, ActionSubmitInvoice, partnerActor, paperSpecial())
	h.at(27*time.Hour, ActionAccept, opsActor, struct{}{})
	if status := h.runSettlement(settlementInput(true)); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/applying", "applied/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_failed/awaiting_return_request",
		"return_requested/return_requested", "returned/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_passed/invoice_in_review", "invoice_accepted/paying", "paid/paid")
	var d IncentiveSettlementDetails
	mustDecode(t, h.transition("checks_failed").Case.Details, &d)
	if len(d.Invoices) != 1 || len(d.Invoices[0].Problems) != 1 || d.Invoices[0].Problems[0].Code != rules.InvoiceNotSpecial {
		t.Errorf("the ordinary invoice's problems: %+v", d.Invoices)
	}
	// The paper invoice's way back is the only one offered, and named as the next step.
	if rejected.Status != SettlementAwaitingReturnRequest || len(rejected.Actions) != 1 || rejected.Actions[0] != ActionRequestReturn {
		t.Errorf("a rejected paper invoice: %s offering %v", rejected.Status, rejected.Actions)
	}
	var d0 IncentiveSettlementDetails
	mustDecode(t, rejected.Details, &d0)
	if next := SettlementNextStep(rejected.Status, d0, time.UTC); !strings.HasPrefix(next, ActionRequestReturn) {
		t.Errorf("the next step of a rejected paper invoice: %q", next)
	}
	if got := h.refusalOf(ActionReportReversal); got != cases.RefusalConflict {
		t.Errorf("a reversal of a paper invoice: %q", got)
	}
	if got := h.refusalOf(ActionRequestReturn); got != cases.RefusalInvalid {
		t.Errorf("an empty return request: %q", got)
	}
	requested := h.transition("return_requested")
	assertNotified(t, requested, cases.AudienceOps)
	if !requested.Case.SLA.DueAt.Equal(endOfWednesday) {
		t.Errorf("the return is due %v, want %v", requested.Case.SLA, endOfWednesday)
	}
	// The partner's clock stood still while the vendor held the invoice.
	var final IncentiveSettlementDetails
	mustDecode(t, h.transition("returned").Case.Details, &final)
	if !final.Deadline.After(endOfTenthWorkingDay) || final.DeadlinePausedAt != nil {
		t.Errorf("after the return the deadline is %v (paused %v); want it moved past %v", final.Deadline, final.DeadlinePausedAt, endOfTenthWorkingDay)
	}
	mustDecode(t, h.transitions[len(h.transitions)-1].Case.Details, &final)
	if len(final.Invoices) != 2 || final.Invoices[0].Return == nil || final.Invoices[0].Return.Shipment.TrackingNumber != "SF1234567890" {
		t.Errorf("rounds %+v", final.Invoices)
	}
	if h.payouts["cas_inc"] != 1 {
		t.Errorf("payouts %v", h.payouts)
	}
}

func TestSettlementElectronicInvoiceReversedByRedLetter(t *testing.T) {
	h := newSettlementHarness(t)
	wrong := invoice("26332000000099999999")
	wrong.Kind = rules.DigitalVATOrdinary
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, wrong)
	h.at(2*time.Hour, ActionRequestReturn, partnerActor, returnRequest) // nothing to mail
	h.at(3*time.Hour, ActionReportReversal, partnerActor, rules.Reversal{RedLetterNumber: "26332000000088888888"})
	oldFormat := paperOrdinary() // an old-format electronic ordinary invoice: voided in its month
	oldFormat.Medium = rules.MediumElectronic
	h.at(4*time.Hour, ActionSubmitInvoice, partnerActor, oldFormat)
	h.at(5*time.Hour, ActionReportReversal, partnerActor, rules.Reversal{Voided: true})
	h.at(6*time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000099999999")) // the same number again
	h.at(7*time.Hour, ActionReportReversal, partnerActor, rules.Reversal{Voided: true})   // a 数电票 is never voided
	h.at(8*time.Hour, ActionReportReversal, partnerActor, rules.Reversal{RedLetterNumber: "12345678"})
	h.at(9*time.Hour, ActionReportReversal, partnerActor, rules.Reversal{RedLetterNumber: "26332000000077777777"})
	h.at(10*time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000012345678"))
	h.at(11*time.Hour, ActionAccept, opsActor, struct{}{})
	if status := h.runSettlement(settlementInput(true)); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/applying", "applied/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_failed/awaiting_reversal", "invoice_reversed/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_failed/awaiting_reversal", "invoice_reversed/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_failed/awaiting_reversal", "invoice_reversed/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_passed/invoice_in_review", "invoice_accepted/paying", "paid/paid")
	if got := h.refusalOf(ActionRequestReturn); got != cases.RefusalConflict {
		t.Errorf("a return of an electronic invoice: %q", got)
	}
	// The digital invoice's void and its 8-digit red-letter number are refused, each naming the rule.
	if got := h.reasonCodes(ActionReportReversal); !slices.Equal(got, []string{rules.DigitalInvoiceNotVoidable, rules.RedLetterConfirmationRequired}) {
		t.Errorf("refused reversals name %v", got)
	}
	var d IncentiveSettlementDetails
	mustDecode(t, h.transitions[len(h.transitions)-1].Case.Details, &d)
	if len(d.Invoices) != 4 || d.Invoices[0].Reversal.RedLetterNumber != "26332000000088888888" || !d.Invoices[1].Reversal.Voided ||
		d.Invoices[2].Reversal.RedLetterNumber != "26332000000077777777" {
		t.Fatalf("rounds %+v", d.Invoices)
	}
	if p := d.Invoices[2].Problems; len(p) != 1 || p[0].Code != rules.InvoiceNumberUsed {
		t.Errorf("a reused number: %+v", p)
	}
}

func TestSettlementRejectedByOps(t *testing.T) {
	h := newSettlementHarness(t)
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000012345678"))
	h.at(2*time.Hour, ActionReject, opsActor, RejectInput{})
	h.at(3*time.Hour, ActionReject, partnerActor, RejectInput{Reason: "no"})
	h.at(4*time.Hour, ActionReject, opsActor, RejectInput{Reason: "The scan is unreadable"})
	h.at(5*time.Hour, ActionReportReversal, partnerActor, rules.Reversal{RedLetterNumber: "26332000000088888888"})
	h.at(6*time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000012345679"))
	h.at(7*time.Hour, ActionAccept, opsActor, struct{}{})
	if status := h.runSettlement(settlementInput(true)); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/applying", "applied/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_passed/invoice_in_review", "invoice_rejected/awaiting_reversal",
		"invoice_reversed/awaiting_invoice", "invoice_submitted/checking_invoice", "checks_passed/invoice_in_review",
		"invoice_accepted/paying", "paid/paid")
	rejected := h.transition("invoice_rejected")
	assertNotified(t, rejected, cases.AudiencePartner)
	if rejected.Event.Detail["reason"] != "The scan is unreadable" {
		t.Errorf("rejection %+v", rejected.Event.Detail)
	}
}

func TestSettlementReturnSLABreachedThenMet(t *testing.T) {
	h := newSettlementHarness(t)
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, paperOrdinary())
	h.at(2*time.Hour, ActionRequestReturn, partnerActor, returnRequest)
	// Filed on Friday afternoon: due at the end of Wednesday; ops mail it on Thursday.
	h.at(6*24*time.Hour, ActionMarkReturned, opsActor, rules.ReturnShipment{Courier: "SF Express", TrackingNumber: "SF1234567890"})
	h.at(6*24*time.Hour+time.Hour, ActionSubmitInvoice, partnerActor, paperSpecial())
	h.at(6*24*time.Hour+2*time.Hour, ActionAccept, opsActor, struct{}{})
	if status := h.runSettlement(settlementInput(true)); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/applying", "applied/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_failed/awaiting_return_request",
		"return_requested/return_requested", "sla_breached/return_requested", "returned/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_passed/invoice_in_review", "invoice_accepted/paying", "paid/paid")
	if due := h.transition("return_requested").Case.SLA.DueAt; !due.Equal(endOfWednesday) {
		t.Errorf("the return is due %v, want %v", due, endOfWednesday)
	}
	breach := h.transition("sla_breached")
	if !breach.Event.At.Equal(endOfWednesday) || !breach.Case.SLA.Breached {
		t.Errorf("breached at %v (%+v)", breach.Event.At, breach.Case.SLA)
	}
	assertNotified(t, breach, cases.AudienceSupervisor)
	if returned := h.transition("returned"); returned.Event.Detail["breached"] != true || returned.Case.SLA.Breached {
		t.Errorf("returned %+v, SLA %+v: want the breach kept on the round, the partner's clock not breached", returned.Event.Detail, returned.Case.SLA)
	}
}

// oldSide runs the harness's settlement on the old side of
// patchSettlementOverdue, as a settlement started before it does.
func (h *settlementHarness) oldSide() {
	h.env.OnGetVersion(patchSettlementOverdue, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
}

// Before patchSettlementOverdue: a missed deadline lapses, one extension.
func TestSettlementLapsesThenExtendedOnce(t *testing.T) {
	h := newSettlementHarness(t)
	h.oldSide()
	lapsedAt := endOfTenthWorkingDay.Sub(fridayAfternoon)
	newDeadline := fridayAfternoon.Add(lapsedAt + 5*24*time.Hour).UTC()
	h.at(lapsedAt+time.Hour, ActionApply, partnerActor, struct{}{}) // too late
	h.at(lapsedAt+2*time.Hour, ActionExtend, opsActor, ExtendInput{Deadline: fridayAfternoon, Reason: "in the past"})
	h.at(lapsedAt+3*time.Hour, ActionExtend, opsActor, ExtendInput{Deadline: newDeadline, Reason: "The partner's finance team was on leave"})
	h.at(lapsedAt+4*time.Hour, ActionExtend, opsActor, ExtendInput{Deadline: newDeadline.Add(time.Hour), Reason: "again"})
	if status := h.runSettlement(settlementInput(false)); status != SettlementForfeited {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/awaiting_application", "reminder_sent/awaiting_application", "lapsed/lapsed",
		"extended/awaiting_application", "reminder_sent/awaiting_application", "lapsed/forfeited")
	if lapsed := h.transition("lapsed"); !lapsed.Event.At.Equal(endOfTenthWorkingDay) || !lapsed.Case.SLA.Breached {
		t.Errorf("lapsed at %v (%+v), want at %v", lapsed.Event.At, lapsed.Case.SLA, endOfTenthWorkingDay)
	}
	if reminder := h.transition("reminder_sent"); !reminder.Event.At.Before(endOfTenthWorkingDay) {
		t.Errorf("reminded at %v", reminder.Event.At)
	}
	if h.refusalOf(ActionApply) != cases.RefusalConflict {
		t.Errorf("a late application: %q", h.refusalOf(ActionApply))
	}
	var refusals []string
	for _, o := range h.outcomes {
		var appErr *temporal.ApplicationError
		if o.action == ActionExtend && errors.As(o.err, &appErr) {
			refusals = append(refusals, appErr.Type())
		}
	}
	if len(refusals) != 2 || refusals[0] != cases.RefusalInvalid || refusals[1] != cases.RefusalConflict {
		t.Errorf("extensions refused with %v; want the past date invalid and the second extension a conflict", refusals)
	}
	extended := h.transition("extended")
	if !extended.Case.SLA.DueAt.Equal(newDeadline) || extended.Case.SLA.Breached {
		t.Errorf("extended to %+v, want %v", extended.Case.SLA, newDeadline)
	}
	if final := h.transitions[len(h.transitions)-1]; !final.Event.At.Equal(newDeadline) {
		t.Errorf("forfeited at %v, want at the extended deadline %v", final.Event.At, newDeadline)
	}
}

// Before patchSettlementOverdue: a lapsed settlement is forfeited by time.
func TestSettlementLapsedIsForfeitedWithoutExtension(t *testing.T) {
	h := newSettlementHarness(t)
	h.oldSide()
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, paperOrdinary())
	if status := h.runSettlement(settlementInput(true)); status != SettlementForfeited {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/applying", "applied/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_failed/awaiting_return_request", "reminder_sent/awaiting_return_request",
		"lapsed/lapsed", "forfeited/forfeited")
	if f := h.transition("forfeited"); !f.Event.At.Equal(endOfTenthWorkingDay.Add(DefaultLapseGrace)) {
		t.Errorf("forfeited at %v", f.Event.At)
	}
}

// A missed deadline makes the settlement overdue: the partner and ops are
// reminded before it and weekly after it, and nothing is forfeited by time
// (the run records its 100 transitions, two years on, and continues as new
// still overdue).
func TestSettlementOverdueIsRemindedNeverForfeited(t *testing.T) {
	h := newSettlementHarness(t)
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, paperOrdinary())
	h.env.ExecuteWorkflow(IncentiveSettlementWorkflow, settlementInput(true))
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the run ended with %v, want continue-as-new (still overdue)", err)
	}
	events := h.events()
	assertEvents(t, events[:7], "published/applying", "applied/awaiting_invoice",
		"invoice_submitted/checking_invoice", "checks_failed/awaiting_return_request", "reminder_sent/awaiting_return_request",
		"overdue/overdue", "overdue_reminder_sent/overdue")
	for _, e := range events[6:] {
		if e != "overdue_reminder_sent/overdue" {
			t.Fatalf("after it went overdue: %s; want only reminders (%v)", e, events)
		}
	}
	reminder := h.transition("reminder_sent")
	if !reminder.Event.At.Before(endOfTenthWorkingDay) {
		t.Errorf("reminded at %v, want before the deadline", reminder.Event.At)
	}
	overdue := h.transition("overdue")
	if !overdue.Event.At.Equal(endOfTenthWorkingDay) || !overdue.Case.SLA.Breached {
		t.Errorf("overdue at %v (%+v), want at %v", overdue.Event.At, overdue.Case.SLA, endOfTenthWorkingDay)
	}
	for _, tr := range []cases.Transition{reminder, overdue, h.transition("overdue_reminder_sent")} {
		assertNotified(t, tr, cases.AudiencePartner)
		assertNotified(t, tr, cases.AudienceOps)
	}
	for i, tr := range h.transitions[6:] {
		if want := endOfTenthWorkingDay.Add(time.Duration(i+1) * DefaultOverdueReminder); !tr.Event.At.Equal(want) {
			t.Fatalf("reminder %d at %v, want %v", i+1, tr.Event.At, want)
		}
	}
	var next IncentiveSettlementInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if r := next.Resume; r == nil || r.Status != SettlementOverdue || r.Details.OverdueFrom != SettlementAwaitingReturnRequest {
		t.Fatalf("carried %+v", r)
	}
}

// Only ops decide on an overdue settlement: extend it (any number of
// times) or close it with a reason the partner reads. The reminders follow
// the configured policy.
func TestSettlementOverdueExtendedTwiceThenClosed(t *testing.T) {
	h := newSettlementHarness(t)
	overdueAt := endOfTenthWorkingDay.Sub(fridayAfternoon)
	first := endOfTenthWorkingDay.Add(5 * 24 * time.Hour).UTC()
	second := first.Add(3 * 24 * time.Hour)
	const reason = "The 2026-Q3 programme budget was withdrawn (notice of 20 December)."
	h.at(time.Hour, ActionClose, opsActor, RejectInput{Reason: reason}) // not overdue
	h.at(overdueAt+time.Hour, ActionApply, partnerActor, struct{}{})    // too late: ops decide
	h.at(overdueAt+2*time.Hour, ActionClose, opsActor, RejectInput{Reason: " "})
	h.at(overdueAt+3*time.Hour, ActionExtend, opsActor, ExtendInput{Deadline: first, Reason: "The partner's finance team was on leave"})
	h.at(first.Sub(fridayAfternoon)+30*time.Hour, ActionExtend, opsActor, ExtendInput{Deadline: second, Reason: "Once more"})
	h.at(second.Sub(fridayAfternoon)+time.Hour, ActionClose, opsActor, RejectInput{Reason: reason})
	in := settlementInput(false)
	in.RemindPercent, in.OverdueReminder = 50, 24*time.Hour
	if status := h.runSettlement(in); status != SettlementClosed {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "published/awaiting_application", "reminder_sent/awaiting_application", "overdue/overdue",
		"extended/awaiting_application", "reminder_sent/awaiting_application", "overdue/overdue", "overdue_reminder_sent/overdue",
		"extended/awaiting_application", "reminder_sent/awaiting_application", "overdue/overdue", "closed/closed")
	if got := h.transition("reminder_sent").Event.At; !got.Equal(fridayAfternoon.Add(overdueAt / 2)) {
		t.Errorf("reminded at %v, want half way to the deadline (%v)", got, fridayAfternoon.Add(overdueAt/2))
	}
	if got := h.transitions[6].Event.At; !got.Equal(first.Add(24 * time.Hour)) {
		t.Errorf("reminded while overdue at %v, want a day after %v", got, first)
	}
	var refusals []string
	for _, o := range h.outcomes {
		var appErr *temporal.ApplicationError
		if errors.As(o.err, &appErr) {
			refusals = append(refusals, o.action+":"+appErr.Type())
		}
	}
	if want := []string{"close:" + cases.RefusalConflict, "apply:" + cases.RefusalConflict, "close:" + cases.RefusalInvalid}; !slices.Equal(refusals, want) {
		t.Errorf("refused %v, want %v", refusals, want)
	}
	closed := h.transitions[len(h.transitions)-1]
	var d IncentiveSettlementDetails
	mustDecode(t, closed.Case.Details, &d)
	if d.Closure == nil || d.Closure.Reason != reason || len(d.Extensions) != 2 || !d.Extensions[1].To.Equal(second) {
		t.Errorf("closed with %+v after extensions %+v", d.Closure, d.Extensions)
	}
	assertNotified(t, closed, cases.AudiencePartner)
	if msg := closed.Notifications[0].Message; !strings.Contains(msg, reason) {
		t.Errorf("the partner reads %q, want the reason", msg)
	}
	if h.payouts["cas_inc"] != 0 {
		t.Errorf("payouts %v", h.payouts)
	}
}

func TestSettlementPayoutRetriedPaysOnce(t *testing.T) {
	h := newSettlementHarness(t)
	h.failAfterCommit = true
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, invoice("26332000000012345678"))
	h.at(2*time.Hour, ActionAccept, opsActor, struct{}{})
	if status := h.runSettlement(settlementInput(true)); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	if h.payouts["cas_inc"] != 2 {
		t.Errorf("the payout ran %d times, want a retry (2) under one reference", h.payouts["cas_inc"])
	}
}

func TestSettlementContinuesAsNew(t *testing.T) {
	h := newSettlementHarness(t)
	h.at(time.Hour, ActionSubmitInvoice, partnerActor, paperOrdinary())
	in := settlementInput(true)
	in.StepsPerRun = 4
	h.env.ExecuteWorkflow(IncentiveSettlementWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the first run ended with %v, want continue-as-new", err)
	}
	var next IncentiveSettlementInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	r := next.Resume
	if r == nil || r.Status != SettlementAwaitingReturnRequest || r.Seq != 4 || len(r.Details.Invoices) != 1 || r.Details.Deadline == nil {
		t.Fatalf("carried %+v", r)
	}

	second := newSettlementHarness(t)
	second.env.SetStartTime(fridayAfternoon.Add(time.Hour))
	second.at(time.Hour, ActionRequestReturn, partnerActor, returnRequest)
	second.at(2*time.Hour, ActionMarkReturned, opsActor, rules.ReturnShipment{Courier: "SF Express", TrackingNumber: "SF1"})
	second.at(3*time.Hour, ActionSubmitInvoice, partnerActor, paperSpecial())
	second.at(4*time.Hour, ActionAccept, opsActor, struct{}{})
	next.StepsPerRun = 0
	if status := second.runSettlement(next); status != SettlementPaid {
		t.Fatalf("status %s", status)
	}
	if first := second.transitions[0]; first.Event.Seq != 5 || first.Event.Type != "return_requested" {
		t.Errorf("the second run began with %s seq %d", first.Event.Type, first.Event.Seq)
	}
	if second.payouts["cas_inc"] != 1 {
		t.Errorf("payouts %v", second.payouts)
	}
}

// The next step a partner reads names its deadline in the business time
// zone, and an overdue settlement says that ops decide, not that it is lost.
func TestSettlementNextStepReadsAsThePartnerLives(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2026, 12, 22, 15, 59, 59, 0, time.UTC)
	d := IncentiveSettlementDetails{Deadline: &deadline}
	if got, want := SettlementNextStep(SettlementAwaitingApplication, d, shanghai), "apply by 2026-12-22 23:59 (Asia/Shanghai)"; got != want {
		t.Errorf("next step = %q, want %q", got, want)
	}
	if got := SettlementNextStep(SettlementOverdue, d, shanghai); !strings.Contains(got, "ops decide") || !strings.Contains(got, "nothing is forfeited") {
		t.Errorf("overdue next step = %q", got)
	}
}
