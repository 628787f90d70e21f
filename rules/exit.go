package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Partner exit (domain process 4): a partner leaves the program only with
// nothing left open, and only an exited partner's account is deregistered.

// MaxExitReasonLength bounds the reason a partner gives for leaving.
const MaxExitReasonLength = 1000

// ExitRequest is a partner admin's request to leave the partner program.
type ExitRequest struct {
	Reason string `json:"reason" maxLength:"1000" doc:"Why the partner leaves; 1 to 1000 characters" example:"we close our training business"`
}

// Normalized trims the reason.
func (r ExitRequest) Normalized() ExitRequest {
	return ExitRequest{Reason: strings.TrimSpace(r.Reason)}
}

// Validate names every bad field: the reason is required, at most
// MaxExitReasonLength characters, without control characters but line
// breaks and tabs.
func (r ExitRequest) Validate() FieldErrors {
	var errs FieldErrors
	reason := strings.TrimSpace(r.Reason)
	switch {
	case reason == "":
		errs.add("reason", "is required: say why the partner leaves the program")
	case utf8.RuneCountInString(reason) > MaxExitReasonLength:
		errs.add("reason", fmt.Sprintf("must be at most %d characters", MaxExitReasonLength))
	default:
		if p := MemoProblem(reason); p != "" {
			errs.add("reason", p)
		}
	}
	return errs
}

// Kinds of obligation that hold an exit.
const (
	ObligationOpenCase = "open_case" // a process of the partner still runs
	ObligationCustomer = "customer"  // a customer is still associated
	ObligationBalance  = "balance"   // money is still on one of the partner's accounts
	ObligationMember   = "member"    // a personal account is still associated
)

// ExitFacts is what the obligations check read about a partner: what still
// binds it to the program. Each list is what the check found (bounded by
// the reader; a count beyond it is in the More fields).
type ExitFacts struct {
	OpenCases []ExitOpenCase
	Customers []ExitParty
	Balances  []ExitBalance
	Members   []ExitParty
	// How many of each were left out of the lists above.
	MoreCases, MoreCustomers, MoreBalances, MoreMembers int
}

// ExitOpenCase is a case of the partner that is not closed.
type ExitOpenCase struct {
	ID     string
	Kind   string
	Status string
}

// ExitParty is a customer or a personal account still associated.
type ExitParty struct {
	ID   string
	Name string
}

// ExitBalance is a positive balance on one of the partner's accounts: its
// own (CustomerID empty) or a resale customer's it funded.
type ExitBalance struct {
	CustomerID string
	Balance    Money
}

// ExitObligation is one open obligation as the exit case lists it: what
// it is and what clears it.
type ExitObligation struct {
	Kind        string `json:"kind" enum:"open_case,customer,balance,member" doc:"open_case, customer, balance or member"`
	ID          string `json:"id,omitempty" doc:"The case, customer or personal account concerned; for a balance, the customer whose account holds it (absent: the partner's own)"`
	Description string `json:"description"`
	ClearedBy   string `json:"cleared_by" doc:"What clears it"`
}

// ExitObligations lists every open obligation in facts, with what clears
// it; none means the partner may leave.
func ExitObligations(facts ExitFacts) []ExitObligation {
	list := []ExitObligation{}
	for _, c := range facts.OpenCases {
		o := ExitObligation{
			Kind: ObligationOpenCase, ID: c.ID,
			Description: fmt.Sprintf("the %s case %s is still open (%s)", c.Kind, c.ID, c.Status),
			ClearedBy:   "the case reaching its end: act on it, or let ops close it",
		}
		if c.Kind == "opportunity" && (c.Status == "action_required" || c.Status == "in_review") {
			// an opportunity not yet approved is the partner's to withdraw
			o.ClearedBy = "withdraw it (POST /v1/cases/" + c.ID + "/actions/withdraw)"
		}
		if c.Kind == "customer_association" && c.Status == "awaiting_customer" {
			// a request waiting for the customer is the partner's to withdraw
			o.ClearedBy = "the customer answering it, or withdraw it (POST /v1/cases/" + c.ID + "/actions/withdraw); unanswered, it expires"
		}
		list = append(list, o)
	}
	if facts.MoreCases > 0 {
		list = append(list, ExitObligation{Kind: ObligationOpenCase,
			Description: fmt.Sprintf("%d more open cases", facts.MoreCases), ClearedBy: "each case reaching its end"})
	}
	for _, c := range facts.Customers {
		list = append(list, ExitObligation{
			Kind: ObligationCustomer, ID: c.ID,
			Description: fmt.Sprintf("the customer %s (%s) is still associated", c.ID, c.Name),
			ClearedBy:   "the partner's admin dissociating it (DELETE /v1/partners/{partner_id}/customers/{customer_id}); dissociation's own rules apply",
		})
	}
	if facts.MoreCustomers > 0 {
		list = append(list, ExitObligation{Kind: ObligationCustomer,
			Description: fmt.Sprintf("%d more customers are still associated", facts.MoreCustomers), ClearedBy: "dissociating each"})
	}
	for _, b := range facts.Balances {
		o := ExitObligation{Kind: ObligationBalance, ID: b.CustomerID,
			Description: fmt.Sprintf("the partner's account holds %s", b.Balance),
			ClearedBy:   "staff recording a withdrawal of it to the partner (POST /v1/partners/{partner_id}/withdrawals)",
		}
		if b.CustomerID != "" {
			o.Description = fmt.Sprintf("the account of customer %s, funded by the partner, holds %s", b.CustomerID, b.Balance)
			o.ClearedBy = "reclaiming it to the partner's account (an adjustment, or dissociating the customer), then a withdrawal"
		}
		list = append(list, o)
	}
	if facts.MoreBalances > 0 {
		list = append(list, ExitObligation{Kind: ObligationBalance,
			Description: fmt.Sprintf("%d more customer accounts funded by the partner still hold money", facts.MoreBalances),
			ClearedBy:   "reclaiming each to the partner's account, then a withdrawal"})
	}
	for _, m := range facts.Members {
		list = append(list, ExitObligation{
			Kind: ObligationMember, ID: m.ID,
			Description: fmt.Sprintf("the personal account %s (%s) is still associated", m.ID, m.Name),
			ClearedBy:   "the partner's admin removing it (DELETE /v1/partners/{partner_id}/members/{principal_id})",
		})
	}
	if facts.MoreMembers > 0 {
		list = append(list, ExitObligation{Kind: ObligationMember,
			Description: fmt.Sprintf("%d more personal accounts are still associated", facts.MoreMembers), ClearedBy: "removing each"})
	}
	return list
}
