package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// TestEveryListIsServedByAnIndexInOrder runs EXPLAIN on the SQL each list
// method builds, for every filter combination of the case list and every
// role, first page and a later one, and fails when a page is not one index
// scan in the list's order: a Sort node, a sequential or bitmap scan, or
// another index than the ones meant for it. The cases table holds 20,000
// rows; the other lists' tables are nearly empty, so sequential and bitmap
// scans are switched off to make the planner show which index it can use.
func TestEveryListIsServedByAnIndexInOrder(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	if err := seedCases(ctx, st.DB(), volumeOf(20_000)); err != nil {
		t.Fatal(err)
	}
	// every case notified its partner, its customer and ops: with rows to
	// tell them apart, the planner picks the recipient's own index
	if _, err := st.DB().ExecContext(ctx, `
		INSERT INTO notifications (case_id, event_seq, audience, partner_id, customer_id, kind, message, created_at)
		SELECT id, 1, 'partner', partner_id, NULL, 'k', 'm', created_at FROM cases
		UNION ALL SELECT id, 1, 'customer', NULL, customer_id, 'k', 'm', created_at FROM cases WHERE customer_id IS NOT NULL
		UNION ALL SELECT id, 1, 'ops', NULL, NULL, 'k', 'm', created_at FROM cases;
		ANALYZE notifications`); err != nil {
		t.Fatal(err)
	}
	var query string
	var args []any
	st.OnList(func(q string, a []any) { query, args = q, a })
	conn, err := st.DB().Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off; SET random_page_cost = 1; SET cpu_tuple_cost = 1`); err != nil {
		t.Fatal(err)
	}

	yes, no := true, false
	partner, customer := seededPartner(3), seededCustomer(4)
	// half way down the list
	later := store.Page{Cursor: store.Cursor(time.Date(2025, 1, 2, 3, 46, 40, 0, time.UTC), "cas_000010000")}
	seqLater := store.Page{Cursor: store.Cursor(int64(5))}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type shape struct {
		name    string
		read    func(p store.Page) error
		later   store.Page
		indexes []string // any of these serves the list in order
	}
	caseList := func(f store.CaseFilter) func(store.Page) error {
		return func(p store.Page) error { _, _, err := st.ListCases(ctx, f, p); return err }
	}
	settlements := func(f store.SettlementFilter) func(store.Page) error {
		return func(p store.Page) error { _, _, err := st.IncentiveSettlements(ctx, partner, f, p); return err }
	}
	opportunityList := func(f store.OpportunityFilter) func(store.Page) error {
		return func(p store.Page) error { _, _, err := st.PartnerOpportunities(ctx, partner, f, p); return err }
	}
	resourceList := func(f store.ResourceFilter) func(store.Page) error {
		return func(p store.Page) error { _, _, err := st.CustomerResources(ctx, customer, f, p); return err }
	}
	shapes := []shape{
		// staff: every filter and combination
		{"cases", caseList(store.CaseFilter{}), later, []string{"cases_newest"}},
		{"cases kind", caseList(store.CaseFilter{Kind: "partner_payment"}), later, []string{"cases_kind_newest"}},
		{"cases status", caseList(store.CaseFilter{Status: "in_review"}), later, []string{"cases_status_newest"}},
		{"cases kind status", caseList(store.CaseFilter{Kind: "certification", Status: "in_review"}), later,
			[]string{"cases_kind_status_newest"}},
		{"cases breached", caseList(store.CaseFilter{SLABreached: &yes}), later, []string{"cases_breached_newest"}},
		{"cases not breached", caseList(store.CaseFilter{SLABreached: &no}), later, []string{"cases_newest"}},
		{"cases kind breached", caseList(store.CaseFilter{Kind: "certification", SLABreached: &yes}), later,
			[]string{"cases_kind_newest", "cases_breached_newest"}},
		{"cases status breached", caseList(store.CaseFilter{Status: "certified", SLABreached: &yes}), later,
			[]string{"cases_status_newest", "cases_breached_newest"}},
		{"cases kind status breached", caseList(store.CaseFilter{Kind: "certification", Status: "certified", SLABreached: &yes}), later,
			[]string{"cases_kind_status_newest", "cases_breached_newest"}},
		// the console's work queues: open cases only
		{"cases open", caseList(store.CaseFilter{Open: true}), later, []string{"cases_open_newest"}},
		{"cases open breached", caseList(store.CaseFilter{Open: true, SLABreached: &yes}), later, []string{"cases_open_breached_newest"}},
		{"cases open awaiting partner", caseList(store.CaseFilter{Open: true, AnyKindStatus: []string{"certification:rejected", "partner_payment:awaiting_partner"}}), later,
			[]string{"cases_open_newest"}},
		{"cases open due", caseList(store.CaseFilter{Open: true, DueBefore: at}), later, []string{"cases_open_soonest_due"}},
		{"cases open breached soonest due", caseList(store.CaseFilter{Open: true, SLABreached: &yes, SoonestDue: true}), later,
			[]string{"cases_open_soonest_due", "cases_open_breached_newest"}},
		{"cases open kind breached", caseList(store.CaseFilter{Open: true, Kind: "certification", SLABreached: &yes}), later,
			[]string{"cases_kind_newest", "cases_open_breached_newest"}},
		// "my cases" and "unassigned" (migration 00031)
		{"cases assignee", caseList(store.CaseFilter{AssigneeID: "prn_someone"}), later, []string{"cases_assignee_newest"}},
		{"cases open assignee", caseList(store.CaseFilter{Open: true, AssigneeID: "prn_someone"}), later, []string{"cases_assignee_newest"}},
		{"cases open unassigned", caseList(store.CaseFilter{Open: true, Unassigned: true}), later, []string{"cases_unassigned_open_newest"}},
		// a partner's (staff filtering by partner_id, or the partner itself)
		{"cases partner", caseList(store.CaseFilter{PartnerID: partner}), later, []string{"cases_partner_newest"}},
		{"cases partner kind", caseList(store.CaseFilter{PartnerID: partner, Kind: "certification"}), later,
			[]string{"cases_partner_newest"}},
		{"cases partner status", caseList(store.CaseFilter{PartnerID: partner, Status: "certified"}), later,
			[]string{"cases_partner_status_newest"}},
		{"cases partner kind status", caseList(store.CaseFilter{PartnerID: partner, Kind: "certification", Status: "certified"}), later,
			[]string{"cases_partner_status_newest"}},
		{"cases partner breached", caseList(store.CaseFilter{PartnerID: partner, SLABreached: &yes}), later,
			[]string{"cases_partner_newest", "cases_breached_newest"}},
		{"cases partner status breached", caseList(store.CaseFilter{PartnerID: partner, Status: "certified", SLABreached: &yes}), later,
			[]string{"cases_partner_status_newest", "cases_breached_newest"}},
		// a customer's own
		{"cases customer", caseList(store.CaseFilter{CustomerID: customer}), later, []string{"cases_customer_newest"}},
		{"cases customer kind status breached",
			caseList(store.CaseFilter{CustomerID: customer, Kind: "partner_payment", Status: "cancelled", SLABreached: &no}), later,
			[]string{"cases_customer_newest"}},

		{"partner settlements", settlements(store.SettlementFilter{}), later, []string{"cases_incentive_partner_newest"}},
		{"partner settlements period", settlements(store.SettlementFilter{Period: "2026-Q3"}), later,
			[]string{"cases_incentive_partner_period_newest"}},
		{"partner settlements status", settlements(store.SettlementFilter{Status: "paid"}), later,
			[]string{"cases_incentive_partner_newest", "cases_partner_status_newest"}},
		{"partner settlements period status", settlements(store.SettlementFilter{Period: "2026-Q3", Status: "paid"}), later,
			[]string{"cases_incentive_partner_period_newest", "cases_partner_status_newest"}},
		// a partner's opportunities and invitations, by status or stage
		{"partner opportunities", opportunityList(store.OpportunityFilter{}), later,
			[]string{"cases_partner_opportunities_newest"}},
		{"partner opportunities status", opportunityList(store.OpportunityFilter{Status: "invited"}), later,
			[]string{"cases_partner_opportunities_newest", "cases_partner_status_newest"}},
		{"partner opportunities stage", opportunityList(store.OpportunityFilter{Stage: "committed"}), later,
			[]string{"cases_partner_opportunity_stage_newest"}},
		{"vendor opportunities", func(p store.Page) error { _, _, err := st.VendorOpportunities(ctx, "", p); return err },
			store.Page{Cursor: store.Cursor(at, "vop_1")}, []string{"vendor_opportunities_newest"}},
		{"vendor opportunities status", func(p store.Page) error { _, _, err := st.VendorOpportunities(ctx, "available", p); return err },
			store.Page{Cursor: store.Cursor(at, "vop_1")}, []string{"vendor_opportunities_status_newest"}},

		{"case events", func(p store.Page) error { _, _, err := st.CaseEvents(ctx, "cas_000000001", p); return err },
			seqLater, []string{"case_events_pkey"}},
		{"partner customers", func(p store.Page) error { _, _, err := st.PartnerCustomers(ctx, partner, p); return err },
			store.Page{Cursor: store.Cursor(at, "cus_000001")}, []string{"customers_partner_newest"}},
		{"members", func(p store.Page) error { _, _, err := st.Members(ctx, partner, p); return err },
			store.Page{Cursor: store.Cursor(true, at, "prn_1")}, []string{"principals_partner_members"}},
		{"partner invitations", func(p store.Page) error { _, _, err := st.PartnerInvitations(ctx, partner, p); return err },
			store.Page{Cursor: store.Cursor(at, "inv_1")}, []string{"partner_invitations_partner_newest"}},
		{"pending invitations", func(p store.Page) error { _, _, err := st.PendingInvitations(ctx, "prn_1", p); return err },
			store.Page{Cursor: store.Cursor(at, "inv_1")}, []string{"partner_invitations_pending_newest"}},
		{"contracts", func(p store.Page) error { _, _, err := st.CustomerContracts(ctx, customer, p); return err },
			store.Page{Cursor: store.Cursor(at, "con_1")}, []string{"contracts_customer_newest"}},
		{"resources", resourceList(store.ResourceFilter{}), store.Page{Cursor: store.Cursor(at, "ecs-1")},
			[]string{"resources_customer_expiry"}},
		{"resources type", resourceList(store.ResourceFilter{Type: "evs"}), store.Page{Cursor: store.Cursor(at, "evs-1")},
			[]string{"resources_customer_type_expiry"}},
		{"resources status", resourceList(store.ResourceFilter{Status: "in_use"}), store.Page{Cursor: store.Cursor(at, "ecs-1")},
			[]string{"resources_customer_status_expiry"}},
		{"resources type status expiring", resourceList(store.ResourceFilter{Type: "ecs", Status: "in_use", ExpiringBefore: &at}),
			store.Page{Cursor: store.Cursor(at, "ecs-1")}, []string{"resources_customer_type_expiry", "resources_customer_status_expiry"}},
		{"marketplace orders", func(p store.Page) error { _, _, err := st.CustomerMarketplaceOrders(ctx, customer, p); return err },
			store.Page{Cursor: store.Cursor(at, "ord_1")}, []string{"orders_customer_newest"}},
		{"cloud orders", func(p store.Page) error {
			_, _, err := st.CustomerCloudOrders(ctx, customer, store.CloudOrderFilter{}, p)
			return err
		}, store.Page{Cursor: store.Cursor(at, "ord_1")}, []string{"orders_customer_newest"}},
		{"cloud orders status", func(p store.Page) error {
			_, _, err := st.CustomerCloudOrders(ctx, customer, store.CloudOrderFilter{Status: store.OrderPendingPayment}, p)
			return err
		}, store.Page{Cursor: store.Cursor(at, "ord_1")}, []string{"orders_customer_newest"}},
		{"payment requests", func(p store.Page) error { _, _, err := st.PaymentRequests(ctx, partner, p); return err },
			store.Page{Cursor: store.Cursor(at, "ord_1")}, []string{"orders_payment_requests"}},
		{"business plans", func(p store.Page) error { _, _, err := st.BusinessPlans(ctx, partner, p); return err },
			store.Page{Cursor: store.Cursor(at, "bpl_1")}, []string{"partner_business_plans_partner_newest"}},
		{"level applications", func(p store.Page) error { _, _, err := st.LevelApplications(ctx, partner, p); return err },
			store.Page{Cursor: store.Cursor(at, "lva_1")}, []string{"partner_level_applications_partner_newest"}},
		{"notifications partner", func(p store.Page) error {
			_, _, err := st.Notifications(ctx, store.Recipient{Audience: cases.AudiencePartner, PartnerID: partner}, p)
			return err
		}, seqLater, []string{"notifications_partner"}},
		{"notifications customer", func(p store.Page) error {
			_, _, err := st.Notifications(ctx, store.Recipient{Audience: cases.AudienceCustomer, CustomerID: customer}, p)
			return err
		}, seqLater, []string{"notifications_customer"}},
		{"notifications staff", func(p store.Page) error {
			_, _, err := st.Notifications(ctx, store.Recipient{Audience: cases.RoleOps}, p)
			return err
		}, seqLater, []string{"notifications_audience"}},
		{"audit trail", func(p store.Page) error { _, _, err := st.AuditTrail(ctx, partner, "", p); return err },
			seqLater, []string{"audit_events_partner"}},
		{"audit trail principal", func(p store.Page) error { _, _, err := st.AuditTrail(ctx, partner, "prn_1", p); return err },
			seqLater, []string{"audit_events_partner", "audit_events_principal"}},
		{"deposits", func(p store.Page) error { _, _, err := st.ListDeposits(ctx, partner, p); return err },
			store.Page{Cursor: store.Cursor(at, "dep_1")}, []string{"money_deposits_partner_newest"}},
		{"ledger", func(p store.Page) error { _, _, err := st.LedgerEntries(ctx, partner, p); return err },
			seqLater, []string{"ledger_entries_partner"}},
		{"adjustments partner", func(p store.Page) error {
			_, _, err := st.ListAdjustments(ctx, store.AdjustmentFilter{PartnerID: partner}, p)
			return err
		}, store.Page{Cursor: store.Cursor(at, "adj_1")}, []string{"account_adjustments_partner_newest"}},
		{"adjustments customer", func(p store.Page) error {
			_, _, err := st.ListAdjustments(ctx, store.AdjustmentFilter{PartnerID: partner, CustomerID: customer}, p)
			return err
		}, store.Page{Cursor: store.Cursor(at, "adj_1")},
			[]string{"account_adjustments_partner_newest", "account_adjustments_customer_newest"}},
	}
	for _, sh := range shapes {
		for _, page := range []struct {
			name string
			p    store.Page
		}{{"first", store.Page{}}, {"later", sh.later}} {
			t.Run(sh.name+"/"+page.name, func(t *testing.T) {
				query = ""
				if err := sh.read(page.p); err != nil {
					t.Fatal(err)
				}
				if query == "" {
					t.Fatal("the list read no page")
				}
				var plan []byte
				if err := conn.GetContext(ctx, &plan, `EXPLAIN (FORMAT JSON) `+query, args...); err != nil {
					t.Fatalf("%v\n%s", err, query)
				}
				var doc []struct{ Plan planNode }
				if err := json.Unmarshal(plan, &doc); err != nil {
					t.Fatal(err)
				}
				if problem := doc[0].Plan.problem(sh.indexes); problem != "" {
					t.Errorf("%s\nquery: %s\nplan: %s", problem, query, plan)
				}
			})
		}
	}
}

// planNode is a node of an EXPLAIN (FORMAT JSON) plan.
type planNode struct {
	Type  string     `json:"Node Type"`
	Index string     `json:"Index Name"`
	Plans []planNode `json:"Plans"`
}

// problem says why the plan does not read the list in order from one of
// indexes, or "" when it does.
func (n planNode) problem(indexes []string) string {
	var nodes []planNode
	var walk func(planNode)
	walk = func(n planNode) {
		nodes = append(nodes, n)
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(n)
	served := false
	for _, n := range nodes {
		switch {
		case strings.Contains(n.Type, "Sort"), n.Type == "Seq Scan", strings.HasPrefix(n.Type, "Bitmap"):
			return "the plan has a " + n.Type + " node"
		case slices.Contains(indexes, n.Index):
			served = true
		}
	}
	if !served {
		return "no index of " + strings.Join(indexes, ", ") + " serves the list"
	}
	return ""
}
