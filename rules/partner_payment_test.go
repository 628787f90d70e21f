package rules

import (
	"strings"
	"testing"
	"time"
)

func TestPartnerPaymentEligibility(t *testing.T) {
	for _, tc := range []struct {
		partner PartnerType
		mode    AssociationMode
		allowed bool
		says    string
	}{
		{SolutionProvider, Consultative, true, ""},
		{SolutionProvider, Resale, true, ""},
		{CloudReseller, Resale, true, ""},
		{CloudReseller, Consultative, false, "only for resale customers"},
		{SoftwarePartner, Resale, false, "only solution providers and cloud resellers"},
		{ServicePartner, Consultative, false, "only solution providers and cloud resellers"},
		{LearningEnablementPartner, Resale, false, "only solution providers and cloud resellers"},
		{DTCSIPartner, Resale, false, "only solution providers and cloud resellers"},
		{"", "", false, "not associated with a partner"},
	} {
		got := PartnerPaymentRefusal(tc.partner, tc.mode)
		if (got == "") != tc.allowed || !strings.Contains(got, tc.says) {
			t.Errorf("%s x %s: %q", tc.partner, tc.mode, got)
		}
	}
}

func TestPaymentScenarios(t *testing.T) {
	for _, s := range PaymentScenarios() {
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
	}
	if PaymentScenario("subscription_box").Valid() {
		t.Error("an unknown scenario is valid")
	}
}

func TestPartnerDecisionDeadlineIsHalfTheWindow(t *testing.T) {
	placed := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if got := PartnerDecisionDeadline(placed, placed.Add(48*time.Hour)); !got.Equal(placed.Add(24 * time.Hour)) {
		t.Errorf("partner deadline %v", got)
	}
}

func TestCloudOrderRequestNamesEveryBadField(t *testing.T) {
	good := CloudOrderRequest{Scenario: Renewal, Product: "ecs.c6.large, 1 year", Amount: &Money{Amount: 12000, Currency: "CNY"},
		PaymentWindowMinutes: 60, Payer: PayerPartner}
	if errs := good.Validate(); len(errs) != 0 {
		t.Fatalf("a good order: %v", errs)
	}
	bad := CloudOrderRequest{Scenario: "lease", Product: "  ", Amount: &Money{Amount: -5, Currency: "yuan"},
		PaymentWindowMinutes: 60*24*31 + 1, Payer: "friend"}
	var fields []string
	for _, e := range bad.Validate() {
		fields = append(fields, e.Field)
	}
	if got := strings.Join(fields, ","); got != "scenario,product,amount.amount,amount.currency,payment_window_minutes,payer" {
		t.Errorf("bad fields %s", got)
	}
	if errs := (CloudOrderRequest{Scenario: NewPurchase, Product: "x", Payer: PayerCustomer, PaymentWindowMinutes: 1}).Validate(); len(errs) != 1 || errs[0].Field != "amount" {
		t.Errorf("a missing amount: %v", errs)
	}
}
