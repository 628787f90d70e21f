package rules

import (
	"encoding/json"
	"strings"
	"testing"
)

func certType(t CertificateType) *CertificateType { return &t }

func validBusinessInfo() BusinessInfo {
	return BusinessInfo{
		CompanyName:         "福州示例科技有限公司",
		CertificateNumber:   "91350100M000100Y43",
		CertificateType:     certType(BusinessLicence),
		LegalRepresentative: "张三",
		Address:             "福建省福州市鼓楼区示例路1号",
		Contact: Contact{
			Name:  "李四",
			Phone: "+86 138-0013-8000",
			Email: "lisi@example.com",
		},
	}
}

func TestBusinessInfoNormalized(t *testing.T) {
	in := BusinessInfo{
		CompanyName:         "  示例公司 \t",
		CertificateNumber:   " 91350100m000100y43\n",
		CertificateType:     certType(SocialOrganisationCertificate),
		LegalRepresentative: " 张三 ",
		Address:             " 某地 ",
		Contact:             Contact{Name: " 李四 ", Phone: " 13800138000 ", Email: " a@example.com "},
	}
	got := in.Normalized()
	want := BusinessInfo{
		CompanyName:         "示例公司",
		CertificateNumber:   "91350100M000100Y43",
		LegalRepresentative: "张三",
		Address:             "某地",
		Contact:             Contact{Name: "李四", Phone: "13800138000", Email: "a@example.com"},
	}
	gotType := got.CertificateType
	got.CertificateType = nil
	if got != want {
		t.Errorf("Normalized() = %+v, want %+v", got, want)
	}
	if gotType == nil || *gotType != SocialOrganisationCertificate {
		t.Fatalf("certificate type = %v", gotType)
	}
	if gotType == in.CertificateType {
		t.Error("Normalized shares the certificate type pointer with its input")
	}
	if in.CompanyName != "  示例公司 \t" {
		t.Error("Normalized modified its receiver")
	}
	if (BusinessInfo{}).Normalized().CertificateType != nil {
		t.Error("nil certificate type became non-nil")
	}
}

func TestBusinessInfoValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(b *BusinessInfo)
		fields []string
	}{
		{"valid", func(b *BusinessInfo) {}, nil},
		{"valid with surrounding spaces and lower-case number", func(b *BusinessInfo) {
			b.CompanyName = "  " + b.CompanyName + "  "
			b.CertificateNumber = " 91350100m000100y43 "
			b.Contact.Email = " lisi@example.com "
		}, nil},
		{"type 0 is valid, not missing", func(b *BusinessInfo) { b.CertificateType = certType(0) }, nil},
		{"organisation code", func(b *BusinessInfo) {
			b.CertificateType = certType(OrganisationCodeCertificate)
			b.CertificateNumber = "M000100Y-4"
		}, nil},
		{"other certificate", func(b *BusinessInfo) {
			b.CertificateType = certType(OtherCertificate)
			b.CertificateNumber = "HK-12345678"
		}, nil},
		{"everything missing", func(b *BusinessInfo) { *b = BusinessInfo{} }, []string{
			"company_name", "certificate_type", "certificate_number", "legal_representative",
			"address", "contact.name", "contact.phone", "contact.email",
		}},
		{"only spaces count as missing", func(b *BusinessInfo) {
			b.CompanyName = "   "
			b.Contact.Name = "\t"
		}, []string{"company_name", "contact.name"}},
		{"several bad fields at once", func(b *BusinessInfo) {
			b.CertificateNumber = "91350100M000100Y44"
			b.Contact.Phone = "call me"
			b.Contact.Email = "李四 <lisi@example.com>"
			b.Address = strings.Repeat("路", 501)
		}, []string{"certificate_number", "address", "contact.phone", "contact.email"}},
		{"invalid type skips number format", func(b *BusinessInfo) {
			b.CertificateType = certType(5)
			b.CertificateNumber = "not-a-uscc"
		}, []string{"certificate_type"}},
		{"missing type skips number format", func(b *BusinessInfo) {
			b.CertificateType = nil
			b.CertificateNumber = "not-a-uscc"
		}, []string{"certificate_type"}},
		{"number of wrong form for its type", func(b *BusinessInfo) {
			b.CertificateType = certType(OrganisationCodeCertificate)
		}, []string{"certificate_number"}},
		{"33-character number with missing type", func(b *BusinessInfo) {
			b.CertificateType = nil
			b.CertificateNumber = strings.Repeat("1", 33)
		}, []string{"certificate_type", "certificate_number"}},
		{"company name 200 Chinese runes", func(b *BusinessInfo) { b.CompanyName = strings.Repeat("公", 200) }, nil},
		{"company name 201 Chinese runes", func(b *BusinessInfo) { b.CompanyName = strings.Repeat("公", 201) }, []string{"company_name"}},
		{"legal representative 100 runes", func(b *BusinessInfo) { b.LegalRepresentative = strings.Repeat("张", 100) }, nil},
		{"legal representative 101 runes", func(b *BusinessInfo) { b.LegalRepresentative = strings.Repeat("张", 101) }, []string{"legal_representative"}},
		{"address 500 runes", func(b *BusinessInfo) { b.Address = strings.Repeat("路", 500) }, nil},
		{"contact name 100 runes", func(b *BusinessInfo) { b.Contact.Name = strings.Repeat("李", 100) }, nil},
		{"contact name 101 runes", func(b *BusinessInfo) { b.Contact.Name = strings.Repeat("李", 101) }, []string{"contact.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := validBusinessInfo()
			tt.edit(&b)
			errs := b.Validate()
			assertFields(t, errs, tt.fields)
			if (errs.Err() == nil) != (len(tt.fields) == 0) {
				t.Errorf("Err() = %v", errs.Err())
			}
		})
	}
}

func TestBusinessInfoValidateMessages(t *testing.T) {
	b := BusinessInfo{CertificateType: certType(42), CertificateNumber: strings.Repeat("A", 33)}
	msgs := map[string]string{}
	for _, e := range b.Validate() {
		msgs[e.Field] = e.Message
	}
	if m := msgs["certificate_type"]; !strings.Contains(m, "0 (business_licence)") || !strings.Contains(m, "99 (other_certificate)") {
		t.Errorf("certificate_type message does not list the valid types: %q", m)
	}
	if m := msgs["certificate_number"]; m != "must be at most 32 characters" {
		t.Errorf("certificate_number message = %q", m)
	}
	if m := msgs["company_name"]; m != "is required" {
		t.Errorf("company_name message = %q", m)
	}
}

func TestBusinessInfoPhone(t *testing.T) {
	tests := []struct {
		phone string
		ok    bool
	}{
		{"13800138000", true},
		{"+8613800138000", true},
		{"+86 138 0013 8000", true},
		{"+86-138-0013-8000", true},
		{"010-12345678", true},
		{"123456", true},                 // 6 digits
		{"12345678901234567890", true},   // 20 digits
		{"1-2-3-4-5-6", true},            // 6 digits, single separators
		{"12345", false},                 // 5 digits
		{"123456789012345678901", false}, // 21 digits
		{"138  0013 8000", false},        // double space
		{"138--0013", false},             // double hyphen
		{"138 -0013", false},             // mixed double separator
		{"-13800138000", false},          // leading separator
		{"13800138000-", false},          // trailing separator
		{"+ 8613800138000", false},       // separator after '+'
		{"++8613800138000", false},
		{"86+13800138000", false},
		{"(010) 12345678", false},
		{"138.0013.8000", false},
		{"１３８００１３８０００", false}, // full-width digits
		{"tel:13800138000", false},
	}
	for _, tt := range tests {
		t.Run(tt.phone, func(t *testing.T) {
			b := validBusinessInfo()
			b.Contact.Phone = tt.phone
			var want []string
			if !tt.ok {
				want = []string{"contact.phone"}
			}
			assertFields(t, b.Validate(), want)
		})
	}
}

func TestBusinessInfoEmail(t *testing.T) {
	local64 := strings.Repeat("a", 64)
	tests := []struct {
		name  string
		email string
		ok    bool
	}{
		{"plain", "lisi@example.com", true},
		{"plus and dots", "li.si+partner@mail.example.com.cn", true},
		{"254 characters", local64 + "@" + strings.Repeat("b", 185) + ".com", true},
		{"255 characters", local64 + "@" + strings.Repeat("b", 186) + ".com", false},
		{"display name", "Li Si <lisi@example.com>", false},
		{"angle brackets only", "<lisi@example.com>", false},
		{"comment", "lisi@example.com (Li Si)", false},
		{"no at sign", "lisi.example.com", false},
		{"no domain", "lisi@", false},
		{"two addresses", "a@example.com, b@example.com", false},
		{"space inside", "li si@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := validBusinessInfo()
			b.Contact.Email = tt.email
			var want []string
			if !tt.ok {
				want = []string{"contact.email"}
			}
			assertFields(t, b.Validate(), want)
		})
	}
}

func TestBusinessInfoJSON(t *testing.T) {
	var b BusinessInfo
	in := `{"company_name":"示例","certificate_number":"91350100M000100Y43","certificate_type":0,
		"legal_representative":"张三","address":"某地","contact":{"name":"李四","phone":"13800138000","email":"a@example.com"}}`
	if err := json.Unmarshal([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	if b.CertificateType == nil || *b.CertificateType != BusinessLicence {
		t.Fatalf("certificate_type 0 decoded as %v", b.CertificateType)
	}
	if errs := b.Validate(); len(errs) != 0 {
		t.Errorf("Validate() = %v", errs)
	}
	var missing BusinessInfo
	if err := json.Unmarshal([]byte(`{"company_name":"示例"}`), &missing); err != nil {
		t.Fatal(err)
	}
	if missing.CertificateType != nil {
		t.Error("absent certificate_type decoded as non-nil")
	}
}
