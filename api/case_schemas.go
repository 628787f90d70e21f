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
