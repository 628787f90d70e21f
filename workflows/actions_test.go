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
