package api

import (
	"log/slog"
	"testing"

	"partnerops/cases"
	"partnerops/store"
)

// TestDelegatedTokenIsItsCustomer: for every route, a delegated token of
// partner A's member acting for customer A answers as customer A's own
// token does, for customer A's objects and for another customer's.
func TestDelegatedTokenIsItsCustomer(t *testing.T) {
	s := newServer(Deps{Logger: slog.New(slog.DiscardHandler)})
	customer := store.Principal{ID: "pri_ca", Role: cases.RoleCustomer, CustomerID: valid("cus_a")}
	delegated := store.Principal{ID: "pri_da", Role: cases.RoleCustomer, CustomerID: valid("cus_a"),
		DelegatedBy: valid("pri_ma"), DelegatedPartnerID: valid("par_a")}
	other := object{Kind: objCustomer, ID: "cus_b", PartnerID: "par_a", CustomerID: "cus_b"}
	for _, r := range s.app.GetRoutes(true) {
		op := operationOf(s, r.Method, fiberParam.ReplaceAllString(r.Path, "{$1}"))
		if op == nil {
			continue
		}
		pol, ok := op.Metadata[policyKey].(policy)
		if !ok {
			continue
		}
		for _, obj := range []object{policyFixture(pol.Object), other} {
			want, got := pol.decide(customer, obj), pol.decide(delegated, obj)
			if (want == nil) != (got == nil) || (want != nil && want.Status != got.Status) {
				t.Errorf("%s on %s %s: the delegated token answers %v, customer A's own token %v", op.OperationID, obj.Kind, obj.ID, got, want)
			}
		}
	}
}
