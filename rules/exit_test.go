package rules

import (
	"strings"
	"testing"
)

func TestExitRequestValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		reason string
		want   string // the message for reason, "" for none
	}{
		{"valid", "we leave the cloud business", ""},
		{"surrounding spaces", "  moving on \n", ""},
		{"missing", "", "is required: say why the partner leaves the program"},
		{"blank", " \t ", "is required: say why the partner leaves the program"},
		{"too long", strings.Repeat("x", MaxExitReasonLength+1), "must be at most 1000 characters"},
		{"control character", "bad\x00reason", "may not contain control characters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			errs := ExitRequest{Reason: c.reason}.Validate()
			switch {
			case c.want == "" && len(errs) > 0:
				t.Errorf("refused: %v", errs)
			case c.want != "" && (len(errs) != 1 || errs[0].Field != "reason" || errs[0].Message != c.want):
				t.Errorf("got %v, want reason: %s", errs, c.want)
			}
		})
	}
}

func TestExitObligations(t *testing.T) {
	if got := ExitObligations(ExitFacts{}); len(got) != 0 || got == nil {
		t.Errorf("nothing open: got %#v, want an empty list", got)
	}
	facts := ExitFacts{
		OpenCases: []ExitOpenCase{{ID: "cas_1", Kind: "certification", Status: "in_review"}},
		MoreCases: 2,
		Customers: []ExitParty{{ID: "cus_1", Name: "Beta"}},
		Balances: []ExitBalance{{Balance: Money{Amount: 500, Currency: "CNY"}},
			{CustomerID: "cus_1", Balance: Money{Amount: 20, Currency: "CNY"}}},
		MoreBalances: 3,
		Members:      []ExitParty{{ID: "prn_1", Name: "Wang Wu"}},
	}
	got := ExitObligations(facts)
	want := []struct{ kind, id, says string }{
		{ObligationOpenCase, "cas_1", "the certification case cas_1 is still open (in_review)"},
		{ObligationOpenCase, "", "2 more open cases"},
		{ObligationCustomer, "cus_1", "the customer cus_1 (Beta) is still associated"},
		{ObligationBalance, "", "the partner's account holds 5.00 CNY"},
		{ObligationBalance, "cus_1", "the account of customer cus_1, funded by the partner, holds 0.20 CNY"},
		{ObligationBalance, "", "3 more customer accounts funded by the partner still hold money"},
		{ObligationMember, "prn_1", "the personal account prn_1 (Wang Wu) is still associated"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d obligations %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].ID != w.id || got[i].Description != w.says || got[i].ClearedBy == "" {
			t.Errorf("obligation %d: got %+v, want %s %s %q with what clears it", i, got[i], w.kind, w.id, w.says)
		}
	}
}

// An opportunity not yet approved is cleared by the partner withdrawing it;
// an approved one, by reaching its end.
func TestExitObligationsOpportunityWithdrawItself(t *testing.T) {
	got := ExitObligations(ExitFacts{OpenCases: []ExitOpenCase{
		{ID: "cas_a", Kind: "opportunity", Status: "action_required"},
		{ID: "cas_r", Kind: "opportunity", Status: "in_review"},
		{ID: "cas_p", Kind: "opportunity", Status: "approved"},
	}})
	for i, withdraw := range []bool{true, true, false} {
		if has := strings.HasPrefix(got[i].ClearedBy, "withdraw it (POST /v1/cases/"+got[i].ID+"/actions/withdraw)"); has != withdraw {
			t.Errorf("%s: cleared by %q", got[i].ID, got[i].ClearedBy)
		}
	}
}

// A customer association request waiting for the customer is the
// partner's to withdraw; one being applied is not.
func TestExitObligationsAssociationRequestWithdrawable(t *testing.T) {
	got := ExitObligations(ExitFacts{OpenCases: []ExitOpenCase{
		{ID: "cas_w", Kind: "customer_association", Status: "awaiting_customer"},
		{ID: "cas_x", Kind: "customer_association", Status: "applying"},
	}})
	for i, withdraw := range []bool{true, false} {
		if has := strings.Contains(got[i].ClearedBy, "withdraw it (POST /v1/cases/"+got[i].ID+"/actions/withdraw)"); has != withdraw {
			t.Errorf("%s: cleared by %q", got[i].ID, got[i].ClearedBy)
		}
	}
}

// TestDissociationBlockers lists each blocker with what clears it; money
// blocks nothing (reclaimed on acceptance).
func TestDissociationBlockers(t *testing.T) {
	got := DissociationBlockers(DissociationFacts{CustomerID: "cus_1",
		PaymentRequests: []PaymentRequestFact{{OrderID: "ord_1", CaseID: "cas_p"}},
		AutoRenewals:    []string{"ecs-1"},
		OpenCases:       []ExitOpenCase{{ID: "cas_o", Kind: "opportunity", Status: "approved"}}})
	want := []struct{ kind, id, clears string }{
		{BlockerPaymentRequest, "cas_p", "/v1/cases/cas_p/actions/approve"},
		{BlockerAutoRenewal, "ecs-1", "DELETE /v1/customers/cus_1/resources/ecs-1/auto_renewal"},
		{BlockerOpenCase, "cas_o", "reaching its end"},
	}
	if len(got) != len(want) {
		t.Fatalf("blockers %+v", got)
	}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].ID != w.id || !strings.Contains(got[i].ClearedBy, w.clears) || got[i].Description == "" {
			t.Errorf("blocker %d: %+v, want %s %s cleared by %q", i, got[i], w.kind, w.id, w.clears)
		}
	}
	if none := DissociationBlockers(DissociationFacts{CustomerID: "cus_1"}); len(none) != 0 {
		t.Errorf("nothing open, blockers %+v", none)
	}
}
