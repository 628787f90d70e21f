package rules

import (
	"strings"
	"testing"
)

func TestContractApplicationRefusal(t *testing.T) {
	tests := []struct {
		applicant ContractApplicant
		mode      AssociationMode
		allowed   bool
		mentions  []string
	}{
		{ApplicantCustomer, Consultative, true, nil},
		{ApplicantCustomer, "", true, nil},
		{ApplicantCustomer, Resale, false, []string{"ask your partner", `"Acme Solutions"`}},
		{ApplicantPartner, Resale, true, nil},
		{ApplicantPartner, Consultative, false, []string{"applies for its online contract itself"}},
		{ApplicantPartner, "", false, []string{"not associated"}},
		{"ops", Resale, false, []string{"cannot apply"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.applicant)+"/"+string(tt.mode), func(t *testing.T) {
			reason := ContractApplicationRefusal(tt.applicant, tt.mode, "Acme Solutions")
			if (reason == "") != tt.allowed {
				t.Fatalf("refusal %q, allowed want %v", reason, tt.allowed)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(reason, m) {
					t.Errorf("refusal %q does not mention %q", reason, m)
				}
			}
		})
	}
}

func TestContractApplicationValidate(t *testing.T) {
	tests := []struct {
		title string
		bad   bool
	}{
		{"Cloud servers, 2026", false},
		{" x ", false},
		{strings.Repeat("合", 200), false},
		{strings.Repeat("合", 201), true},
		{"", true},
		{"   ", true},
	}
	for _, tt := range tests {
		errs := ContractApplication{Title: tt.title}.Validate()
		if (len(errs) > 0) != tt.bad || (tt.bad && errs[0].Field != "title") {
			t.Errorf("Validate(%q) = %v, bad want %v", tt.title, errs, tt.bad)
		}
	}
	if got := (ContractApplication{Title: " a "}).Normalized().Title; got != "a" {
		t.Errorf("Normalized title %q", got)
	}
}
