package rules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"partnerops/present"
)

// Money is an amount in integer minor units (fen for CNY, cents for USD) of a
// currency named by its 3-letter upper-case ISO 4217 code. Money never uses
// floating point. Where money moves the amount is positive; in a ledger
// entry it is signed (negative: money left the account).
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// String is what people read, in English: 12000 CNY is "120.00 CNY"
// (major units, then the currency). present.Printer.Money writes it in
// the reader's language.
func (m Money) String() string { return present.Default.Money(m.Amount, m.Currency) }

// Limits of money movements and of their free-text fields.
const (
	// MaxMoneyAmount bounds one movement: 10^15 minor units (10 trillion
	// yuan), far above any real transfer and far below what a balance
	// (int64) can hold, so sums never overflow in practice.
	MaxMoneyAmount         int64 = 1_000_000_000_000_000
	MaxTransactionIDLength int   = 64
	MaxMemoLength          int   = 255
)

// CurrencyProblem returns "" when c is a currency code (exactly three
// letters A-Z, e.g. "CNY"), else a message to follow the field name.
func CurrencyProblem(c string) string {
	switch {
	case c == "":
		return "is required: a 3-letter upper-case currency code such as \"CNY\""
	case len(c) != 3 || strings.IndexFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0:
		return fmt.Sprintf("must be a 3-letter upper-case currency code such as \"CNY\", not %q", c)
	}
	return ""
}

// ValidateMovement names the problems of m as an amount of money to move,
// under field (e.g. "amount": its fields are "amount.amount" and
// "amount.currency"): the amount must be a whole number of minor units from
// 1 to MaxMoneyAmount and the currency a currency code.
func (m Money) ValidateMovement(field string) FieldErrors {
	var errs FieldErrors
	switch {
	case m.Amount <= 0:
		errs.add(field+".amount", fmt.Sprintf("must be greater than 0 (integer minor units, e.g. 12000 for 120.00 CNY); got %d", m.Amount))
	case m.Amount > MaxMoneyAmount:
		errs.add(field+".amount", fmt.Sprintf("must be at most %d minor units", MaxMoneyAmount))
	}
	if p := CurrencyProblem(m.Currency); p != "" {
		errs.add(field+".currency", p)
	}
	return errs
}

// TransactionIDProblem returns "" when id is an acceptable transaction ID
// (the partner's or the vendor's own reference of a movement): 1 to 64
// printable characters without spaces or control characters.
func TransactionIDProblem(id string) string {
	switch {
	case id == "":
		return "is required"
	case utf8.RuneCountInString(id) > MaxTransactionIDLength:
		return fmt.Sprintf("must be at most %d characters", MaxTransactionIDLength)
	case !utf8.ValidString(id) || strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		return "may not contain spaces or control characters"
	}
	return ""
}

// MemoProblem returns "" when memo is an acceptable memo: optional, at most
// 255 characters, no control characters but line breaks and tabs.
func MemoProblem(memo string) string {
	switch {
	case utf8.RuneCountInString(memo) > MaxMemoLength:
		return fmt.Sprintf("must be at most %d characters", MaxMemoLength)
	case hasControlCharacters(memo):
		return "may not contain control characters"
	}
	return TextProblem(memo, true)
}

// hasControlCharacters reports whether s is not valid UTF-8 or holds a
// control character other than a line break or a tab.
func hasControlCharacters(s string) bool {
	return !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
	}) >= 0
}

// DepositRequest is the vendor recording money a partner paid in.
type DepositRequest struct {
	Amount        *Money `json:"amount"` // nil: missing
	TransactionID string `json:"transaction_id"`
	Memo          string `json:"memo"`
}

// Normalized trims the surrounding spaces of the transaction ID and memo.
func (d DepositRequest) Normalized() DepositRequest {
	n := DepositRequest{TransactionID: strings.TrimSpace(d.TransactionID), Memo: strings.TrimSpace(d.Memo)}
	if d.Amount != nil {
		m := *d.Amount
		n.Amount = &m
	}
	return n
}

// Validate names every bad field at once (amount, amount.amount,
// amount.currency, transaction_id, memo), judging d.Normalized().
func (d DepositRequest) Validate() FieldErrors {
	d = d.Normalized()
	var errs FieldErrors
	validateAmount(&errs, d.Amount)
	if p := TransactionIDProblem(d.TransactionID); p != "" {
		errs.add("transaction_id", p)
	}
	if p := MemoProblem(d.Memo); p != "" {
		errs.add("memo", p)
	}
	return errs
}

// validateAmount adds the problems of the "amount" field of a request.
func validateAmount(errs *FieldErrors, m *Money) {
	if m == nil {
		errs.add("amount", "is required: {\"amount\": <minor units > 0>, \"currency\": \"CNY\"}")
		return
	}
	*errs = append(*errs, m.ValidateMovement("amount")...)
}

// Major is the amount in major units with thousands separators and two
// decimals, then the currency: 120000 CNY is "1,200.00 CNY". It is how
// messages people read show money.
func (m Money) Major() string {
	sign, amount := "", m.Amount
	if amount < 0 {
		sign, amount = "-", -amount
	}
	whole := fmt.Sprint(amount / 100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s%s.%02d %s", sign, b.String(), amount%100, m.Currency)
}
