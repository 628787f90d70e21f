package workflows

import "partnerops/cases"

// actionTables maps each kind of case to the actions it offers.
var actionTables = map[cases.Kind][]action{
	cases.KindCertification:  certificationActions,
	cases.KindPartnerPayment: partnerPaymentActions,
}

// AllowedActions are the actions role may take on a case of kind in status.
// They follow from the kind's table alone, so the API can show them on read
// model rows without asking the workflow.
func AllowedActions(kind cases.Kind, role, status string) []string {
	return allowedActions(actionTables[kind], role, status)
}

// ActionNames are every action a kind of case offers.
func ActionNames(kind cases.Kind) []string {
	names := []string{}
	for _, a := range actionTables[kind] {
		names = append(names, a.name)
	}
	return names
}
