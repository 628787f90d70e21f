package rules

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Incentive settlements: what staff publish for a partner, and the return
// and reversal requests around a rejected invoice. The invoice itself is in
// invoice.go.

// Limits of a settlement.
const (
	MaxIncentiveItems          = 50
	MaxIncentiveItemNameLength = 200
)

// periodPattern is a settlement period: a quarter (2026-Q3) or a month (2026-07).
var periodPattern = regexp.MustCompile(`^(20[0-9]{2})-(Q[1-4]|0[1-9]|1[0-2])$`)

// ValidPeriod reports whether p is a settlement period: "2026-Q3" or "2026-07".
func ValidPeriod(p string) bool { return periodPattern.MatchString(p) }

// IncentiveItem is one incentive a settlement pays: what it is for, and how much.
type IncentiveItem struct {
	Name   string `json:"name"`
	Amount *Money `json:"amount"`
}

// SettlementRequest is staff publishing an incentive settlement for a partner.
type SettlementRequest struct {
	Period string          `json:"period"`
	Amount *Money          `json:"amount"`
	Items  []IncentiveItem `json:"items"`
}

// Normalized trims the period and the items' names.
func (r SettlementRequest) Normalized() SettlementRequest {
	n := SettlementRequest{Period: strings.TrimSpace(r.Period), Amount: r.Amount}
	for _, it := range r.Items {
		n.Items = append(n.Items, IncentiveItem{Name: strings.TrimSpace(it.Name), Amount: it.Amount})
	}
	return n
}

// Validate names every bad field at once (period, amount…, items,
// items[i].name, items[i].amount…): the items are 1 to MaxIncentiveItems in
// the settlement's currency, and sum to its amount.
func (r SettlementRequest) Validate() FieldErrors {
	r = r.Normalized()
	var errs FieldErrors
	if !ValidPeriod(r.Period) {
		errs.add("period", `must be a quarter such as "2026-Q3" or a month such as "2026-07"`)
	}
	validateAmount(&errs, r.Amount)
	if len(r.Items) == 0 || len(r.Items) > MaxIncentiveItems {
		errs.add("items", fmt.Sprintf("must list 1 to %d incentive items, each with a name and an amount", MaxIncentiveItems))
		return errs
	}
	var sum int64
	sumKnown := true
	for i, it := range r.Items {
		field := fmt.Sprintf("items[%d]", i)
		checkText(&errs, field+".name", it.Name, MaxIncentiveItemNameLength)
		if it.Amount == nil {
			errs.add(field+".amount", "is required")
			sumKnown = false
			continue
		}
		if problems := it.Amount.ValidateMovement(field + ".amount"); len(problems) > 0 {
			errs = append(errs, problems...)
			sumKnown = false
			continue
		}
		if r.Amount != nil && it.Amount.Currency != r.Amount.Currency {
			errs.add(field+".amount.currency", "must be the settlement's currency, "+r.Amount.Currency)
			sumKnown = false
		}
		sum += it.Amount.Amount
	}
	if sumKnown && r.Amount != nil && r.Amount.ValidateMovement("amount") == nil && sum != r.Amount.Amount {
		errs.add("items", fmt.Sprintf("must sum to the settlement's amount %d; they sum to %d", r.Amount.Amount, sum))
	}
	return errs
}

// DefaultIncentiveDeadline is the policy of a partner's deadlines on an
// incentive settlement when none is configured: ten working days to apply,
// then ten to send a valid invoice.
const DefaultIncentiveDeadline = "10wd"

// VendorEntityProblems names what is wrong with the configured vendor
// entity: a name and an 18-character unified social credit code.
func VendorEntityProblems(p Party) FieldErrors {
	var errs FieldErrors
	checkPlainText(&errs, "name", strings.TrimSpace(p.Name), MaxInvoicePartyNameLength)
	if problem := usccProblem(p.TaxID); problem != "" {
		errs.add("tax_id", problem)
	}
	return errs
}

// DefaultIncentiveRemindPercent is how much of a settlement's deadline
// window has passed when the partner is reminded, unless configured.
const DefaultIncentiveRemindPercent = 80

// IncentivePolicy is the program's one table of an incentive settlement's
// deadlines and reminders (docs/incentive-policy.md), configured per
// deployment and fixed in a settlement when it is published.
type IncentivePolicy struct {
	// InvoiceDeadline is the partner's deadline policy ("10wd"): to apply
	// from publication, to send a valid invoice from application.
	InvoiceDeadline string `json:"invoice_deadline"`
	// RemindPercent is how much of a deadline's window has passed when the
	// partner and ops are reminded; zero is DefaultIncentiveRemindPercent.
	RemindPercent int `json:"remind_percent,omitempty"`
	// OverdueReminder is how often an overdue settlement reminds the
	// partner and ops; zero is the workflow's default (7 days).
	OverdueReminder time.Duration `json:"overdue_reminder,omitempty"`
}

// IncentiveReminderAt is when a partner that has not yet acted is reminded:
// when percent (1 to 99; otherwise DefaultIncentiveRemindPercent) of its
// window (from start to deadline) has passed.
func IncentiveReminderAt(start, deadline time.Time, percent int) time.Time {
	if percent <= 0 || percent >= 100 {
		percent = DefaultIncentiveRemindPercent
	}
	return start.Add(deadline.Sub(start) * time.Duration(percent) / 100)
}

// Limits of the return of a paper invoice.
const (
	MaxReturnAddressLength  = 500
	MaxRecipientNameLength  = 100
	MaxCourierLength        = 100
	MaxTrackingNumberLength = 64
)

// ReturnRequest is the partner asking for its rejected paper invoice back:
// where to send it and to whom.
type ReturnRequest struct {
	Address        string `json:"address"`
	RecipientName  string `json:"recipient_name"`
	RecipientPhone string `json:"recipient_phone"`
}

// Normalized trims every field.
func (r ReturnRequest) Normalized() ReturnRequest {
	return ReturnRequest{Address: strings.TrimSpace(r.Address), RecipientName: strings.TrimSpace(r.RecipientName),
		RecipientPhone: strings.TrimSpace(r.RecipientPhone)}
}

// Validate names every bad field at once (address, recipient_name, recipient_phone).
func (r ReturnRequest) Validate() FieldErrors {
	r = r.Normalized()
	var errs FieldErrors
	checkPlainText(&errs, "address", r.Address, MaxReturnAddressLength)
	checkPlainText(&errs, "recipient_name", r.RecipientName, MaxRecipientNameLength)
	switch {
	case r.RecipientPhone == "":
		errs.add("recipient_phone", "is required")
	case !validPhone(r.RecipientPhone):
		errs.add("recipient_phone", fmt.Sprintf("must be %d-%d digits, optionally starting with '+' and separated by single spaces or hyphens",
			MinPhoneDigits, MaxPhoneDigits))
	}
	return errs
}

// ReturnShipment is how ops mailed a paper invoice back.
type ReturnShipment struct {
	Courier        string `json:"courier"`
	TrackingNumber string `json:"tracking_number"`
}

// Normalized trims both fields.
func (r ReturnShipment) Normalized() ReturnShipment {
	return ReturnShipment{Courier: strings.TrimSpace(r.Courier), TrackingNumber: strings.TrimSpace(r.TrackingNumber)}
}

// Validate names every bad field at once (courier, tracking_number).
func (r ReturnShipment) Validate() FieldErrors {
	r = r.Normalized()
	var errs FieldErrors
	checkPlainText(&errs, "courier", r.Courier, MaxCourierLength)
	if p := TransactionIDProblem(r.TrackingNumber); p != "" || utf8.RuneCountInString(r.TrackingNumber) > MaxTrackingNumberLength {
		errs.add("tracking_number", fmt.Sprintf("is required: 1 to %d characters without spaces", MaxTrackingNumberLength))
	}
	return errs
}

// checkPlainText reports a required free-text field that is empty, longer
// than max runes, or holds control characters.
func checkPlainText(errs *FieldErrors, field, s string, max int) {
	if s != "" && hasControlCharacters(s) {
		errs.add(field, "may not contain control characters")
		return
	}
	checkText(errs, field, s, max)
}

// digitsOf reports whether s is exactly n ASCII digits.
func digitsOf(s string, n int) bool {
	return len(s) == n && allDigits(s)
}
