package workflows

import (
	"reflect"
	"testing"

	"partnerops/cases"
)

func TestFinalActions(t *testing.T) {
	for _, tc := range []struct {
		kind  cases.Kind
		name  string
		final bool
	}{
		{cases.KindCertification, ActionApprove, true},      // certified, closed
		{cases.KindCertification, ActionResolve, true},      // certify closes it
		{cases.KindCertification, ActionReject, false},      // the partner may resubmit or file a ticket
		{cases.KindCertification, ActionRequestInfo, false}, // the partner replies
		{cases.KindCertification, ActionResubmit, true},     // checks run, no one acts meanwhile
		{cases.KindPartnerPayment, ActionApprove, true},     // money moves
		{cases.KindPartnerPayment, ActionDeclinePayment, true},
		{cases.KindPartnerPayment, "no_such_action", false},
	} {
		if got := FinalAction(tc.kind, tc.name); got != tc.final {
			t.Errorf("%s %s: final %v, want %v", tc.kind, tc.name, got, tc.final)
		}
	}
}

func TestActionInput(t *testing.T) {
	if in, ok := ActionInput(cases.KindCertification, ActionResolve); !ok || in != reflect.TypeFor[ResolveInput]() {
		t.Errorf("resolve's input: %v %v", in, ok)
	}
	if _, ok := ActionInput(cases.KindPartnerPayment, ActionResolve); ok {
		t.Error("a partner payment has no resolve")
	}
}

// The API and the console run every action's input rules and claims on
// the static tables, which have no case: they judge the input alone (a
// rule that reached for the case there used to panic, a 500 for any
// opportunity stage change), and the case's rules run in the workflow.
func TestStaticTablesJudgeTheInputAlone(t *testing.T) {
	inputs := []string{`{}`, `{"stage": "technical_validation"}`, `{"stage": "lost", "lost_reason": "gone"}`,
		`{"voided": true}`, `{"deadline": "2030-01-01T00:00:00Z", "reason": "the partner's accountant was ill"}`}
	for _, p := range Declared() {
		for _, a := range p.Actions {
			for _, in := range inputs {
				ActionInputProblems(p.Kind, a.spec().name, []byte(in))
			}
			FinalAction(p.Kind, a.spec().name)
		}
	}
	if problems := ActionInputProblems(cases.KindOpportunity, ActionAdvance, []byte(`{"stage": "won"}`)); len(problems) != 0 {
		t.Errorf("a known stage: %v", problems)
	}
	if problems := ActionInputProblems(cases.KindOpportunity, ActionAdvance, []byte(`{"stage": "lost", "lost_reason_code": "price"}`)); len(problems) != 1 || problems[0].Field != "lost_reason" {
		t.Errorf("lost without a reason: %v", problems)
	}
	if problems := ActionInputProblems(cases.KindOpportunity, ActionAdvance, []byte(`{"stage": "lost"}`)); len(problems) != 2 ||
		problems[0].Field != "lost_reason_code" || problems[1].Field != "lost_reason" {
		t.Errorf("lost without its reason code and text: %v", problems)
	}
	if FinalAction(cases.KindIncentiveSettlement, ActionExtend) {
		t.Error("an extension is not final")
	}
}
