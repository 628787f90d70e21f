// Package events declares the events partners receive on their webhooks:
// the catalogue of event types (one declaration each), the envelope every
// delivery carries, and how a case's transition or a record's write turns
// into events. The store writes them in the transaction of the change they
// describe; the OpenAPI document and docs/webhooks.md are generated from
// this catalogue.
package events

import (
	"slices"

	"partnerops/cases"
)

// Type declares one event type a partner may subscribe to.
type Type struct {
	// Name is the type as deliveries and subscriptions name it.
	Name string
	// Summary says when it happens, for the docs.
	Summary string
	// Kind is the kind of case it is about ("" for any kind; a record's
	// event has none).
	Kind cases.Kind
	// Notice is the kind of the partner notification whose case step
	// raises it ("" for case.status_changed and records' events).
	Notice string
	// ExampleData is the data of the docs' example (Example).
	ExampleData Data
}

// StatusChanged is the event of every step that moves a partner's case to
// another status, whatever its kind.
const StatusChanged = "case.status_changed"

// RenewalFailedFunds is raised by the renewal sweep's write of a group it
// could not renew because its payer is short of funds.
const RenewalFailedFunds = "renewal.failed_funds"

// Catalogue lists every event type, in the order the docs show them. To
// add one, declare it here: the store raises a case step's type from the
// step's partner notification, and the docs and the OpenAPI document list
// it.
var Catalogue = []Type{
	{Name: StatusChanged, Summary: "A case of the partner moved to another status (every kind; previous_status is null for a new case).",
		ExampleData: caseExample(cases.KindOpportunity, "in_review", "submitted", "")},
	{Name: "certification.info_requested", Kind: cases.KindCertification, Notice: "info_requested",
		Summary:     "Ops ask the partner for more information about its certification.",
		ExampleData: caseExample(cases.KindCertification, "ticket_awaiting_partner", "info_requested", "Ops ask for a clearer business licence scan.")},
	{Name: "certification.certified", Kind: cases.KindCertification, Notice: "certification_certified",
		Summary:     "The partner is certified.",
		ExampleData: caseExample(cases.KindCertification, "certified", "approved", "Your certification is approved.")},
	{Name: "certification.rejected", Kind: cases.KindCertification, Notice: "certification_rejected",
		Summary:     "The partner's certification is rejected, with the reason.",
		ExampleData: caseExample(cases.KindCertification, "rejected", "rejected", "Your certification is rejected: the licence has expired.")},
	{Name: "certification.expired", Kind: cases.KindCertification, Notice: "certification_expired",
		Summary:     "A rejected certification nobody resubmitted expired.",
		ExampleData: caseExample(cases.KindCertification, "expired", "expired", "Your rejected certification expired.")},
	{Name: "payment.requested", Kind: cases.KindPartnerPayment, Notice: "payment_requested",
		Summary:     "A customer asks the partner to pay its order.",
		ExampleData: caseExample(cases.KindPartnerPayment, "awaiting_partner", "requested", "Your customer asks you to pay order ord_1 (1,200.00 CNY).")},
	{Name: "opportunity.action_required", Kind: cases.KindOpportunity, Notice: "opportunity_action_required",
		Summary:     "An opportunity the partner registered is sent back to it for changes.",
		ExampleData: caseExample(cases.KindOpportunity, "action_required", "checks_failed", "Your opportunity needs changes: vague description.")},
	{Name: "opportunity.approved", Kind: cases.KindOpportunity, Notice: "opportunity_approved",
		Summary:     "An opportunity the partner registered is approved.",
		ExampleData: caseExample(cases.KindOpportunity, "approved", "approved", "Your opportunity is approved.")},
	{Name: "opportunity.rejected", Kind: cases.KindOpportunity, Notice: "opportunity_rejected",
		Summary:     "An opportunity the partner registered is rejected.",
		ExampleData: caseExample(cases.KindOpportunity, "rejected", "rejected", "Your opportunity is rejected: duplicate.")},
	{Name: "invitation.received", Kind: cases.KindOpportunity, Notice: "opportunity_invitation",
		Summary:     "The vendor shares an opportunity with the partner: accept or decline it before it expires.",
		ExampleData: caseExample(cases.KindOpportunity, "invited", "invited", "The vendor shares an opportunity with you.")},
	{Name: "invitation.expiring", Kind: cases.KindOpportunity, Notice: "opportunity_invitation_expiring",
		Summary:     "A vendor-shared opportunity the partner has not answered expires soon (a day before, or halfway through a shorter invitation).",
		ExampleData: caseExample(cases.KindOpportunity, "invited", "invitation_reminder", "The vendor's invitation expires tomorrow: accept or decline it before then.")},
	{Name: "invitation.expired", Kind: cases.KindOpportunity, Notice: "opportunity_invitation_expired",
		Summary:     "A vendor-shared opportunity expired unanswered.",
		ExampleData: caseExample(cases.KindOpportunity, "expired", "expired", "The vendor's invitation expired.")},
	{Name: "settlement.published", Kind: cases.KindIncentiveSettlement, Notice: "incentive_published",
		Summary:     "An incentive settlement is published to the partner: apply for it by its deadline.",
		ExampleData: caseExample(cases.KindIncentiveSettlement, "awaiting_application", "published", "An incentive settlement of 1,200.00 CNY is published.")},
	{Name: "invoice.rejected", Kind: cases.KindIncentiveSettlement, Notice: "incentive_invoice_rejected",
		Summary:     "The partner's invoice for a settlement is rejected: send a corrected one.",
		ExampleData: caseExample(cases.KindIncentiveSettlement, "awaiting_invoice", "invoice_rejected", "Your invoice is rejected: wrong buyer tax ID.")},
	{Name: "settlement.paid", Kind: cases.KindIncentiveSettlement, Notice: "incentive_paid",
		Summary:     "A settlement is paid to the partner.",
		ExampleData: caseExample(cases.KindIncentiveSettlement, "paid", "paid", "Settlement paid: 1,200.00 CNY.")},
	{Name: "association.requested", Kind: cases.KindCustomerAssociation, Notice: "association_requested",
		Summary:     "The partner asked the owner of an existing account to accept an association; it has no power over the account until then.",
		ExampleData: caseExample(cases.KindCustomerAssociation, "awaiting_customer", "requested", "Your association request for Pine Hill Bakery is sent.")},
	{Name: "association.accepted", Kind: cases.KindCustomerAssociation, Notice: "association_accepted",
		Summary:     "The customer accepted the partner's association request: it is the partner's customer from now on.",
		ExampleData: caseExample(cases.KindCustomerAssociation, "accepted", "accepted", "Pine Hill Bakery accepted your association request.")},
	{Name: "association.declined", Kind: cases.KindCustomerAssociation, Notice: "association_declined",
		Summary:     "The customer declined the partner's association request; nothing changed.",
		ExampleData: caseExample(cases.KindCustomerAssociation, "declined", "declined", "Pine Hill Bakery declined your association request: nothing changed.")},
	{Name: "association.expired", Kind: cases.KindCustomerAssociation, Notice: "association_expired",
		Summary:     "The customer did not answer the partner's association request in time; nothing changed.",
		ExampleData: caseExample(cases.KindCustomerAssociation, "expired", "expired", "Your association request for Pine Hill Bakery expired unanswered: nothing changed.")},
	{Name: "dissociation.requested", Kind: cases.KindCustomerAssociation, Notice: "dissociation_requested",
		Summary:     "The partner's admin asked its customer to accept the end of their association (the request lists what blocks it).",
		ExampleData: caseExample(cases.KindCustomerAssociation, "awaiting_customer", "requested", "Your dissociation request for Pine Hill Bakery is sent.")},
	{Name: "dissociation.accepted", Kind: cases.KindCustomerAssociation, Notice: "dissociation_accepted",
		Summary:     "The customer accepted the dissociation: it is no longer the partner's customer; what it held from the partner is back.",
		ExampleData: caseExample(cases.KindCustomerAssociation, "accepted", "accepted", "Pine Hill Bakery accepted your dissociation request.")},
	{Name: "exit.blocked", Kind: cases.KindPartnerExit, Notice: "exit_blocked",
		Summary:     "The partner's exit waits for obligations still open (listed in the message).",
		ExampleData: caseExample(cases.KindPartnerExit, "blocked", "blocked", "Your exit waits until these are cleared: 1 open case.")},
	{Name: "exit.cleared", Kind: cases.KindPartnerExit, Notice: "exit_cooling_off",
		Summary:     "Nothing is open any more: the partner's exit cools off.",
		ExampleData: caseExample(cases.KindPartnerExit, "cooling_off", "cooling_off_started", "Nothing is open: your exit cools off.")},
	{Name: RenewalFailedFunds,
		Summary:     "The renewal sweep could not renew a customer's resource group: its payer is short of funds (it tries again daily).",
		ExampleData: Data{Renewal: &RenewalShortfall{ResourceID: "res_1", CustomerID: "cus_1", Reason: "insufficient balance"}}},
}

// Names lists every type's name, in the catalogue's order.
func Names() []string {
	names := make([]string, len(Catalogue))
	for i, t := range Catalogue {
		names[i] = t.Name
	}
	return names
}

// Known reports whether name is a type of the catalogue.
func Known(name string) bool { return slices.Contains(Names(), name) }

// byNotice is the type a case step's partner notification raises.
func byNotice(kind cases.Kind, notice string) (Type, bool) {
	for _, t := range Catalogue {
		if t.Notice != "" && t.Notice == notice && (t.Kind == "" || t.Kind == kind) {
			return t, true
		}
	}
	return Type{}, false
}
