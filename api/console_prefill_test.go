package api

import (
	"encoding/json"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// A rejected certification's resubmit form starts from the business
// information the case holds, nested contact included; an action whose
// input is no part of the details (reject's reason) starts empty.
func TestResubmitFormStartsFromTheCase(t *testing.T) {
	raw, err := json.Marshal(workflows.CertificationDetails{BusinessInfo: rules.BusinessInfo{
		CompanyName: "Orchid Digital Ltd", CertificateNumber: "91440300MA5F003008", CertificateType: new(rules.BusinessLicence),
		LegalRepresentative: "Zhao Qi", Address: "9 Garden Lane, Shenzhen",
		Contact: rules.Contact{Name: "Sun Ba", Phone: "+86 137 0000 0000", Email: "sun.ba@orchid.example"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var details map[string]any
	if err := json.Unmarshal(raw, &details); err != nil {
		t.Fatal(err)
	}
	form, ok := newActionForm(cases.KindCertification, workflows.ActionResubmit)
	if !ok {
		t.Fatal("no resubmit form")
	}
	prefill(form.Fields, prefillValues(cases.KindCertification, workflows.ActionResubmit, details), time.UTC)
	got := map[string]string{}
	var walk func([]formField)
	walk = func(fields []formField) {
		for _, f := range fields {
			walk(f.Fields)
			got[f.Name] = f.Value
		}
	}
	walk(form.Fields)
	for name, want := range map[string]string{
		"company_name": "Orchid Digital Ltd", "certificate_number": "91440300MA5F003008", "certificate_type": "0",
		"address": "9 Garden Lane, Shenzhen", "contact.email": "sun.ba@orchid.example", "contact.phone": "+86 137 0000 0000",
	} {
		if got[name] != want {
			t.Errorf("resubmit field %s starts as %q, want %q", name, got[name], want)
		}
	}
	// What the form sends back unchanged is the same business information.
	body, errs := inputOf(form.Fields, func(k string) string { return got[k] }, time.UTC)
	var back rules.BusinessInfo
	if err := json.Unmarshal(body, &back); err != nil || len(errs) > 0 || back.CompanyName != "Orchid Digital Ltd" || back.Contact.Email != "sun.ba@orchid.example" {
		t.Errorf("sent back unchanged: %s %v %v", body, errs, err)
	}
	if values := prefillValues(cases.KindCertification, workflows.ActionReject, details); values != nil {
		t.Errorf("reject's form starts from %v, want empty", values)
	}
}
