package rules

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Length limits of BusinessInfo fields, in characters (runes), so Chinese text
// is not penalised for taking three bytes a character.
const (
	MaxCompanyNameLength         = 200
	MaxLegalRepresentativeLength = 100
	MaxAddressLength             = 500
	MaxContactNameLength         = 100
	MaxEmailLength               = 254
	MinPhoneDigits               = 6
	MaxPhoneDigits               = 20
)

// Contact is the person the vendor talks to about a partner's certification.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// BusinessInfo is the business information a partner submits for certification.
type BusinessInfo struct {
	CompanyName         string           `json:"company_name"`
	CertificateNumber   string           `json:"certificate_number"`
	CertificateType     *CertificateType `json:"certificate_type"` // pointer: 0 is a valid type, nil means missing
	LegalRepresentative string           `json:"legal_representative"`
	Address             string           `json:"address"`
	Contact             Contact          `json:"contact"`
	// TaxpayerType is the company's VAT standing; absent means general.
	TaxpayerType TaxpayerType `json:"taxpayer_type,omitempty" enum:"general,small_scale" doc:"The company's VAT standing (general if absent): a small-scale taxpayer's special invoices carry the small-scale rate"`
}

// TaxpayerType is a company's VAT standing.
type TaxpayerType string

// The VAT standings of a company.
const (
	GeneralTaxpayer    TaxpayerType = "general"     // 一般纳税人
	SmallScaleTaxpayer TaxpayerType = "small_scale" // 小规模纳税人
)

// Normalized trims surrounding spaces of every string and upper-cases the
// certificate number. The certificate type pointer is copied, so the result
// shares no memory with b.
func (b BusinessInfo) Normalized() BusinessInfo {
	n := BusinessInfo{
		CompanyName:         strings.TrimSpace(b.CompanyName),
		CertificateNumber:   strings.ToUpper(strings.TrimSpace(b.CertificateNumber)),
		LegalRepresentative: strings.TrimSpace(b.LegalRepresentative),
		Address:             strings.TrimSpace(b.Address),
		Contact:             b.Contact.Normalized(),
		TaxpayerType:        TaxpayerType(strings.TrimSpace(string(b.TaxpayerType))),
	}
	if b.CertificateType != nil {
		t := *b.CertificateType
		n.CertificateType = &t
	}
	return n
}

// Validate names every bad field at once (JSON paths: company_name,
// certificate_number, certificate_type, legal_representative, address,
// contact.name, contact.phone, contact.email), at most one problem per field,
// in that order. It judges b.Normalized(), so raw input may be passed; store
// the normalized form.
func (b BusinessInfo) Validate() FieldErrors {
	b = b.Normalized()
	var errs FieldErrors

	checkText(&errs, "company_name", b.CompanyName, MaxCompanyNameLength)

	checkCertificate(&errs, b.CertificateType, b.CertificateNumber, "one of "+validCertificateTypesText(), true)

	checkText(&errs, "legal_representative", b.LegalRepresentative, MaxLegalRepresentativeLength)
	checkText(&errs, "address", b.Address, MaxAddressLength)
	b.Contact.check(&errs, "contact.")
	switch b.TaxpayerType {
	case "", GeneralTaxpayer, SmallScaleTaxpayer:
	default:
		errs.add("taxpayer_type", fmt.Sprintf("must be %q or %q", GeneralTaxpayer, SmallScaleTaxpayer))
	}
	return errs
}

// checkCertificate reports a required certificate_type and
// certificate_number, at most one problem each: the number is judged against
// its type only when the type is a valid one. accepted says which types are,
// after "must be " in the type's messages.
func checkCertificate(errs *FieldErrors, t *CertificateType, number, accepted string, typeRequired bool) {
	switch {
	case t == nil && !typeRequired:
	case t == nil:
		errs.add("certificate_type", "is required; must be "+accepted)
	case !t.Valid():
		errs.add("certificate_type", "must be "+accepted)
	}
	switch {
	case number == "":
		errs.add("certificate_number", "is required")
	case utf8.RuneCountInString(number) > MaxCertificateNumberLength:
		errs.add("certificate_number", fmt.Sprintf("must be at most %d characters", MaxCertificateNumberLength))
	case t != nil && t.Valid():
		if p := CertificateNumberProblem(*t, number); p != "" {
			errs.add("certificate_number", p)
		}
	}
}

// checkText reports a required free-text field that is empty or longer than max runes.
func checkText(errs *FieldErrors, field, s string, max int) {
	switch {
	case s == "":
		errs.add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		errs.add(field, fmt.Sprintf("must be at most %d characters", max))
	}
}

// validPhone accepts an optional leading '+', then digit groups separated by
// single spaces or hyphens, with 6-20 digits in all.
func validPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	digits := 0
	prevDigit := false // also false at the start, so a leading separator fails
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
			prevDigit = true
		case (c == ' ' || c == '-') && prevDigit:
			prevDigit = false
		default:
			return false
		}
	}
	return prevDigit && digits >= MinPhoneDigits && digits <= MaxPhoneDigits
}

// validEmail accepts what net/mail parses as an address with no display name,
// angle brackets or comments: the parsed address must equal the input.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// Normalized trims the surrounding spaces of every field.
func (c Contact) Normalized() Contact {
	return Contact{Name: strings.TrimSpace(c.Name), Phone: strings.TrimSpace(c.Phone), Email: strings.TrimSpace(c.Email)}
}

// check names the bad fields of a normalized contact, their JSON paths
// starting with prefix ("contact.").
func (c Contact) check(errs *FieldErrors, prefix string) {
	checkText(errs, prefix+"name", c.Name, MaxContactNameLength)

	switch {
	case c.Phone == "":
		errs.add(prefix+"phone", "is required")
	case !validPhone(c.Phone):
		errs.add(prefix+"phone", fmt.Sprintf(
			"must be %d-%d digits, optionally starting with '+' and separated by single spaces or hyphens, e.g. \"+86 138-0013-8000\"",
			MinPhoneDigits, MaxPhoneDigits))
	}

	switch {
	case c.Email == "":
		errs.add(prefix+"email", "is required")
	case utf8.RuneCountInString(c.Email) > MaxEmailLength:
		errs.add(prefix+"email", fmt.Sprintf("must be at most %d characters", MaxEmailLength))
	case !validEmail(c.Email):
		errs.add(prefix+"email", "must be a plain email address such as \"name@example.com\" (no display name)")
	}
}
