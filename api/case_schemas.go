package api

import (
	"reflect"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/workflows"
)

// A case answer is documented by its kind (AnyCase): a kind with a process
// of its own has a schema naming its statuses, its actions and its details;
// the other kinds are a plain Case.

// caseKindSchema is one kind's own schema.
type caseKindSchema struct {
	kind        cases.Kind
	name        string       // the schema's name
	details     reflect.Type // the kind's details
	statuses    []string
	description string
}

var caseKindSchemas = []caseKindSchema{
	{
		kind: cases.KindCertification, name: "CertificationCase", details: reflect.TypeFor[workflows.CertificationDetails](),
		statuses: []string{workflows.CertificationChecking, workflows.CertificationInReview, workflows.CertificationRejected,
			workflows.CertificationTicketOpen, workflows.CertificationTicketAwaitingPartner, workflows.CertificationTicketFiling,
			workflows.CertificationCertified, workflows.CertificationExpired},
		description: "A certification case. A submission starts in checking while automatic checks run. Checks that fail move it to " +
			"rejected (with check_problems); checks that pass move it to in_review. In in_review ops or a supervisor may approve (to " +
			"certified, final) or reject with a reason (to rejected). In rejected the partner may resubmit corrected business information " +
			"(back to checking) or file_ticket (to ticket_filing while its deadline is computed, then ticket_open), until details.expires_at " +
			"(then expired, final). In ticket_open ops resolve it with decision certify (to certified) or reject with a reason (to rejected), " +
			"or request_info with a message (to ticket_awaiting_partner: the SLA clock pauses until the partner answers with reply, back to " +
			"ticket_open with the deadline moved by the paused time); ops may resolve from either. A missed deadline marks sla.breached, " +
			"notifies a supervisor, and the ticket stays open until resolved.",
	},
	{
		kind: cases.KindPartnerPayment, name: "PartnerPaymentCase", details: reflect.TypeFor[workflows.PartnerPaymentDetails](),
		statuses: []string{workflows.PaymentAwaitingPartner, workflows.PaymentPartnerPaying, workflows.PaymentPaidByPartner,
			workflows.PaymentAwaitingCustomer, workflows.PaymentCustomerPaying, workflows.PaymentPaidByCustomer, workflows.PaymentCancelled,
			workflows.PaymentFailed, workflows.PaymentHandingBack, workflows.PaymentCancelling, workflows.PaymentNeedsAttention},
		description: "A partner payment case (伙伴支付): a customer asked its partner to pay an order. In awaiting_partner the partner's " +
			"admin or members approve (the partner's account is debited exactly once and the order paid: paid_by_partner; a short balance " +
			"answers 409 and the case stays) or decline with a reason, by details.partner_deadline (sla.due_at). A decline, or the deadline " +
			"passing (sla.breached), hands the order back to the customer (awaiting_customer), who may pay from its account by the order's " +
			"deadline (paid_by_customer), after which the order is cancelled. A payment the order can no longer take is refunded (failed). " +
			"partner_paying and customer_paying are the moments a debit runs; handing_back and cancelling the moments the order is handed " +
			"back or cancelled (no action meanwhile); needs_attention: the order refused that step (it changed elsewhere), the case stopped " +
			"for ops to look into.",
	},
	{
		kind: cases.KindIncentiveSettlement, name: "IncentiveSettlementCase", details: reflect.TypeFor[workflows.IncentiveSettlementDetails](),
		statuses: settlementStatuses,
		description: "An incentive settlement case: staff published what a partner earned (published while its deadline is computed). " +
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
			"a return) stops while the vendor holds the case, is reminded before it passes, and lapses the case when it does " +
			"(lapsed): ops may extend it once with a new date, before or after; a lapsed settlement not extended within 30 days, " +
			"or lapsing again, is forfeited (final).",
	},
	{
		kind: cases.KindOpportunity, name: "OpportunityCase", details: reflect.TypeFor[workflows.OpportunityDetails](),
		statuses: workflows.OpportunityStatuses(),
		description: "An opportunity case. Origin partner (PO): it starts in checking while the validity rules run; every failed rule is " +
			"named in details.findings with its reason code (no_customer_contact, no_budget_or_timeline, no_incremental_revenue, " +
			"vague_description) and the case is action_required, where the partner resubmits the whole opportunity (back to checking), " +
			"any number of times. One that passes is in_review, due by sla.due_at (the review SLA on the business calendar; missed: " +
			"sla.breached and a supervisor notified); details.likely_duplicate flags another partner's open or won opportunity for the " +
			"same customer. Ops approve (approved, stage qualified), request_changes with comments (action_required) or reject with a " +
			"reason_code (duplicate, customer_engaged_by_another_partner, not_a_real_opportunity, other) and a reason (rejected, final). " +
			"Origin vendor (HO): ops shared a vendor opportunity; it is invited until details.invitation_expires_at (then expired, final), " +
			"shown without the customer's contact; the partner accepts (accepting, then approved with the contact shown) or declines with " +
			"a reason (declined, final); declined or expired, the vendor opportunity is available to ops again. Approved, the partner " +
			"advances it through its stages (qualified, technical_validation, business_validation, committed) to won or lost (with a " +
			"lost_reason), both final.",
	},
	{
		kind: cases.KindPartnerExit, name: "PartnerExitCase", details: reflect.TypeFor[workflows.PartnerExitDetails](),
		statuses: []string{workflows.ExitChecking, workflows.ExitBlocked, workflows.ExitCoolingOff, workflows.ExitAwaitingOps,
			workflows.ExitExiting, workflows.ExitWithdrawn, workflows.ExitRefused, workflows.ExitExited},
		description: "A partner exit case: the partner's admin asked to leave the program; from then on no new process of the partner " +
			"may start (409 partner-exiting). It starts in checking while the obligations check runs. With anything open (another open " +
			"case, a customer still associated, money on one of the partner's accounts, a personal account still associated) it is " +
			"blocked, details.obligations listing each with what clears it; it checks again when the partner clears one (dissociation, " +
			"withdrawal, member removal), on recheck, and daily. With nothing open it is cooling_off until details.cooling_off_ends_at: " +
			"the admin may withdraw (withdrawn, final: the partner is back to normal), ops may confirm early or refuse with a reason " +
			"(refused, final). Then it is awaiting_ops, no longer withdrawable: ops confirm or refuse by sla.due_at (the exit SLA on the " +
			"business calendar); a missed deadline marks sla.breached and notifies a supervisor. confirm runs a last check (exiting) and " +
			"ends in exited (final): the partner's level and program rights end and every token of its accounts but the admin's stops " +
			"working; something open sends the case back to blocked.",
	},
}

// withNeedsAttention adds needs_attention, which every kind may end in
// (workflows.StatusNeedsAttention), to a kind's statuses.
func withNeedsAttention(statuses []string) []string {
	if slices.Contains(statuses, workflows.StatusNeedsAttention) {
		return statuses
	}
	return append(slices.Clip(statuses), workflows.StatusNeedsAttention)
}

// anyCaseSchemaName names a case of any kind, told apart by kind.
const anyCaseSchemaName = "AnyCase"

// registerCaseSchemas adds AnyCase and each kind's own schema to r.
func registerCaseSchemas(r huma.Registry) {
	plain := r.Schema(reflect.TypeFor[cases.Case](), true, "")
	anyCase := &huma.Schema{
		Description:   "A case of any kind, told apart by kind.",
		Discriminator: &huma.Discriminator{PropertyName: "kind", Mapping: map[string]string{}},
	}
	own := map[cases.Kind]string{}
	for _, k := range caseKindSchemas {
		ref := "#/components/schemas/" + k.name
		own[k.kind] = ref
		anyCase.OneOf = append(anyCase.OneOf, &huma.Schema{Ref: ref})
		r.Map()[k.name] = &huma.Schema{Description: k.description, AllOf: []*huma.Schema{plain, {
			Type: huma.TypeObject,
			Properties: map[string]*huma.Schema{
				"kind":    enumSchema([]cases.Kind{k.kind}, ""),
				"status":  enumSchema(withNeedsAttention(k.statuses), ""),
				"details": r.Schema(k.details, true, ""),
				"actions": {Type: huma.TypeArray, Items: enumSchema(workflows.ActionNames(k.kind), "")},
			},
		}}}
	}
	anyCase.OneOf = append(anyCase.OneOf, plain)
	for _, kind := range cases.Kinds() {
		if ref, ok := own[kind]; ok {
			anyCase.Discriminator.Mapping[string(kind)] = ref
		} else {
			anyCase.Discriminator.Mapping[string(kind)] = plain.Ref
		}
	}
	r.Map()[anyCaseSchemaName] = anyCase
}
