package api

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// The roles the route × role test asks as: partner A's admin and member,
// partner B's admin, customer A (of partner A), customer B, and a personal
// account associated with no partner.
var policyRoles = []struct {
	name string
	p    store.Principal
}{
	{"ops", store.Principal{ID: "pri_ops", Role: cases.RoleOps}},
	{"supervisor", store.Principal{ID: "pri_sup", Role: cases.RoleSupervisor}},
	{"adminA", store.Principal{ID: "pri_aa", Role: cases.RoleAdmin, PartnerID: valid("par_a")}},
	{"memberA", store.Principal{ID: "pri_ma", Role: cases.RoleMember, PartnerID: valid("par_a")}},
	{"adminB", store.Principal{ID: "pri_ab", Role: cases.RoleAdmin, PartnerID: valid("par_b")}},
	{"customerA", store.Principal{ID: "pri_ca", Role: cases.RoleCustomer, CustomerID: valid("cus_a")}},
	{"customerB", store.Principal{ID: "pri_cb", Role: cases.RoleCustomer, CustomerID: valid("cus_b")}},
	{"personal", store.Principal{ID: "pri_pe", Role: cases.RoleMember}},
}

func valid(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// policyFixture is the object of each kind the roles are asked about: all
// belong to partner A, and the case to customer A too.
func policyFixture(kind objectKind) object {
	switch kind {
	case objPartner:
		return object{Kind: objPartner, ID: "par_a", PartnerID: "par_a"}
	case objCase:
		return object{Kind: objCase, ID: "cas_a", PartnerID: "par_a", CustomerID: "cus_a"}
	case objInvitation: // partner A's invitation of the personal account
		return object{Kind: objInvitation, ID: "inv_a", PartnerID: "par_a", PrincipalID: "pri_pe"}
	case objCustomer:
		return object{Kind: objCustomer, ID: "cus_a", PartnerID: "par_a", CustomerID: "cus_a"}
	case objPartnerMoney:
		return object{Kind: objPartnerMoney, ID: "par_a", PartnerID: "par_a"}
	}
	return object{Kind: kind}
}

// wantAccess is every operation's answer for the roles of policyRoles, in
// their order: ok, 403 or 404.
var wantAccess = map[string]string{
	"healthz":    "ok ok ok ok ok ok ok ok",
	"readyz":     "ok ok ok ok ok ok ok ok",
	"readyzHead": "ok ok ok ok ok ok ok ok",
	// the console's pages take a session, not a token; each applies the
	// policies of the API's operations it shows (console_*.go)
	"console":                     "ok ok ok ok ok ok ok ok",
	"home":                        "ok ok ok ok ok ok ok ok",
	"favicon":                     "ok ok ok ok ok ok ok ok",
	"consoleScript":               "ok ok ok ok ok ok ok ok",
	"consoleStyles":               "ok ok ok ok ok ok ok ok",
	"consoleShortcuts":            "ok ok ok ok ok ok ok ok",
	"consoleSignInPage":           "ok ok ok ok ok ok ok ok",
	"consoleSignIn":               "ok ok ok ok ok ok ok ok",
	"consoleSignOut":              "ok ok ok ok ok ok ok ok",
	"consoleCase":                 "ok ok ok ok ok ok ok ok",
	"consoleCaseAction":           "ok ok ok ok ok ok ok ok",
	"consoleClaim":                "ok ok ok ok ok ok ok ok",
	"consoleAssign":               "ok ok ok ok ok ok ok ok",
	"consoleBulkAssign":           "ok ok ok ok ok ok ok ok",
	"consoleSaveView":             "ok ok ok ok ok ok ok ok",
	"consoleDeleteView":           "ok ok ok ok ok ok ok ok",
	"consoleComment":              "ok ok ok ok ok ok ok ok",
	"consoleAttachment":           "ok ok ok ok ok ok ok ok",
	"consoleDashboard":            "ok ok ok ok ok ok ok ok",
	"consoleNotifications":        "ok ok ok ok ok ok ok ok",
	"consoleMarkRead":             "ok ok ok ok ok ok ok ok",
	"consoleMarkAllRead":          "ok ok ok ok ok ok ok ok",
	"consoleLanguage":             "ok ok ok ok ok ok ok ok",
	"consoleCalendar":             "ok ok ok ok ok ok ok ok",
	"consoleCalendarPut":          "ok ok ok ok ok ok ok ok",
	"consoleCalendarDelete":       "ok ok ok ok ok ok ok ok",
	"consolePaymentRequests":      "ok ok ok ok ok ok ok ok",
	"consoleSessions":             "ok ok ok ok ok ok ok ok",
	"consoleEndSession":           "ok ok ok ok ok ok ok ok",
	"consoleWebhooks":             "ok ok ok ok ok ok ok ok",
	"apiDocs":                     "ok ok ok ok ok ok ok ok",
	"apiDocsRenderer":             "ok ok ok ok ok ok ok ok",
	"metrics":                     "ok ok 403 403 403 403 403 403",
	"openapi":                     "ok ok ok ok ok ok ok ok",
	"listCases":                   "ok ok ok ok ok ok ok ok",
	"getCase":                     "ok ok ok ok 404 ok 404 404",
	"uploadAttachment":            "ok ok ok ok 404 403 404 404",
	"listAttachments":             "ok ok ok ok 404 403 404 404",
	"downloadAttachment":          "ok ok ok ok 404 403 404 404",
	"listCaseEvents":              "ok ok ok ok 404 ok 404 404",
	"takeCaseAction":              "ok ok ok ok 404 ok 404 404",
	"claimCase":                   "ok ok 403 403 404 403 404 404",
	"assignCase":                  "ok ok 403 403 404 403 404 404",
	"unassignCase":                "ok ok 403 403 404 403 404 404",
	"listCaseComments":            "ok ok ok ok 404 403 404 404",
	"commentOnCase":               "ok ok ok ok 404 403 404 404",
	"startCertification":          "403 403 ok ok 404 403 403 404",
	"listNotifications":           "ok ok ok ok ok ok ok ok",
	"listCalendarDays":            "ok ok ok ok ok ok ok ok",
	"putCalendarDay":              "ok ok 403 403 403 403 403 403",
	"deleteCalendarDay":           "ok ok 403 403 403 403 403 403",
	"registerPartner":             "ok ok 403 403 403 403 403 403",
	"getPartner":                  "ok ok ok ok 404 403 403 404",
	"getPartnerSettings":          "ok ok ok ok 404 403 403 404",
	"updatePartnerSettings":       "403 403 ok 403 404 403 403 404",
	"fileBusinessPlan":            "403 403 ok 403 404 403 403 404",
	"listBusinessPlans":           "ok ok ok ok 404 403 403 404",
	"getBusinessPlan":             "ok ok ok ok 404 403 403 404",
	"submitLevelApplication":      "403 403 ok 403 404 403 403 404",
	"listLevelApplications":       "ok ok ok ok 404 403 403 404",
	"getLevelApplication":         "ok ok ok ok 404 403 403 404",
	"approveLevelApplication":     "ok ok 403 403 404 403 403 404",
	"rejectLevelApplication":      "ok ok 403 403 404 403 403 404",
	"invitePersonalAccount":       "403 403 ok 403 404 403 403 404",
	"listPartnerInvitations":      "403 403 ok 403 404 403 403 404",
	"createWebhookEndpoint":       "403 403 ok 403 404 403 403 404",
	"listWebhookEndpoints":        "403 403 ok 403 404 403 403 404",
	"getWebhookEndpoint":          "403 403 ok 403 404 403 403 404",
	"updateWebhookEndpoint":       "403 403 ok 403 404 403 403 404",
	"deleteWebhookEndpoint":       "403 403 ok 403 404 403 403 404",
	"rotateWebhookSecret":         "403 403 ok 403 404 403 403 404",
	"listWebhookDeliveries":       "403 403 ok 403 404 403 403 404",
	"replayWebhookEvents":         "403 403 ok 403 404 403 403 404",
	"listAllWebhookEndpoints":     "ok ok 403 403 403 403 403 403",
	"getPartnerInvitation":        "403 403 ok 403 404 403 403 404",
	"listMyInvitations":           "403 403 403 ok 403 403 403 ok",
	"acceptInvitation":            "403 403 404 404 404 404 404 ok",
	"declineInvitation":           "403 403 404 404 404 404 404 ok",
	"listMembers":                 "403 403 ok 403 404 403 403 404",
	"removeMember":                "403 403 ok 403 404 403 403 404",
	"listPartnerAuditEvents":      "403 403 ok 403 404 403 403 404",
	"listPartnerCustomers":        "ok ok ok ok 404 403 403 404",
	"bindCustomer":                "403 403 ok ok 404 403 403 404",
	"dissociateCustomer":          "403 403 ok 403 404 403 403 404",
	"issueDelegatedToken":         "403 403 ok ok 404 403 403 404",
	"revokeDelegatedToken":        "403 403 ok ok 404 403 403 404",
	"allowDelegation":             "403 403 ok 403 404 403 403 404",
	"withdrawDelegation":          "403 403 ok 403 404 403 403 404",
	"registerSelf":                "ok ok ok ok ok ok ok ok",
	"getCustomer":                 "ok ok ok ok 404 ok 404 404",
	"listAssociationRequests":     "ok ok 403 403 404 ok 404 404",
	"getAccessConfiguration":      "ok ok ok ok 404 403 403 404",
	"completeAccessConfiguration": "403 403 ok 403 404 403 403 404",
	"listContracts":               "ok ok ok ok 404 ok 404 404",
	"applyForContract":            "403 403 ok ok 404 ok 404 404",
	"getContract":                 "ok ok ok ok 404 ok 404 404",
	"listResources":               "ok ok ok ok 404 ok 404 404",
	"getResource":                 "ok ok ok ok 404 ok 404 404",
	"recordResource":              "ok ok 403 403 404 403 404 404",
	"setAutoRenewal":              "403 403 ok ok 404 ok 404 404",
	"cancelAutoRenewal":           "403 403 ok ok 404 ok 404 404",
	"renewResource":               "403 403 ok ok 404 ok 404 404",
	"triggerRenewalRun":           "ok ok 403 403 403 403 403 403",
	"listMarketplaceOrders":       "ok ok ok ok 404 ok 404 404",
	"placeMarketplaceOrder":       "403 403 403 403 404 ok 404 404",
	"getMarketplaceOrder":         "ok ok ok ok 404 ok 404 404",
	"getPartnerPerformance":       "ok ok ok ok 404 403 403 404",

	// money and orders
	"getPartnerMoneyAccount":  "ok ok ok ok 404 404 404 404",
	"getCustomerMoneyAccount": "ok ok ok ok 404 ok 404 404",
	"createDeposit":           "ok ok 403 403 404 404 404 404",
	"listDeposits":            "ok ok ok ok 404 404 404 404",
	"getDeposit":              "ok ok ok ok 404 404 404 404",
	"createAdjustment":        "403 403 ok ok 404 404 404 404",
	"listPartnerAdjustments":  "ok ok ok ok 404 404 404 404",
	"getAdjustment":           "ok ok ok ok 404 404 404 404",
	"listCustomerAdjustments": "ok ok ok ok 404 ok 404 404",
	"listLedgerEntries":       "ok ok 403 403 404 404 404 404",
	"placeOrder":              "403 403 403 403 404 ok 404 404",
	"listOrders":              "ok ok ok ok 404 ok 404 404",
	"getOrder":                "ok ok ok ok 404 ok 404 404",
	"payOwnOrder":             "403 403 403 403 404 ok 404 404",
	"listPaymentRequests":     "ok ok ok ok 404 404 404 404",

	// incentive settlements
	"publishIncentiveSettlement": "ok ok 403 403 404 403 403 404",
	"listIncentiveSettlements":   "ok ok ok ok 404 403 403 404",
	// opportunities
	"registerOpportunity":      "403 403 ok ok 404 403 403 404",
	"listPartnerOpportunities": "ok ok ok ok 404 403 403 404",
	"createVendorOpportunity":  "ok ok 403 403 403 403 403 403",
	"listVendorOpportunities":  "ok ok 403 403 403 403 403 403",
	"listCaseStarts":           "ok ok 403 403 403 403 403 403",
	"retryCaseStart":           "ok ok 403 403 403 403 403 403",
	"getVendorOpportunity":     "ok ok 403 403 403 403 403 403",
	"shareVendorOpportunity":   "ok ok 403 403 403 403 403 403",
	// partner exit
	"requestPartnerExit": "403 403 ok 403 404 403 403 404",
	"deregisterPartner":  "403 403 ok 403 404 403 403 404",
	"createWithdrawal":   "ok ok 403 403 404 404 404 404",
}

// TestEveryRouteHasAPolicy walks every route the app serves: each is an
// operation with a policy whose answers for every role are wantAccess's.
func TestEveryRouteHasAPolicy(t *testing.T) {
	s := newServer(Deps{Logger: slog.New(slog.DiscardHandler)})
	for _, problem := range policyProblems(t, s) {
		t.Error(problem)
	}
}

// TestARouteWithoutAPolicyFails checks that TestEveryRouteHasAPolicy fails
// for a route registered without one.
func TestARouteWithoutAPolicyFails(t *testing.T) {
	s := newServer(Deps{Logger: slog.New(slog.DiscardHandler)})
	huma.Register(s.huma, huma.Operation{OperationID: "sneaky", Method: http.MethodGet, Path: "/v1/sneaky"},
		func(_ context.Context, _ *struct{}) (*struct{}, error) { return nil, nil })
	problems := policyProblems(t, s)
	if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "/v1/sneaky") }) {
		t.Errorf("a route without a policy passed: %v", problems)
	}
}

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

func policyProblems(t *testing.T, s *Server) []string {
	t.Helper()
	var problems []string
	seen := map[string]bool{}
	for _, r := range s.app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue
		}
		path := fiberParam.ReplaceAllString(r.Path, "{$1}")
		route := r.Method + " " + path
		if seen[route] {
			continue
		}
		seen[route] = true
		op := operationOf(s, r.Method, path)
		if op == nil {
			problems = append(problems, route+" is served but not registered with a policy")
			continue
		}
		pol, ok := op.Metadata[policyKey].(policy)
		if !ok {
			problems = append(problems, route+" has no policy")
			continue
		}
		var got []string
		for _, role := range policyRoles {
			answer := "ok"
			if refusal := pol.decide(role.p, policyFixture(pol.Object)); refusal != nil {
				answer = strconv.Itoa(refusal.Status)
			}
			got = append(got, answer)
		}
		if want, ok := wantAccess[op.OperationID]; !ok || strings.Join(got, " ") != want {
			problems = append(problems, fmt.Sprintf("%s (%s) answers %q, want %q", route, op.OperationID, strings.Join(got, " "), want))
		}
	}
	return problems
}

// TestDeclaredBoundsAreTheConstants ties the limits declared in tags to the
// constants the code uses.
func TestDeclaredBoundsAreTheConstants(t *testing.T) {
	s := newServer(Deps{Logger: slog.New(slog.DiscardHandler)})
	param := func(opID, name string) *huma.Schema {
		for _, item := range s.huma.OpenAPI().Paths {
			for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Delete} {
				if op == nil || op.OperationID != opID {
					continue
				}
				for _, p := range op.Parameters {
					if p.Name == name {
						return p.Schema
					}
				}
			}
		}
		t.Fatalf("%s has no parameter %s", opID, name)
		return nil
	}
	limit := param("listCases", "limit")
	if limit.Minimum == nil || *limit.Minimum != 1 || limit.Maximum == nil || *limit.Maximum != store.MaxPageSize || limit.Default != store.DefaultPageSize {
		t.Errorf("limit is declared %v..%v default %v, want 1..%d default %d", limit.Minimum, limit.Maximum, limit.Default, store.MaxPageSize, store.DefaultPageSize)
	}
	if year := param("getPartnerPerformance", "year"); year.Minimum == nil || *year.Minimum != rules.MinPerformanceYear || year.Maximum == nil || *year.Maximum != rules.MaxPerformanceYear {
		t.Errorf("year is declared %v..%v, want %d..%d", year.Minimum, year.Maximum, rules.MinPerformanceYear, rules.MaxPerformanceYear)
	}
	if key := param("startCertification", "Idempotency-Key"); key.MaxLength == nil || *key.MaxLength != maxIdempotencyKeyLength {
		t.Errorf("Idempotency-Key is declared at most %v, want %d", key.MaxLength, maxIdempotencyKeyLength)
	}
	if p := param("listPartnerAuditEvents", "principal_id"); p.MaxLength == nil || *p.MaxLength != rules.MaxInviteePrincipalIDLength {
		t.Errorf("the audit trail's principal_id is declared at most %v, want %d", p.MaxLength, rules.MaxInviteePrincipalIDLength)
	}
	for _, b := range []struct {
		schema, field string
		max           int
	}{
		{"NewPartnerBody", "name", rules.MaxPartnerNameLength},
		{"BusinessPlanBody", "signed_by", rules.MaxSignedByLength},
		{"BusinessPlanBody", "document_url", rules.MaxDocumentURLLength},
		{"InviteInputBody", "principal_id", rules.MaxInviteePrincipalIDLength},
		{"LevelDecisionBody", "reason", rules.MaxDecisionReasonLength},
		{"ExitRequest", "reason", rules.MaxExitReasonLength},
	} {
		schema := s.huma.OpenAPI().Components.Schemas.Map()[b.schema]
		if schema == nil || schema.Properties[b.field] == nil {
			t.Errorf("no schema %s with %s", b.schema, b.field)
			continue
		}
		if got := schema.Properties[b.field].MaxLength; got == nil || *got != b.max {
			t.Errorf("%s.%s is declared at most %v, want %d", b.schema, b.field, got, b.max)
		}
	}
	for _, id := range []*huma.Schema{param("getCustomerMoneyAccount", "customer_id"), param("listPartnerAdjustments", "customer_id")} {
		if id.MaxLength == nil || *id.MaxLength != rules.MaxCustomerIDLength {
			t.Errorf("customer_id is declared at most %v, want %d", id.MaxLength, rules.MaxCustomerIDLength)
		}
	}
}
