package rules

import (
	"strings"
	"testing"
)

const testXAccountType = "PO7K3M9QX2TB"

func validBinding() CustomerBinding {
	return CustomerBinding{
		Name:              "蓝天零售有限公司",
		XAccountType:      testXAccountType,
		XAccountID:        "shop-user-0001",
		CertificateNumber: "91350100M000100Y43",
		CertificateType:   certType(BusinessLicence),
		AssociationMode:   Resale,
		Account:           &CloudAccount{Origin: NewAccount},
	}
}

func TestCustomerBindingNormalized(t *testing.T) {
	in := CustomerBinding{
		Name: " 蓝天 ", XAccountType: " PO1 ", XAccountID: "\tu1 ", CertificateNumber: " 91350100m000100y43 ",
		CertificateType: certType(OtherCertificate), AssociationMode: " resale ",
		Account: &CloudAccount{Origin: " existing ", CloudAccountID: " acc-1 "},
	}
	got := in.Normalized()
	if got.Name != "蓝天" || got.XAccountType != "PO1" || got.XAccountID != "u1" ||
		got.CertificateNumber != "91350100M000100Y43" || got.AssociationMode != Resale ||
		got.Account.Origin != ExistingAccount || got.Account.CloudAccountID != "acc-1" || *got.CertificateType != OtherCertificate {
		t.Errorf("Normalized() = %+v %+v", got, got.Account)
	}
	if got.Account == in.Account || got.CertificateType == in.CertificateType {
		t.Error("Normalized shares pointers with its input")
	}
	if in.Account.CloudAccountID != " acc-1 " {
		t.Error("Normalized modified its input")
	}
	if n := (CustomerBinding{}).Normalized(); n.Account != nil || n.CertificateType != nil {
		t.Errorf("nil pointers became %+v", n)
	}
}

func TestCustomerBindingValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(b *CustomerBinding)
		issued string
		want   string // the bad fields, in order
	}{
		{"valid, new account", func(b *CustomerBinding) {}, testXAccountType, ""},
		{"valid, existing account", func(b *CustomerBinding) {
			b.Account = &CloudAccount{Origin: ExistingAccount, CloudAccountID: strings.Repeat("9", 64)}
		}, testXAccountType, ""},
		{"valid consultative, organisation code", func(b *CustomerBinding) {
			b.AssociationMode = Consultative
			b.CertificateType = certType(OrganisationCodeCertificate)
			b.CertificateNumber = "12345678-8"
		}, testXAccountType, ""},
		{"spaces around values are trimmed", func(b *CustomerBinding) {
			b.XAccountType = " " + testXAccountType + " "
			b.Name = " x "
		}, testXAccountType, ""},
		{"no issued identifier skips the comparison", func(b *CustomerBinding) { b.XAccountType = "POOTHER" }, "", ""},
		{"no certificate type: optional, the number still checked", func(b *CustomerBinding) { b.CertificateType = nil }, testXAccountType, ""},
		{"everything missing", func(b *CustomerBinding) { *b = CustomerBinding{} }, testXAccountType,
			"name,xaccount_type,xaccount_id,certificate_number,association_mode,account"},
		{"lengths and enums at once", func(b *CustomerBinding) {
			b.Name = strings.Repeat("名", 201)
			b.XAccountType = strings.Repeat("P", 65)
			b.XAccountID = strings.Repeat("u", 65)
			b.CertificateNumber = strings.Repeat("1", 33)
			b.CertificateType = certType(7)
			b.AssociationMode = "friends"
			b.Account = &CloudAccount{Origin: "borrowed"}
		}, testXAccountType,
			"name,xaccount_type,xaccount_id,certificate_type,certificate_number,association_mode,account.origin"},
		{"limits are inclusive", func(b *CustomerBinding) {
			b.Name = strings.Repeat("名", 200)
			b.XAccountID = strings.Repeat("u", 64)
			b.CertificateType = certType(OtherCertificate)
			b.CertificateNumber = strings.Repeat("A", 32)
		}, testXAccountType, ""},
		{"64-character identifier matches", func(b *CustomerBinding) { b.XAccountType = strings.Repeat("P", 64) },
			strings.Repeat("P", 64), ""},
		{"another partner's identifier", func(b *CustomerBinding) { b.XAccountType = "POSOMEONEELSE" }, testXAccountType,
			"xaccount_type"},
		{"identifier compared exactly", func(b *CustomerBinding) { b.XAccountType = strings.ToLower(testXAccountType) },
			testXAccountType, "xaccount_type"},
		{"bad check character", func(b *CustomerBinding) { b.CertificateNumber = "91350100M000100Y44" }, testXAccountType,
			"certificate_number"},
		{"number of another type's form", func(b *CustomerBinding) {
			b.CertificateType = certType(OrganisationCodeCertificate)
		}, testXAccountType, "certificate_number"},
		{"existing account without its ID", func(b *CustomerBinding) {
			b.Account = &CloudAccount{Origin: ExistingAccount}
		}, testXAccountType, "account.cloud_account_id"},
		{"existing account ID too long", func(b *CustomerBinding) {
			b.Account = &CloudAccount{Origin: ExistingAccount, CloudAccountID: strings.Repeat("9", 65)}
		}, testXAccountType, "account.cloud_account_id"},
		{"new account with an ID", func(b *CustomerBinding) {
			b.Account = &CloudAccount{Origin: NewAccount, CloudAccountID: "acc-1"}
		}, testXAccountType, "account.cloud_account_id"},
		{"origin missing", func(b *CustomerBinding) { b.Account = &CloudAccount{} }, testXAccountType, "account.origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := validBinding()
			tt.edit(&b)
			errs := b.Validate(tt.issued)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
				if e.Message == "" {
					t.Errorf("%s has no message", e.Field)
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("bad fields %q, want %q (%v)", strings.Join(got, ","), tt.want, errs)
			}
		})
	}
}

func TestCustomerBindingMessages(t *testing.T) {
	b := validBinding()
	b.XAccountType = "POSOMEONEELSE"
	b.CertificateType = certType(7)
	errs := b.Validate(testXAccountType)
	if !strings.Contains(errs[0].Message, testXAccountType) || !strings.Contains(errs[0].Message, "access configuration") {
		t.Errorf("xaccount_type message %q should name the issued identifier", errs[0].Message)
	}
	if !strings.Contains(errs[1].Message, "99 (other_certificate)") || !strings.Contains(errs[1].Message, "enterprise") {
		t.Errorf("certificate_type message %q should list the enterprise types", errs[1].Message)
	}
}

func TestAssociationModesAndOrigins(t *testing.T) {
	for _, m := range AssociationModes() {
		if !m.Valid() {
			t.Errorf("%s not valid", m)
		}
	}
	for _, o := range AccountOrigins() {
		if !o.Valid() {
			t.Errorf("%s not valid", o)
		}
	}
	if AssociationMode("friends").Valid() || AccountOrigin("").Valid() || AssociationMode("").Valid() {
		t.Error("unknown values are valid")
	}
}

// The partner's message goes with an existing account's association
// request only, bounded and printable; a resale association grants more
// than a consultative one.
func TestAssociationMessageAndGrants(t *testing.T) {
	ct := CertificateType(0)
	b := CustomerBinding{Name: "Pine Hill", XAccountType: "PO1", XAccountID: "x", CertificateNumber: "91350100M000100Y43",
		CertificateType: &ct, AssociationMode: Resale, Account: &CloudAccount{Origin: ExistingAccount, CloudAccountID: "cus_1"},
		Message: "We resell your cloud"}
	if problems := b.Validate("PO1"); len(problems) != 0 {
		t.Errorf("a good request: %v", problems)
	}
	for name, bad := range map[string]func(*CustomerBinding){
		"new account": func(b *CustomerBinding) { b.Account = &CloudAccount{Origin: NewAccount} },
		"too long":    func(b *CustomerBinding) { b.Message = strings.Repeat("m", MaxAssociationMessageLength+1) },
		"control":     func(b *CustomerBinding) { b.Message = "bad\x00" },
	} {
		c := b
		bad(&c)
		if problems := c.Validate("PO1"); len(problems) != 1 || problems[0].Field != "message" {
			t.Errorf("%s: %v", name, problems)
		}
	}
	if r, c := AssociationGrants(Resale), AssociationGrants(Consultative); len(r) <= len(c) {
		t.Errorf("resale grants %v, consultative %v", r, c)
	}
}
