package rules

import (
	"fmt"
	"strings"
)

// MaxContractTitleLength bounds an online contract's title (the product or
// scope it covers), in characters.
const MaxContractTitleLength = 200

// ContractApplication is an application for an online contract.
type ContractApplication struct {
	Title string `json:"title"`
}

// Normalized trims the surrounding spaces of the title.
func (a ContractApplication) Normalized() ContractApplication {
	a.Title = strings.TrimSpace(a.Title)
	return a
}

// Validate names a missing or over-long title. It judges a.Normalized().
func (a ContractApplication) Validate() FieldErrors {
	var errs FieldErrors
	checkText(&errs, "title", a.Normalized().Title, MaxContractTitleLength)
	return errs
}

// ContractApplicant is who applies for a customer's online contract.
type ContractApplicant string

// The applicants: the customer itself, or a member of its partner.
const (
	ApplicantCustomer ContractApplicant = "customer"
	ApplicantPartner  ContractApplicant = "partner"
)

// ContractApplicationRefusal says why applicant may not apply for the
// online contract of a customer associated in mode ("" when the customer
// has no partner) with the partner named partnerName, or "" when it may.
//
// A consultative customer applies for its contract itself, and its partner
// may not do it for it. A resale customer cannot apply itself: it asks its
// partner, which applies on its behalf. A customer without a partner
// applies itself.
func ContractApplicationRefusal(applicant ContractApplicant, mode AssociationMode, partnerName string) string {
	switch applicant {
	case ApplicantCustomer:
		if mode == Resale {
			return fmt.Sprintf("as a resale (代售类) customer of partner %q you cannot apply for an online contract yourself; "+
				"ask your partner %q to apply for it on your behalf", partnerName, partnerName)
		}
		return ""
	case ApplicantPartner:
		switch mode {
		case Resale:
			return ""
		case Consultative:
			return "this is a consultative (顾问销售类) customer: it applies for its online contract itself, " +
				"a partner cannot apply on its behalf"
		}
		return "the customer is not associated with a partner: it applies for its online contract itself"
	}
	return fmt.Sprintf("%q cannot apply for an online contract", applicant)
}
