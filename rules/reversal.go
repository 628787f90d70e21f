package rules

import (
	"fmt"
	"strings"
)

// How a rejected invoice is taken back depends on its form (the tax rules,
// see docs/money-rules.md):
//   - a paper invoice is returned, or voided (作废) in its month of issue
//     when every copy is back;
//   - an old-format electronic invoice is voided in its month of issue, or
//     reversed by a red-letter invoice (红字发票, an 8-digit number);
//   - a fully digitalised e-invoice (数电票) is never voided: only a
//     red-letter invoice on a red-letter confirmation (红字确认单, its
//     20-digit number) reverses it.

// Reversal is how the partner took back a rejected electronic invoice: the
// red-letter invoice that reverses it (for a fully digitalised e-invoice,
// the red-letter confirmation's number), or voided in its month of issue.
type Reversal struct {
	RedLetterNumber string `json:"red_letter_number,omitempty"`
	Voided          bool   `json:"voided,omitempty"`
}

// Reason codes of the reversal rules: each names the rule broken.
const (
	ReversalMissing               = "reversal_missing"
	ReversalAmbiguous             = "reversal_ambiguous"
	RedLetterNumberMalformed      = "red_letter_number_malformed"
	DigitalInvoiceNotVoidable     = "digital_invoice_not_voidable"
	RedLetterConfirmationRequired = "red_letter_confirmation_required"
	VoidOutsideIssueMonth         = "void_outside_issue_month"
)

// Validate names the problem of a reversal whatever the invoice: exactly
// one of a red-letter number (8 or 20 digits) or voided. ReversalProblems
// judges it against the invoice it reverses.
func (r Reversal) Validate() FieldErrors {
	var errs FieldErrors
	n := strings.TrimSpace(r.RedLetterNumber)
	switch {
	case n == "" && !r.Voided:
		errs.addCode("red_letter_number", ReversalMissing,
			"is required: the number of the red-letter invoice that reverses the rejected one (or voided: true, for an invoice that is not fully digitalised, in its month of issue)")
	case n != "" && r.Voided:
		errs.addCode("voided", ReversalAmbiguous, "cannot be true with a red_letter_number: a voided invoice needs no red-letter invoice")
	case n != "" && !digitsOf(n, 8) && !digitsOf(n, 20):
		errs.addCode("red_letter_number", RedLetterNumberMalformed,
			"must be 8 digits (a red-letter invoice) or 20 digits (a red-letter confirmation of a fully digitalised e-invoice)")
	}
	return errs
}

// ReversalProblems names what is wrong with r as the reversal of inv on
// today (YYYY-MM-DD, in the business time zone), each with its reason code;
// none when it is good.
func ReversalProblems(inv Invoice, r Reversal, today string) FieldErrors {
	if errs := r.Validate(); len(errs) > 0 {
		return errs
	}
	var errs FieldErrors
	n := strings.TrimSpace(r.RedLetterNumber)
	switch {
	case inv.Kind.Digital() && r.Voided:
		errs.addCode("voided", DigitalInvoiceNotVoidable,
			"a fully digitalised e-invoice (数电票) is never voided: state the 20-digit number of the red-letter confirmation (红字确认单) that reverses it")
	case inv.Kind.Digital() && !digitsOf(n, 20):
		errs.addCode("red_letter_number", RedLetterConfirmationRequired,
			"a fully digitalised e-invoice (数电票) is reversed only on a red-letter confirmation (红字确认单): state its 20-digit number")
	case !inv.Kind.Digital() && n != "" && !digitsOf(n, 8):
		errs.addCode("red_letter_number", RedLetterNumberMalformed,
			"must be the 8-digit number of the red-letter invoice that reverses this invoice")
	case r.Voided && (len(inv.IssueDate) < 7 || len(today) < 7 || inv.IssueDate[:7] != today[:7]):
		errs.addCode("voided", VoidOutsideIssueMonth, fmt.Sprintf(
			"an invoice can be voided only in the month it was issued (%s); state the red-letter invoice that reverses it", inv.IssueDate))
	}
	return errs
}
