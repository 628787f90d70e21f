package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CertificateType is the kind of enterprise certificate a partner submits, with
// the numeric values of the vendor's public partner API.
type CertificateType int

const (
	BusinessLicence                      CertificateType = 0  // 营业执照
	PublicInstitutionCertificate         CertificateType = 1  // 事业单位法人证书
	SocialOrganisationCertificate        CertificateType = 2  // 社会团体法人登记证书
	AdministrativeEnforcementCertificate CertificateType = 3  // 行政执法主体资格证
	OrganisationCodeCertificate          CertificateType = 4  // 组织机构代码证
	OtherCertificate                     CertificateType = 99 // any other certificate
)

// CertificateTypes returns all valid values in order.
func CertificateTypes() []CertificateType {
	return []CertificateType{
		BusinessLicence,
		PublicInstitutionCertificate,
		SocialOrganisationCertificate,
		AdministrativeEnforcementCertificate,
		OrganisationCodeCertificate,
		OtherCertificate,
	}
}

// Valid reports whether t is one of CertificateTypes.
func (t CertificateType) Valid() bool {
	switch t {
	case BusinessLicence, PublicInstitutionCertificate, SocialOrganisationCertificate,
		AdministrativeEnforcementCertificate, OrganisationCodeCertificate, OtherCertificate:
		return true
	}
	return false
}

// String is the snake_case English name, e.g. "business_licence", or
// "certificate_type(7)" for an invalid value.
func (t CertificateType) String() string {
	switch t {
	case BusinessLicence:
		return "business_licence"
	case PublicInstitutionCertificate:
		return "public_institution_certificate"
	case SocialOrganisationCertificate:
		return "social_organisation_certificate"
	case AdministrativeEnforcementCertificate:
		return "administrative_enforcement_certificate"
	case OrganisationCodeCertificate:
		return "organisation_code_certificate"
	case OtherCertificate:
		return "other_certificate"
	}
	return "certificate_type(" + strconv.Itoa(int(t)) + ")"
}

// validCertificateTypesText lists the valid types for messages:
// "0 (business_licence), 1 (...), ..., 99 (other_certificate)".
func validCertificateTypesText() string {
	parts := make([]string, 0, 6)
	for _, t := range CertificateTypes() {
		parts = append(parts, fmt.Sprintf("%d (%s)", int(t), t))
	}
	return strings.Join(parts, ", ")
}

// MaxCertificateNumberLength bounds every certificate number, whatever its type.
const MaxCertificateNumberLength = 32

// usccAlphabet is the character set of the Unified Social Credit Code
// (GB 32100-2015): digits and capital letters without I, O, S, V and Z. A
// character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 weights of the first 17 characters
// (3^i mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccCheck returns the check character for 17 characters from usccAlphabet,
// or ok=false if body is not that.
func usccCheck(body string) (check byte, ok bool) {
	if len(body) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, body[i])
		if v < 0 {
			return 0, false
		}
		sum += v * usccWeights[i]
	}
	c := 31 - sum%31 // 1..31; 31 is written as '0'
	return usccAlphabet[c%31], true
}

// WithUSCCCheck returns first17 followed by its Unified Social Credit Code
// check character, making an 18-character code that passes
// CertificateNumberProblem for types 0-3. It is for building test and demo
// data. first17 is upper-cased first; it panics unless first17 is then 17
// characters from "0123456789ABCDEFGHJKLMNPQRTUWXY".
func WithUSCCCheck(first17 string) string {
	body := strings.ToUpper(first17)
	c, ok := usccCheck(body)
	if !ok {
		panic(fmt.Sprintf("rules.WithUSCCCheck: %q is not 17 characters of %s", first17, usccAlphabet))
	}
	return body + string(c)
}

// orgCodeWeights are the GB 11714 weights of the 8 body characters.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// orgCodeCheck returns the GB 11714 check character for 8 characters of
// [0-9A-Z], or ok=false if body is not that.
func orgCodeCheck(body string) (check byte, ok bool) {
	if len(body) != 8 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		var v int
		switch ch := body[i]; {
		case ch >= '0' && ch <= '9':
			v = int(ch - '0')
		case ch >= 'A' && ch <= 'Z':
			v = 10 + int(ch-'A')
		default:
			return 0, false
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + c), true
	}
}

// CertificateNumberProblem returns "" when number is acceptable for type t,
// else a clear human message meant to follow the field name ("certificate_number: ...").
// The number is compared upper-case, so lower-case letters are accepted; store
// BusinessInfo.Normalized to keep the canonical form. Formats:
//   - types 0-3: the 18-character Unified Social Credit Code (统一社会信用代码,
//     GB 32100-2015) with a correct check character. Only the alphabet and the
//     check character are verified, not the embedded organisation code's own
//     check digit or the region code, so unusual but genuine codes pass;
//   - type 4: the 9-character organisation code (组织机构代码, GB 11714), with
//     or without a hyphen before the check character ("XXXXXXXX-X");
//   - type 99: 1-32 ASCII letters, digits and '-'.
//
// Every type allows at most MaxCertificateNumberLength characters.
func CertificateNumberProblem(t CertificateType, number string) string {
	if number == "" {
		return "is required"
	}
	if n := utf8.RuneCountInString(number); n > MaxCertificateNumberLength {
		return fmt.Sprintf("must be at most %d characters", MaxCertificateNumberLength)
	}
	number = strings.ToUpper(number)
	switch t {
	case BusinessLicence, PublicInstitutionCertificate, SocialOrganisationCertificate, AdministrativeEnforcementCertificate:
		return usccProblem(number)
	case OrganisationCodeCertificate:
		return orgCodeProblem(number)
	case OtherCertificate:
		for _, r := range number {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return "may contain only letters A-Z, digits 0-9 and '-'"
			}
		}
		return ""
	}
	return fmt.Sprintf("cannot be checked: certificate type %d is not valid", int(t))
}

func usccProblem(number string) string {
	const what = "must be an 18-character unified social credit code (统一社会信用代码)"
	if n := utf8.RuneCountInString(number); n != 18 {
		return fmt.Sprintf("%s; got %d characters", what, n)
	}
	for i, r := range number {
		if r >= utf8.RuneSelf || strings.IndexByte(usccAlphabet, byte(r)) < 0 {
			return fmt.Sprintf("%s of digits and the letters ABCDEFGHJKLMNPQRTUWXY (never I, O, S, V or Z); character %d (%q) is not allowed", what, i+1, r)
		}
	}
	if c, _ := usccCheck(number[:17]); c != number[17] {
		// Deliberately no hint of the expected character: the typo is as
		// likely in the first 17 characters as in the last.
		return "is not a valid unified social credit code: the check character (18th) does not match; please copy the number again from the certificate"
	}
	return ""
}

func orgCodeProblem(number string) string {
	const what = "must be a 9-character organisation code (组织机构代码) such as \"12345678-8\" or \"123456788\""
	body := number
	if len(number) == 10 && number[8] == '-' {
		body = number[:8] + number[9:]
	}
	if len(body) != 9 {
		return what
	}
	for i := 0; i < 8; i++ {
		if ch := body[i]; !(ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z') {
			return what + "; the first 8 characters may be only digits and letters A-Z"
		}
	}
	if ch := body[8]; !(ch >= '0' && ch <= '9' || ch == 'X') {
		return what + "; the check character (last) must be a digit or X"
	}
	if c, _ := orgCodeCheck(body[:8]); c != body[8] {
		return "is not a valid organisation code: the check character (last) does not match; please copy the number again from the certificate"
	}
	return ""
}
