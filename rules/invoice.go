package rules

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// InvoiceKind is the kind of a Chinese VAT invoice.
type InvoiceKind string

// The kinds of invoice a partner may submit. Only the special ones (增值税
// 专用发票) let the vendor deduct its input VAT.
const (
	VATSpecial         InvoiceKind = "vat_special"
	VATOrdinary        InvoiceKind = "vat_ordinary"
	DigitalVATSpecial  InvoiceKind = "digital_vat_special"  // fully digitalised e-invoice (数电票), special
	DigitalVATOrdinary InvoiceKind = "digital_vat_ordinary" // fully digitalised e-invoice, ordinary
)

// InvoiceKinds lists every kind, in the order the API documents them.
func InvoiceKinds() []InvoiceKind {
	return []InvoiceKind{VATSpecial, VATOrdinary, DigitalVATSpecial, DigitalVATOrdinary}
}

// Digital reports whether k is a fully digitalised e-invoice: no code, a 20-digit number.
func (k InvoiceKind) Digital() bool { return k == DigitalVATSpecial || k == DigitalVATOrdinary }

// Special reports whether k is a VAT special invoice.
func (k InvoiceKind) Special() bool { return k == VATSpecial || k == DigitalVATSpecial }

// How an invoice exists.
const (
	MediumPaper      = "paper"
	MediumElectronic = "electronic"
)

// Limits of an invoice's free text.
const (
	MaxInvoicePartyNameLength = 200
	MaxScanReferenceLength    = 500
)

// Invoice is the invoice a partner issued to the vendor for a settlement.
type Invoice struct {
	Kind   InvoiceKind `json:"kind"`
	Medium string      `json:"medium" doc:"paper or electronic; a fully digitalised e-invoice is electronic"`
	// Code is a paper invoice's invoice code (10 or 12 digits); a fully
	// digitalised e-invoice has none.
	Code               string `json:"code,omitempty"`
	Number             string `json:"number" doc:"8 digits, or 20 for a fully digitalised e-invoice"`
	IssueDate          string `json:"issue_date" doc:"YYYY-MM-DD"`
	SellerName         string `json:"seller_name"`
	SellerTaxID        string `json:"seller_tax_id" doc:"The seller's 18-character unified social credit code"`
	BuyerName          string `json:"buyer_name"`
	BuyerTaxID         string `json:"buyer_tax_id" doc:"The buyer's 18-character unified social credit code"`
	AmountExcludingTax *Money `json:"amount_excluding_tax"`
	TaxRate            string `json:"tax_rate" doc:"A decimal fraction such as \"0.06\" (6%), at most 4 decimals"`
	TaxAmount          *Money `json:"tax_amount"`
	Total              *Money `json:"total" doc:"amount_excluding_tax plus tax_amount"`
	ScanReference      string `json:"scan_reference,omitempty" doc:"Where the scan or the electronic file is, if any"`
}

// Normalized trims every text and upper-cases the tax IDs.
func (inv Invoice) Normalized() Invoice {
	n := inv
	n.Kind = InvoiceKind(strings.TrimSpace(string(inv.Kind)))
	n.Medium = strings.TrimSpace(inv.Medium)
	n.Code = strings.TrimSpace(inv.Code)
	n.Number = strings.TrimSpace(inv.Number)
	n.IssueDate = strings.TrimSpace(inv.IssueDate)
	n.SellerName = strings.TrimSpace(inv.SellerName)
	n.SellerTaxID = strings.ToUpper(strings.TrimSpace(inv.SellerTaxID))
	n.BuyerName = strings.TrimSpace(inv.BuyerName)
	n.BuyerTaxID = strings.ToUpper(strings.TrimSpace(inv.BuyerTaxID))
	n.TaxRate = strings.TrimSpace(inv.TaxRate)
	n.ScanReference = strings.TrimSpace(inv.ScanReference)
	return n
}

// Validate names every field that does not describe an invoice at all
// (its form, not whether it is the right one: CheckInvoice says that).
func (inv Invoice) Validate() FieldErrors {
	inv = inv.Normalized()
	var errs FieldErrors
	if !slices.Contains(InvoiceKinds(), inv.Kind) {
		errs.add("kind", fmt.Sprintf("must be one of %v", InvoiceKinds()))
	}
	switch {
	case inv.Medium != MediumPaper && inv.Medium != MediumElectronic:
		errs.add("medium", `must be "paper" or "electronic"`)
	case inv.Kind.Digital() && inv.Medium != MediumElectronic:
		errs.add("medium", "must be electronic: a fully digitalised e-invoice exists only as a file")
	}
	if inv.Kind.Digital() {
		if inv.Code != "" {
			errs.add("code", "must be absent: a fully digitalised e-invoice has no invoice code")
		}
		if !digitsOf(inv.Number, 20) {
			errs.add("number", "must be the 20 digits of the fully digitalised e-invoice")
		}
	} else if inv.Kind != "" {
		if !digitsOf(inv.Code, 10) && !digitsOf(inv.Code, 12) {
			errs.add("code", "must be the invoice code: 10 or 12 digits")
		}
		if !digitsOf(inv.Number, 8) {
			errs.add("number", "must be the 8-digit invoice number")
		}
	}
	if _, err := time.Parse(dateLayout, inv.IssueDate); err != nil {
		errs.add("issue_date", "must be a real date in the form YYYY-MM-DD")
	}
	checkPlainText(&errs, "seller_name", inv.SellerName, MaxInvoicePartyNameLength)
	if p := usccProblem(inv.SellerTaxID); p != "" {
		errs.add("seller_tax_id", p)
	}
	checkPlainText(&errs, "buyer_name", inv.BuyerName, MaxInvoicePartyNameLength)
	if p := usccProblem(inv.BuyerTaxID); p != "" {
		errs.add("buyer_tax_id", p)
	}
	amounts := true
	for _, m := range []struct {
		field string
		money *Money
		zero  bool // may be zero (the tax of a 0% rate)
	}{{"amount_excluding_tax", inv.AmountExcludingTax, false}, {"tax_amount", inv.TaxAmount, true}, {"total", inv.Total, false}} {
		switch {
		case m.money == nil:
			errs.add(m.field, "is required: {\"amount\": <minor units>, \"currency\": \"CNY\"}")
			amounts = false
		case m.zero && m.money.Amount == 0:
			if p := CurrencyProblem(m.money.Currency); p != "" {
				errs.add(m.field+".currency", p)
				amounts = false
			}
		default:
			if problems := m.money.ValidateMovement(m.field); len(problems) > 0 {
				errs = append(errs, problems...)
				amounts = false
			}
		}
	}
	if _, ok := TaxRateBasisPoints(inv.TaxRate); !ok {
		errs.add("tax_rate", `must be a decimal fraction from 0 to 1 with at most 4 decimals, such as "0.06" for 6%`)
	}
	if amounts {
		switch {
		case inv.TaxAmount.Currency != inv.AmountExcludingTax.Currency || inv.Total.Currency != inv.AmountExcludingTax.Currency:
			errs.add("total.currency", "amount_excluding_tax, tax_amount and total must be in one currency")
		case inv.Total.Amount != inv.AmountExcludingTax.Amount+inv.TaxAmount.Amount:
			errs.add("total.amount", fmt.Sprintf("must be amount_excluding_tax plus tax_amount, %d",
				inv.AmountExcludingTax.Amount+inv.TaxAmount.Amount))
		}
	}
	if inv.ScanReference != "" {
		checkPlainText(&errs, "scan_reference", inv.ScanReference, MaxScanReferenceLength)
	}
	return errs
}

// TaxRateBasisPoints reads a tax rate such as "0.06" as basis points (600):
// a decimal fraction from 0 to 1 with at most 4 decimals.
func TaxRateBasisPoints(rate string) (int64, bool) {
	whole, frac, _ := strings.Cut(rate, ".")
	if whole != "0" && whole != "1" || len(frac) > 4 || (frac != "" && !allDigits(frac)) {
		return 0, false
	}
	frac += strings.Repeat("0", 4-len(frac))
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, false
	}
	bp := f
	if whole == "1" {
		bp += 10_000
	}
	if bp > 10_000 {
		return 0, false
	}
	return bp, true
}

// Reason codes of the automatic invoice checks: each check has its own.
const (
	InvoiceNotSpecial             = "not_vat_special"
	InvoiceBuyerMismatch          = "buyer_mismatch"
	InvoiceSellerMismatch         = "seller_mismatch"
	InvoiceTotalMismatch          = "total_mismatch"
	InvoiceTaxMiscalculated       = "tax_miscalculated"
	InvoiceNumberUsed             = "number_already_used"
	InvoiceIssuedInFuture         = "issue_date_in_future"
	InvoiceIssuedBeforeSettlement = "issue_date_before_settlement"
	InvoiceRateNotSmallScale      = "tax_rate_not_small_scale"
)

// SmallScaleVATRate is the rate a small-scale taxpayer's special invoice
// carries (征收率 3%).
const SmallScaleVATRate = "0.03"

// InvoiceProblem is one failed automatic check: its reason code, the field
// it is about, and why.
type InvoiceProblem struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Party is a buyer or a seller: its name and unified social credit code.
type Party struct {
	Name  string `json:"name"`
	TaxID string `json:"tax_id"`
}

// InvoiceExpectation is what a settlement's invoice must say, and the facts
// the checks need: today's date and whether the number was used before.
type InvoiceExpectation struct {
	Buyer Party // the vendor entity to invoice
	// Seller is the partner's certified company; zero when the partner has
	// no certified business information. SellerTaxpayer is its VAT standing.
	Seller         Party
	SellerTaxpayer TaxpayerType
	Amount         Money  // the settlement's amount
	PublishedOn    string // the settlement's publication date, YYYY-MM-DD
	Today          string // YYYY-MM-DD, in the business time zone
	NumberUsed     bool   // any invoice before used this code and number
}

// CheckInvoice runs every automatic check on an invoice of the form
// Validate accepts, and returns every failure at once (none: it goes to ops).
func CheckInvoice(inv Invoice, exp InvoiceExpectation) []InvoiceProblem {
	inv = inv.Normalized()
	var problems []InvoiceProblem
	add := func(code, field, format string, args ...any) {
		problems = append(problems, InvoiceProblem{Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !inv.Kind.Special() {
		add(InvoiceNotSpecial, "kind", "must be a VAT special invoice (增值税专用发票: vat_special or digital_vat_special), not %s; "+
			"take this one back and issue a special invoice", inv.Kind)
	}
	if inv.BuyerName != exp.Buyer.Name || inv.BuyerTaxID != exp.Buyer.TaxID {
		add(InvoiceBuyerMismatch, "buyer_tax_id", "the buyer must be the vendor entity %s (%s)", exp.Buyer.Name, exp.Buyer.TaxID)
	}
	switch {
	case exp.Seller.TaxID == "":
		add(InvoiceSellerMismatch, "seller_tax_id", "the partner has no certified business information to match the seller against; get certified first")
	case inv.SellerName != exp.Seller.Name || inv.SellerTaxID != exp.Seller.TaxID:
		add(InvoiceSellerMismatch, "seller_tax_id", "the seller must be the partner's certified company %s (%s)", exp.Seller.Name, exp.Seller.TaxID)
	}
	if inv.Total.Amount != exp.Amount.Amount || inv.Total.Currency != exp.Amount.Currency {
		add(InvoiceTotalMismatch, "total", "must be the settlement's amount, %s; it is %s", exp.Amount, *inv.Total)
	}
	if bp, _ := TaxRateBasisPoints(inv.TaxRate); !taxWithinOneUnit(inv.AmountExcludingTax.Amount, bp, inv.TaxAmount.Amount) {
		add(InvoiceTaxMiscalculated, "tax_amount", "must be amount_excluding_tax × tax_rate (%d × %s) within one minor unit; it is %d",
			inv.AmountExcludingTax.Amount, inv.TaxRate, inv.TaxAmount.Amount)
	}
	if bp, _ := TaxRateBasisPoints(inv.TaxRate); exp.SellerTaxpayer == SmallScaleTaxpayer && inv.Kind.Special() {
		if want, _ := TaxRateBasisPoints(SmallScaleVATRate); bp != want {
			add(InvoiceRateNotSmallScale, "tax_rate", "a small-scale taxpayer's special invoice carries the small-scale rate %s; it is %s",
				SmallScaleVATRate, inv.TaxRate)
		}
	}
	if exp.NumberUsed {
		add(InvoiceNumberUsed, "number", "invoice %s was submitted before; every invoice has a number of its own", InvoiceNumberText(inv.Code, inv.Number))
	}
	switch {
	case inv.IssueDate > exp.Today:
		add(InvoiceIssuedInFuture, "issue_date", "%s is in the future (today is %s)", inv.IssueDate, exp.Today)
	case inv.IssueDate < exp.PublishedOn:
		add(InvoiceIssuedBeforeSettlement, "issue_date", "%s is before the settlement was published (%s)", inv.IssueDate, exp.PublishedOn)
	}
	return problems
}

// taxWithinOneUnit reports whether tax is amount × bp / 10000 within one
// minor unit, in exact integers (big: amount × bp may pass int64):
// |tax × 10000 − amount × bp| ≤ 10000.
func taxWithinOneUnit(amount, bp, tax int64) bool {
	diff := new(big.Int).Mul(big.NewInt(tax), big.NewInt(10_000))
	diff.Sub(diff, new(big.Int).Mul(big.NewInt(amount), big.NewInt(bp)))
	return diff.CmpAbs(big.NewInt(10_000)) <= 0
}

// InvoiceNumberText is an invoice's code and number as people write them.
func InvoiceNumberText(code, number string) string {
	if code == "" {
		return number
	}
	return code + "-" + number
}
