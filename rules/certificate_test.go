package rules

import (
	"strings"
	"testing"
)

// Valid Unified Social Credit Codes used in tests and demo data.
//
//   - 91350100M000100Y43 is the example code widely published with the
//     GB 32100-2015 algorithm; it checks out by hand, which cross-checks the
//     implementation rather than only itself.
//   - 9144030000000000G0 has weighted sum 682 = 22*31, so its check value is
//     31, written '0' (the wrap-around case).
//   - 91110108MA01ABCD1E and 121000004000000124 are made up and completed with
//     WithUSCCCheck; the constants pin its output.
var validUSCCs = []string{
	"91350100M000100Y43",
	"9144030000000000G0",
	"91110108MA01ABCD1E",
	"121000004000000124",
}

// Valid organisation codes (GB 11714): 12345678-8 (weighted sum 201), M000100Y-4
// (the one embedded in 91350100M000100Y43), D2143569-X (check value 10) and
// B0000000-0 (check value 11).
var validOrgCodes = []string{"12345678-8", "M000100Y-4", "D2143569-X", "B0000000-0"}

func TestCertificateTypes(t *testing.T) {
	want := []struct {
		t    CertificateType
		v    int
		name string
	}{
		{BusinessLicence, 0, "business_licence"},
		{PublicInstitutionCertificate, 1, "public_institution_certificate"},
		{SocialOrganisationCertificate, 2, "social_organisation_certificate"},
		{AdministrativeEnforcementCertificate, 3, "administrative_enforcement_certificate"},
		{OrganisationCodeCertificate, 4, "organisation_code_certificate"},
		{OtherCertificate, 99, "other_certificate"},
	}
	got := CertificateTypes()
	if len(got) != len(want) {
		t.Fatalf("CertificateTypes() = %v", got)
	}
	for i, w := range want {
		if got[i] != w.t || int(w.t) != w.v {
			t.Errorf("CertificateTypes()[%d] = %d, want %d", i, got[i], w.v)
		}
		if !w.t.Valid() {
			t.Errorf("%d.Valid() = false", w.v)
		}
		if s := w.t.String(); s != w.name {
			t.Errorf("%d.String() = %q, want %q", w.v, s, w.name)
		}
	}
	for _, bad := range []CertificateType{-1, 5, 98, 100} {
		if bad.Valid() {
			t.Errorf("%d.Valid() = true", int(bad))
		}
		if s := bad.String(); !strings.HasPrefix(s, "certificate_type(") {
			t.Errorf("%d.String() = %q", int(bad), s)
		}
	}
}

func TestWithUSCCCheck(t *testing.T) {
	for _, code := range validUSCCs {
		if got := WithUSCCCheck(code[:17]); got != code {
			t.Errorf("WithUSCCCheck(%q) = %q, want %q", code[:17], got, code)
		}
	}
	if got := WithUSCCCheck("91350100m000100y4"); got != "91350100M000100Y43" {
		t.Errorf("lower-case input: got %q", got)
	}
	for _, bad := range []string{"", "9135010", "91350100M000100Y43", "91350100I000100Y4", "91350100M00010中Y"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("WithUSCCCheck(%q) did not panic", bad)
				}
			}()
			WithUSCCCheck(bad)
		}()
	}
}

func TestOrgCodeCheck(t *testing.T) {
	for _, code := range validOrgCodes {
		if c, ok := orgCodeCheck(code[:8]); !ok || c != code[9] {
			t.Errorf("orgCodeCheck(%q) = %q, %v; want %q", code[:8], c, ok, code[9])
		}
	}
}

// Every USCC weight is non-zero modulo the prime 31, so any single-character
// substitution changes the check value: no typo of one character passes.
func TestUSCCAnySingleChangeBreaksValidity(t *testing.T) {
	for _, code := range validUSCCs {
		for i := 0; i < len(code); i++ {
			for _, r := range usccAlphabet {
				if byte(r) == code[i] {
					continue
				}
				changed := code[:i] + string(r) + code[i+1:]
				for _, typ := range []CertificateType{0, 1, 2, 3} {
					if CertificateNumberProblem(typ, changed) == "" {
						t.Errorf("type %d: %q (from %q, position %d) accepted", typ, changed, code, i+1)
					}
				}
			}
		}
	}
}

func TestCertificateNumberProblem(t *testing.T) {
	long33 := strings.Repeat("A", 33)
	tests := []struct {
		name     string
		typ      CertificateType
		number   string
		contains string // "" means valid
	}{
		// Types 0-3: Unified Social Credit Code.
		{"licence valid", BusinessLicence, validUSCCs[0], ""},
		{"licence valid check 0", BusinessLicence, validUSCCs[1], ""},
		{"licence valid letter check", BusinessLicence, validUSCCs[2], ""},
		{"public institution valid", PublicInstitutionCertificate, validUSCCs[3], ""},
		{"social organisation valid", SocialOrganisationCertificate, validUSCCs[0], ""},
		{"administrative enforcement valid", AdministrativeEnforcementCertificate, validUSCCs[2], ""},
		{"licence lower-case accepted", BusinessLicence, strings.ToLower(validUSCCs[2]), ""},
		{"licence wrong check", BusinessLicence, "91350100M000100Y44", "check character"},
		{"licence transposed", BusinessLicence, "19350100M000100Y43", "check character"},
		{"licence 17 chars", BusinessLicence, "91350100M000100Y4", "got 17 characters"},
		{"licence 19 chars", BusinessLicence, "91350100M000100Y430", "got 19 characters"},
		{"licence letter I", BusinessLicence, "91350100I000100Y43", "character 9"},
		{"licence letter O", BusinessLicence, "O1350100M000100Y43", "character 1"},
		{"licence letter S", BusinessLicence, "91350100M000100S43", "not allowed"},
		{"licence letter V", BusinessLicence, "91350100M000100V43", "not allowed"},
		{"licence letter Z check", BusinessLicence, "91350100M000100Y4Z", "not allowed"},
		{"licence hyphen", BusinessLicence, "91350100-000100Y43", "not allowed"},
		{"licence space", BusinessLicence, "91350100 000100Y43", "not allowed"},
		{"licence Chinese", BusinessLicence, "91350100中000100Y43", "not allowed"},
		{"licence full-width digit", BusinessLicence, "９1350100M000100Y43", "not allowed"},
		{"licence 33 chars", BusinessLicence, long33, "at most 32 characters"},
		{"licence empty", BusinessLicence, "", "required"},
		// Type 4: organisation code.
		{"org code with hyphen", OrganisationCodeCertificate, "12345678-8", ""},
		{"org code without hyphen", OrganisationCodeCertificate, "123456788", ""},
		{"org code letters", OrganisationCodeCertificate, "M000100Y-4", ""},
		{"org code check X", OrganisationCodeCertificate, "D2143569-X", ""},
		{"org code check X no hyphen", OrganisationCodeCertificate, "D2143569X", ""},
		{"org code check 0", OrganisationCodeCertificate, "B0000000-0", ""},
		{"org code lower-case accepted", OrganisationCodeCertificate, "d2143569-x", ""},
		{"org code wrong check", OrganisationCodeCertificate, "12345678-9", "check character"},
		{"org code wrong check X", OrganisationCodeCertificate, "12345678-X", "check character"},
		{"org code check letter", OrganisationCodeCertificate, "12345678-A", "digit or X"},
		{"org code hyphen misplaced", OrganisationCodeCertificate, "1234567-88", "9-character"},
		{"org code two hyphens", OrganisationCodeCertificate, "1234-5678-8", "9-character"},
		{"org code too short", OrganisationCodeCertificate, "1234567-8", "9-character"},
		{"org code too long", OrganisationCodeCertificate, "1234567890", "9-character"},
		{"org code symbol", OrganisationCodeCertificate, "1234#678-8", "first 8"},
		{"org code USCC given", OrganisationCodeCertificate, validUSCCs[0], "9-character"},
		{"org code 33 chars", OrganisationCodeCertificate, long33, "at most 32 characters"},
		// Type 99: other.
		{"other letters digits hyphen", OtherCertificate, "HK-12345678", ""},
		{"other one char", OtherCertificate, "X", ""},
		{"other 32 chars", OtherCertificate, strings.Repeat("9", 32), ""},
		{"other lower-case accepted", OtherCertificate, "abc-123", ""},
		{"other 33 chars", OtherCertificate, long33, "at most 32 characters"},
		{"other space", OtherCertificate, "AB 123", "only letters"},
		{"other slash", OtherCertificate, "AB/123", "only letters"},
		{"other Chinese", OtherCertificate, "证书123", "only letters"},
		{"other empty", OtherCertificate, "", "required"},
		// Invalid type.
		{"invalid type", CertificateType(7), validUSCCs[0], "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CertificateNumberProblem(tt.typ, tt.number)
			switch {
			case tt.contains == "" && got != "":
				t.Errorf("CertificateNumberProblem(%d, %q) = %q, want valid", tt.typ, tt.number, got)
			case tt.contains != "" && !strings.Contains(got, tt.contains):
				t.Errorf("CertificateNumberProblem(%d, %q) = %q, want it to mention %q", tt.typ, tt.number, got, tt.contains)
			}
		})
	}
}

// Length is counted in characters: 32 Chinese characters are 96 bytes but not too long.
func TestCertificateNumberLengthInRunes(t *testing.T) {
	got := CertificateNumberProblem(OtherCertificate, strings.Repeat("证", 32))
	if strings.Contains(got, "at most") {
		t.Errorf("32 runes reported as too long: %q", got)
	}
}
