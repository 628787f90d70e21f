package rules

import "fmt"

// Kinds of what blocks a dissociation.
const (
	BlockerPaymentRequest = "payment_request"
	BlockerAutoRenewal    = "auto_renewal"
	BlockerOpenCase       = "open_case"
)

// DissociationFacts is what still ties a customer to its partner, as the
// dissociation's check read it.
type DissociationFacts struct {
	CustomerID string
	// PaymentRequests are the customer's orders waiting on a partner
	// payment case: order ID to case ID.
	PaymentRequests []PaymentRequestFact
	// AutoRenewals are the customer's resources with auto-renewal set.
	AutoRenewals []string
	// OpenCases are the partner's other open cases about the customer
	// (partner payments are listed as payment requests).
	OpenCases []ExitOpenCase
}

// PaymentRequestFact is an order waiting on its partner payment case.
type PaymentRequestFact struct {
	OrderID string `db:"id"`
	CaseID  string `db:"case_id"`
}

// DissociationBlocker is one thing that blocks a dissociation, with what
// clears it, as a dissociation request lists them.
type DissociationBlocker struct {
	Kind        string `json:"kind" enum:"payment_request,auto_renewal,open_case" doc:"payment_request, auto_renewal or open_case"`
	ID          string `json:"id" doc:"The case (payment_request, open_case) or resource (auto_renewal) concerned"`
	Description string `json:"description"`
	ClearedBy   string `json:"cleared_by" doc:"What clears it"`
}

// DissociationBlockers lists what in facts blocks the dissociation, with
// what clears each; none means the customer may be dissociated. Money the
// partner allocated to the customer blocks nothing: the dissociation
// reclaims it to the partner's account (reclaim_on_unbind).
func DissociationBlockers(facts DissociationFacts) []DissociationBlocker {
	list := []DissociationBlocker{}
	for _, r := range facts.PaymentRequests {
		list = append(list, DissociationBlocker{
			Kind: BlockerPaymentRequest, ID: r.CaseID,
			Description: fmt.Sprintf("order %s waits on the partner payment case %s", r.OrderID, r.CaseID),
			ClearedBy:   "the partner approving or declining it (POST /v1/cases/" + r.CaseID + "/actions/approve or decline), or its deadline passing",
		})
	}
	for _, id := range facts.AutoRenewals {
		list = append(list, DissociationBlocker{
			Kind: BlockerAutoRenewal, ID: id,
			Description: fmt.Sprintf("auto-renewal is set on resource %s", id),
			ClearedBy:   "cancelling it (DELETE /v1/customers/" + facts.CustomerID + "/resources/" + id + "/auto_renewal)",
		})
	}
	for _, c := range facts.OpenCases {
		list = append(list, DissociationBlocker{
			Kind: BlockerOpenCase, ID: c.ID,
			Description: fmt.Sprintf("the %s case %s about the customer is still open (%s)", c.Kind, c.ID, c.Status),
			ClearedBy:   "the case reaching its end: act on it, or let ops close it",
		})
	}
	return list
}
