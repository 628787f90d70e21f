package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// Helpers of this file are prefixed "mo" so they stay apart from other
// areas' helpers in the package.

type moAccount struct {
	PartnerID  string        `json:"partner_id"`
	CustomerID string        `json:"customer_id"`
	Balances   []rules.Money `json:"balances"`
}

type moOperator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type moDeposit struct {
	ID            string      `json:"id"`
	PartnerID     string      `json:"partner_id"`
	Amount        rules.Money `json:"amount"`
	TransactionID string      `json:"transaction_id"`
	Memo          string      `json:"memo"`
	RecordedAt    time.Time   `json:"recorded_at"`
	RecordedBy    moOperator  `json:"recorded_by"`
}

type moAdjustment struct {
	ID            string      `json:"id"`
	PartnerID     string      `json:"partner_id"`
	CustomerID    string      `json:"customer_id"`
	Operation     string      `json:"operation"`
	Amount        rules.Money `json:"amount"`
	ApplyScenes   []string    `json:"apply_scenes"`
	TransactionID string      `json:"transaction_id"`
	Memo          string      `json:"memo"`
	OperatedAt    time.Time   `json:"operated_at"`
	OperatedBy    moOperator  `json:"operated_by"`
}

type moAdjustmentList struct {
	Adjustments []moAdjustment `json:"adjustments"`
	NextCursor  string         `json:"next_cursor"`
}

type moEntry struct {
	ID           int64       `json:"id"`
	PostingID    string      `json:"posting_id"`
	PostingKind  string      `json:"posting_kind"`
	AccountID    string      `json:"account_id"`
	AccountKind  string      `json:"account_kind"`
	CustomerID   string      `json:"customer_id"`
	Amount       rules.Money `json:"amount"`
	BalanceAfter int64       `json:"balance_after"`
}

func moCNY(n int64) map[string]any { return map[string]any{"amount": n, "currency": "CNY"} }

func moDepositBody(amount int64, txid string) map[string]any {
	return map[string]any{"amount": moCNY(amount), "transaction_id": txid, "memo": "wire transfer"}
}

func moAdjustBody(customerID, op string, amount int64, txid string) map[string]any {
	return map[string]any{
		"customer_id": customerID, "operation": op, "amount": moCNY(amount),
		"apply_scenes": []string{"ecs", "obs"}, "transaction_id": txid, "memo": "Q4 budget",
	}
}

// moCustomerOfToken is the customer ID of a customer token.
func (s *system) moCustomerOfToken(token string) string {
	s.t.Helper()
	p, err := s.store.PrincipalByToken(context.Background(), token)
	if err != nil || !p.CustomerID.Valid {
		s.t.Fatalf("customer token: %+v %v", p, err)
	}
	return p.CustomerID.String
}

// moNewCustomer creates a customer of a partner in a mode ("" partner: a
// direct customer) and a token for it.
func (s *system) moNewCustomer(name, partnerID, mode string) (id, token string) {
	s.t.Helper()
	ctx := context.Background()
	c, err := s.store.CreateCustomer(ctx, name, partnerID, mode)
	if err != nil {
		s.t.Fatal(err)
	}
	_, token, err = s.store.CreatePrincipal(ctx, store.NewPrincipal{Name: name, Role: cases.RoleCustomer, CustomerID: c.ID})
	if err != nil {
		s.t.Fatal(err)
	}
	return c.ID, token
}

// moBalance is the CNY balance an account endpoint shows (0 when absent).
func (s *system) moBalance(path, token string) int64 {
	s.t.Helper()
	acc := decode[moAccount](s.t, s.call("GET", path, token, nil).expect(s.t, 200))
	var n int64
	for _, m := range acc.Balances {
		if m.Amount < 0 {
			s.t.Errorf("%s shows a negative balance %v", path, m)
		}
		if m.Currency == "CNY" {
			n = m.Amount
		}
	}
	return n
}

func (s *system) moBalances(partnerID, customerID string) (partner, customer int64) {
	s.t.Helper()
	return s.moBalance("/v1/partners/"+partnerID+"/account", s.ops), s.moBalance("/v1/customers/"+customerID+"/account", s.ops)
}

// moLedger reads a partner's whole ledger (staff), page by page, and checks
// it: every posting is two entries summing to zero, the ledger sums to zero,
// and no partner or customer balance was ever negative.
func (s *system) moLedger(partnerID string) []moEntry {
	s.t.Helper()
	var all []moEntry
	cursor := ""
	for {
		page := decode[struct {
			Entries    []moEntry `json:"entries"`
			NextCursor string    `json:"next_cursor"`
		}](s.t, s.call("GET", "/v1/partners/"+partnerID+"/ledger?limit=200&cursor="+url.QueryEscape(cursor), s.ops, nil).expect(s.t, 200))
		all = append(all, page.Entries...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	var total int64
	postings := map[string][]moEntry{}
	for _, e := range all {
		total += e.Amount.Amount
		postings[e.PostingID] = append(postings[e.PostingID], e)
		if e.AccountKind != "vendor_funding" && e.BalanceAfter < 0 {
			s.t.Errorf("entry %d left the %s account at %d", e.ID, e.AccountKind, e.BalanceAfter)
		}
	}
	if total != 0 {
		s.t.Errorf("the ledger of %s sums to %d, not 0", partnerID, total)
	}
	for id, entries := range postings {
		if len(entries) != 2 || entries[0].Amount.Amount+entries[1].Amount.Amount != 0 {
			s.t.Errorf("posting %s is %+v, not two entries summing to zero", id, entries)
		}
	}
	return all
}

// moAccountSum is the sum of a ledger's entries for one kind of account
// (and customer).
func moAccountSum(entries []moEntry, kind, customerID string) int64 {
	var n int64
	for _, e := range entries {
		if e.AccountKind == kind && e.CustomerID == customerID {
			n += e.Amount.Amount
		}
	}
	return n
}

// The seed: a partner moves funds to a resale customer, the customer sees
// the adjustment records; with deposits, reclaims, replays and the ledger.
func TestMoneyDepositAllocateReclaim(t *testing.T) {
	s := startSystem(t, "3wd")
	customer := s.moCustomerOfToken(s.customA)
	partnerPath := "/v1/partners/" + s.partnerA

	// Ops record a deposit; a replay under the same key moves nothing again.
	created := s.call("POST", partnerPath+"/deposits", s.ops, moDepositBody(100000, "BANK-2026-001"), "Idempotency-Key", "dep-1").expect(t, 201)
	dep := decode[moDeposit](t, created)
	if loc := created.header.Get("Location"); loc != partnerPath+"/deposits/"+dep.ID {
		t.Errorf("Location %q", loc)
	}
	if dep.PartnerID != s.partnerA || dep.Amount != (rules.Money{Amount: 100000, Currency: "CNY"}) ||
		dep.TransactionID != "BANK-2026-001" || dep.RecordedBy.Name != "Olivia Ops" || dep.RecordedAt.IsZero() {
		t.Errorf("deposit %+v", dep)
	}
	again := decode[moDeposit](t, s.call("POST", partnerPath+"/deposits", s.ops, moDepositBody(100000, "BANK-2026-001"), "Idempotency-Key", "dep-1").expect(t, 201))
	if again.ID != dep.ID {
		t.Errorf("the replay made deposit %s, the first %s", again.ID, dep.ID)
	}
	p := decode[problem](t, s.call("POST", partnerPath+"/deposits", s.ops, moDepositBody(5, "BANK-2026-002"), "Idempotency-Key", "dep-1").expect(t, 409))
	if !strings.Contains(p.Detail, "Idempotency-Key") {
		t.Errorf("key reused: %q", p.Detail)
	}
	if got := s.moBalance(partnerPath+"/account", s.memberA); got != 100000 {
		t.Fatalf("partner balance %d after one deposit of 100000 sent twice", got)
	}
	s.call("GET", partnerPath+"/deposits/"+dep.ID, s.adminA, nil).expect(t, 200)
	deposits := decode[struct{ Deposits []moDeposit }](t, s.call("GET", partnerPath+"/deposits", s.memberA, nil).expect(t, 200))
	if len(deposits.Deposits) != 1 || deposits.Deposits[0].ID != dep.ID {
		t.Errorf("deposits %+v", deposits.Deposits)
	}

	// The partner allocates to its resale customer, with usage scenarios.
	created = s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 30000, "ADJ-1"), "Idempotency-Key", "adj-1").expect(t, 201)
	alloc := decode[moAdjustment](t, created)
	if loc := created.header.Get("Location"); loc != partnerPath+"/adjustments/"+alloc.ID {
		t.Errorf("Location %q", loc)
	}
	if alloc.PartnerID != s.partnerA || alloc.CustomerID != customer || alloc.Operation != "allocate" ||
		alloc.Amount != (rules.Money{Amount: 30000, Currency: "CNY"}) || !slices.Equal(alloc.ApplyScenes, []string{"ecs", "obs"}) ||
		alloc.TransactionID != "ADJ-1" || alloc.Memo != "Q4 budget" || alloc.OperatedBy.Name != "Acme admin" || alloc.OperatedAt.IsZero() {
		t.Errorf("allocation %+v", alloc)
	}
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 70000 || cb != 30000 {
		t.Fatalf("after allocating 30000: partner %d customer %d, want 70000 and 30000", pb, cb)
	}
	// The same key and body again: the same record, nothing moved.
	replay := decode[moAdjustment](t, s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 30000, "ADJ-1"), "Idempotency-Key", "adj-1").expect(t, 201))
	if replay.ID != alloc.ID {
		t.Errorf("replay gave %s, first %s", replay.ID, alloc.ID)
	}
	// The key with another body: refused.
	p = decode[problem](t, s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 31000, "ADJ-9"), "Idempotency-Key", "adj-1").expect(t, 409))
	if !strings.HasSuffix(p.Type, "idempotency-key-reused") {
		t.Errorf("key reused with another body: %+v", p)
	}
	// The same transaction ID under another key (or none): refused.
	p = decode[problem](t, s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 30000, "ADJ-1"), "Idempotency-Key", "adj-2").expect(t, 409))
	if !strings.HasSuffix(p.Type, "duplicate-transaction-id") {
		t.Errorf("duplicate transaction ID: %+v", p)
	}
	s.call("POST", partnerPath+"/adjustments", s.memberA, moAdjustBody(customer, "reclaim", 1, "ADJ-1")).expect(t, 409)
	// Deposits and adjustments share the transaction IDs.
	s.call("POST", partnerPath+"/deposits", s.ops, moDepositBody(1, "ADJ-1")).expect(t, 409)
	s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 1, "BANK-2026-001")).expect(t, 409)
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 70000 || cb != 30000 {
		t.Fatalf("after the replays: partner %d customer %d, want 70000 and 30000", pb, cb)
	}

	// A member reclaims part of it.
	reclaim := decode[moAdjustment](t, s.call("POST", partnerPath+"/adjustments", s.memberA, moAdjustBody(customer, "reclaim", 10000, "ADJ-2")).expect(t, 201))
	if reclaim.Operation != "reclaim" || reclaim.OperatedBy.Name != "Acme member" {
		t.Errorf("reclaim %+v", reclaim)
	}
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 80000 || cb != 20000 {
		t.Fatalf("after reclaiming 10000: partner %d customer %d, want 80000 and 20000", pb, cb)
	}
	// The customer reads its account and sees its adjustment records, newest first.
	if got := s.moBalance("/v1/customers/"+customer+"/account", s.customA); got != 20000 {
		t.Errorf("the customer sees %d", got)
	}
	if got := s.moBalance("/v1/customers/"+customer+"/account", s.adminA); got != 20000 {
		t.Errorf("its partner sees %d", got)
	}
	mine := decode[moAdjustmentList](t, s.call("GET", "/v1/customers/"+customer+"/adjustments", s.customA, nil).expect(t, 200))
	if len(mine.Adjustments) != 2 || mine.Adjustments[0].ID != reclaim.ID || mine.Adjustments[1].ID != alloc.ID {
		t.Errorf("the customer's adjustments %+v", mine.Adjustments)
	}
	for _, token := range []string{s.adminA, s.ops} {
		if l := decode[moAdjustmentList](t, s.call("GET", "/v1/customers/"+customer+"/adjustments", token, nil).expect(t, 200)); len(l.Adjustments) != 2 {
			t.Errorf("%d of the customer's adjustments listed", len(l.Adjustments))
		}
	}
	// The partner's list: filter and pages.
	first := decode[moAdjustmentList](t, s.call("GET", partnerPath+"/adjustments?limit=1", s.memberA, nil).expect(t, 200))
	if len(first.Adjustments) != 1 || first.Adjustments[0].ID != reclaim.ID || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	second := decode[moAdjustmentList](t, s.call("GET", partnerPath+"/adjustments?limit=1&cursor="+url.QueryEscape(first.NextCursor), s.ops, nil).expect(t, 200))
	if len(second.Adjustments) != 1 || second.Adjustments[0].ID != alloc.ID || second.NextCursor != "" {
		t.Errorf("second page %+v", second)
	}
	if l := decode[moAdjustmentList](t, s.call("GET", partnerPath+"/adjustments?customer_id=cus_other", s.adminA, nil).expect(t, 200)); len(l.Adjustments) != 0 {
		t.Errorf("filtered by another customer: %+v", l.Adjustments)
	}
	one := decode[moAdjustment](t, s.call("GET", partnerPath+"/adjustments/"+alloc.ID, s.memberA, nil).expect(t, 200))
	if one.ID != alloc.ID || !slices.Equal(one.ApplyScenes, alloc.ApplyScenes) {
		t.Errorf("read back %+v", one)
	}

	// The ledger: two entries a movement, summing to zero, matching the balances.
	entries := s.moLedger(s.partnerA)
	if len(entries) != 6 {
		t.Errorf("%d ledger entries for three movements", len(entries))
	}
	if moAccountSum(entries, "partner", "") != 80000 || moAccountSum(entries, "customer", customer) != 20000 ||
		moAccountSum(entries, "vendor_funding", "") != -100000 {
		t.Errorf("ledger sums do not match the balances: %+v", entries)
	}
	if e := entries[0]; e.PostingKind != "reclaim" {
		t.Errorf("newest entry %+v", e)
	}
}

func TestMoneyRefusals(t *testing.T) {
	s := startSystem(t, "3wd")
	customer := s.moCustomerOfToken(s.customA)
	consultative, _ := s.moNewCustomer("Advice Only Ltd", s.partnerA, "consultative")
	direct, _ := s.moNewCustomer("Direct Buyer", "", "")
	partnerPath := "/v1/partners/" + s.partnerA
	s.call("POST", partnerPath+"/deposits", s.supervisor, moDepositBody(1000, "BANK-1")).expect(t, 201)
	s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 100, "ADJ-0")).expect(t, 201)

	// Bad input: every bad field at once, nothing written.
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		fields     string
	}{
		{"adjustment, every field bad", "/adjustments", map[string]any{
			"customer_id": "", "operation": "transfer", "amount": map[string]any{"amount": 0, "currency": "cny"},
			"apply_scenes": []string{"ecs", "", "ecs", strings.Repeat("s", 65)}, "transaction_id": strings.Repeat("t", 65),
			"memo": strings.Repeat("m", 256),
		}, 422, "customer_id,operation,amount.amount,amount.currency,apply_scenes[1],apply_scenes[2],apply_scenes[3],transaction_id,memo"},
		{"adjustment, nothing given", "/adjustments", map[string]any{}, 422, "customer_id,operation,amount,apply_scenes,transaction_id"},
		{"adjustment, negative amount", "/adjustments", func() any {
			b := moAdjustBody(customer, "allocate", -5, "ADJ-X")
			return b
		}(), 422, "amount.amount"},
		{"adjustment, reclaim_on_unbind", "/adjustments", moAdjustBody(customer, "reclaim_on_unbind", 5, "ADJ-X"), 422, "operation"},
		{"adjustment, 21 scenes", "/adjustments", func() any {
			b := moAdjustBody(customer, "allocate", 5, "ADJ-X")
			scenes := make([]string, 21)
			for i := range scenes {
				scenes[i] = fmt.Sprintf("s%d", i)
			}
			b["apply_scenes"] = scenes
			return b
		}(), 422, "apply_scenes"},
		{"adjustment, malformed JSON", "/adjustments", `{"customer_id": `, 400, ""},
		{"adjustment, unknown field", "/adjustments", func() any {
			b := moAdjustBody(customer, "allocate", 5, "ADJ-X")
			b["bonus"] = true
			return b
		}(), 422, "bonus"},
		{"adjustment, amount with fractions", "/adjustments", func() any {
			b := moAdjustBody(customer, "allocate", 5, "ADJ-X")
			b["amount"] = map[string]any{"amount": 1.5, "currency": "CNY"}
			return b
		}(), 422, "amount.amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.call("POST", partnerPath+tc.path, s.adminA, tc.body).expect(t, tc.status)
			if got := decode[problem](t, r).fields(); got != tc.fields {
				t.Errorf("fields %q, want %q", got, tc.fields)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		body   any
		fields string
	}{
		{"deposit, every field bad", map[string]any{"amount": map[string]any{"amount": -1, "currency": "RMB1"},
			"transaction_id": "", "memo": strings.Repeat("m", 256)}, "amount.amount,amount.currency,transaction_id,memo"},
		{"deposit, no amount", map[string]any{"transaction_id": "B"}, "amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.call("POST", partnerPath+"/deposits", s.ops, tc.body).expect(t, 422)
			if got := decode[problem](t, r).fields(); got != tc.fields {
				t.Errorf("fields %q, want %q", got, tc.fields)
			}
		})
	}
	s.call("GET", partnerPath+"/adjustments?limit=0&cursor=nope", s.adminA, nil).expect(t, 422)
	if p := decode[problem](t, s.call("GET", partnerPath+"/ledger?cursor=!!", s.ops, nil).expect(t, 422)); p.fields() != "cursor" {
		t.Errorf("bad cursor: %q", p.fields())
	}

	// Insufficient balance: 409 naming available and asked, nothing written,
	// and the idempotency key free for another request.
	p := decode[problem](t, s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 901, "ADJ-BIG"), "Idempotency-Key", "big").expect(t, 409))
	if !strings.HasSuffix(p.Type, "insufficient-balance") || !strings.Contains(p.Detail, "9.00 CNY available") || !strings.Contains(p.Detail, "9.01 CNY asked") {
		t.Errorf("insufficient partner balance: %+v", p)
	}
	p = decode[problem](t, s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "reclaim", 101, "ADJ-BIG2")).expect(t, 409))
	if !strings.Contains(p.Detail, "the customer has 1.00 CNY available") || !strings.Contains(p.Detail, "1.01 CNY asked") {
		t.Errorf("insufficient customer balance: %+v", p)
	}
	usd := moAdjustBody(customer, "allocate", 1, "ADJ-USD")
	usd["amount"] = map[string]any{"amount": 1, "currency": "USD"}
	s.call("POST", partnerPath+"/adjustments", s.adminA, usd).expect(t, 409)
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 900 || cb != 100 {
		t.Errorf("after refusals: partner %d customer %d, want 900 and 100", pb, cb)
	}
	if entries := s.moLedger(s.partnerA); len(entries) != 4 {
		t.Errorf("%d ledger entries after refusals, want 4", len(entries))
	}
	if l := decode[moAdjustmentList](t, s.call("GET", partnerPath+"/adjustments", s.adminA, nil).expect(t, 200)); len(l.Adjustments) != 1 {
		t.Errorf("%d adjustments after refusals, want 1", len(l.Adjustments))
	}
	// The refused request left no key behind: the key now takes another request.
	s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 900, "ADJ-BIG"), "Idempotency-Key", "big").expect(t, 201)
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 0 || cb != 1000 {
		t.Errorf("after allocating everything: partner %d customer %d", pb, cb)
	}

	// Only resale sub-customers receive adjustments.
	for _, id := range []string{consultative, direct} {
		p := decode[problem](t, s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody(id, "allocate", 1, "ADJ-C-"+id)).expect(t, 409))
		if !strings.HasSuffix(p.Type, "not-resale-customer") || !strings.Contains(p.Detail, "only resale sub-customers") {
			t.Errorf("customer %s: %+v", id, p)
		}
	}
	s.call("POST", partnerPath+"/adjustments", s.adminA, moAdjustBody("cus_nope", "allocate", 1, "ADJ-N")).expect(t, 404)

	// Roles.
	s.call("POST", partnerPath+"/deposits", s.adminA, moDepositBody(1, "BANK-R")).expect(t, 403)
	// a partner's books are not a customer's to know about
	s.call("POST", partnerPath+"/deposits", s.customA, moDepositBody(1, "BANK-R")).expect(t, 404)
	s.call("POST", "/v1/partners/prt_nope/deposits", s.ops, moDepositBody(1, "BANK-R")).expect(t, 404)
	s.call("POST", partnerPath+"/adjustments", s.ops, moAdjustBody(customer, "reclaim", 1, "ADJ-R")).expect(t, 403)
	s.call("POST", partnerPath+"/adjustments", s.customA, moAdjustBody(customer, "reclaim", 1, "ADJ-R")).expect(t, 404)
	s.call("GET", partnerPath+"/ledger", s.adminA, nil).expect(t, 403)
	s.call("GET", partnerPath+"/ledger", s.customA, nil).expect(t, 404)
	s.call("GET", "/v1/partners/prt_nope/ledger", s.ops, nil).expect(t, 404)
	s.call("GET", "/v1/partners/prt_nope/account", s.ops, nil).expect(t, 404)
	s.call("GET", partnerPath+"/account", s.customA, nil).expect(t, 404)
	s.call("GET", partnerPath+"/account", "", nil).expect(t, 401)
}

// Partner B can neither read nor move anything of partner A; a customer
// sees only its own.
func TestMoneyIsolation(t *testing.T) {
	s := startSystem(t, "3wd")
	customer := s.moCustomerOfToken(s.customA)
	other, otherToken := s.moNewCustomer("Second Retail", s.partnerA, "resale")
	bCustomer, bToken := s.moNewCustomer("Nimbus Retail", s.partnerB, "resale")
	a, b := "/v1/partners/"+s.partnerA, "/v1/partners/"+s.partnerB
	dep := decode[moDeposit](t, s.call("POST", a+"/deposits", s.ops, moDepositBody(500, "BANK-A")).expect(t, 201))
	s.call("POST", b+"/deposits", s.ops, moDepositBody(700, "BANK-A")).expect(t, 201) // its own namespace of transaction IDs
	adj := decode[moAdjustment](t, s.call("POST", a+"/adjustments", s.adminA, moAdjustBody(customer, "allocate", 200, "ADJ-A")).expect(t, 201))
	s.call("POST", b+"/adjustments", s.adminB, moAdjustBody(bCustomer, "allocate", 300, "ADJ-B")).expect(t, 201)

	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", a + "/account", nil},
		{"GET", a + "/deposits", nil},
		{"GET", a + "/deposits/" + dep.ID, nil},
		{"GET", a + "/adjustments", nil},
		{"GET", a + "/adjustments/" + adj.ID, nil},
		{"POST", a + "/adjustments", moAdjustBody(customer, "reclaim", 200, "STEAL-1")},
		{"POST", b + "/adjustments", moAdjustBody(customer, "reclaim", 200, "STEAL-2")},
		{"POST", b + "/adjustments", moAdjustBody(customer, "allocate", 1, "STEAL-3")},
		{"GET", "/v1/customers/" + customer + "/account", nil},
		{"GET", "/v1/customers/" + customer + "/adjustments", nil},
	} {
		r := s.call(req.method, req.path, s.adminB, req.body).expect(t, 404)
		if body := string(r.body); strings.Contains(body, "balances") || strings.Contains(body, "Blue Sky") ||
			strings.Contains(body, "available") || strings.Contains(body, "transaction_id") {
			t.Errorf("%s %s leaks: %s", req.method, req.path, body)
		}
	}
	// B's own views hold none of A's records.
	if l := decode[moAdjustmentList](t, s.call("GET", b+"/adjustments?customer_id="+customer, s.adminB, nil).expect(t, 200)); len(l.Adjustments) != 0 {
		t.Errorf("B lists A's adjustments: %+v", l.Adjustments)
	}
	s.call("GET", b+"/adjustments/"+adj.ID, s.adminB, nil).expect(t, 404)
	s.call("GET", b+"/deposits/"+dep.ID, s.adminB, nil).expect(t, 404)
	if got := s.moBalance(b+"/account", s.adminB); got != 400 {
		t.Errorf("B's balance %d, want 400", got)
	}
	// Customers: another customer of the same partner, or of another, gets 404.
	for _, token := range []string{otherToken, bToken} {
		s.call("GET", "/v1/customers/"+customer+"/account", token, nil).expect(t, 404)
		s.call("GET", "/v1/customers/"+customer+"/adjustments", token, nil).expect(t, 404)
	}
	s.call("GET", a+"/adjustments", s.customA, nil).expect(t, 404)
	s.call("GET", a+"/deposits", s.customA, nil).expect(t, 404)
	if l := decode[moAdjustmentList](t, s.call("GET", "/v1/customers/"+other+"/adjustments", otherToken, nil).expect(t, 200)); len(l.Adjustments) != 0 {
		t.Errorf("another customer sees %+v", l.Adjustments)
	}
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 300 || cb != 200 {
		t.Errorf("A's balances moved: partner %d customer %d", pb, cb)
	}
}

// moResult is one answer of a concurrent request, checked afterwards.
type moResult struct {
	req    *http.Request
	resp   *http.Response
	body   []byte
	err    error
	detail string
}

// moFire sends a request without touching t, so goroutines may use it.
func (s *system) moFire(method, path, token string, body any, headers ...string) moResult {
	raw, err := json.Marshal(body)
	if err != nil {
		return moResult{err: err}
	}
	req, err := http.NewRequest(method, s.baseURL+path, bytes.NewReader(raw))
	if err != nil {
		return moResult{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return moResult{req: req, err: err}
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	return moResult{req: req, resp: resp, body: respBody, err: err}
}

// moRace fires the requests at once, one goroutine each, and returns the
// answers after checking each against the contract.
func (s *system) moRace(t *testing.T, token string, requests []map[string]any, headers func(i int) []string) []moResult {
	t.Helper()
	results := make([]moResult, len(requests))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, body := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var h []string
			if headers != nil {
				h = headers(i)
			}
			results[i] = s.moFire("POST", "/v1/partners/"+s.partnerA+"/adjustments", token, body, h...)
		}()
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("request %d: %v", i, r.err)
		}
		s.contract.check(t, r.req, r.resp, r.body)
		if r.resp.StatusCode == 409 {
			var p problem
			_ = json.Unmarshal(r.body, &p)
			results[i].detail = p.Type + " " + p.Detail
		}
	}
	return results
}

// The race: 50 allocations of 30 fired at once at a balance of
// 1000: exactly 33 succeed, the others are refused, and the sums are exact.
func TestMoneyConcurrentAdjustments(t *testing.T) {
	s := startSystem(t, "3wd")
	customer := s.moCustomerOfToken(s.customA)
	a := "/v1/partners/" + s.partnerA
	s.call("POST", a+"/deposits", s.ops, moDepositBody(1000, "BANK-1")).expect(t, 201)

	requests := make([]map[string]any, 50)
	for i := range requests {
		requests[i] = moAdjustBody(customer, "allocate", 30, fmt.Sprintf("RACE-%02d", i))
	}
	results := s.moRace(t, s.adminA, requests, nil)
	succeeded, refused := 0, 0
	for i, r := range results {
		switch {
		case r.resp.StatusCode == 201:
			succeeded++
		case r.resp.StatusCode == 409 && strings.Contains(r.detail, "insufficient-balance"):
			refused++
		default:
			t.Errorf("request %d answered %d: %s", i, r.resp.StatusCode, r.body)
		}
	}
	if succeeded != 1000/30 || refused != 50-1000/30 {
		t.Errorf("%d allocations succeeded and %d were refused, want %d and %d", succeeded, refused, 1000/30, 50-1000/30)
	}
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 1000-33*30 || cb != 33*30 {
		t.Errorf("partner %d customer %d, want %d and %d", pb, cb, 1000-33*30, 33*30)
	}
	entries := s.moLedger(s.partnerA)
	if len(entries) != 2+2*33 {
		t.Errorf("%d ledger entries, want %d", len(entries), 2+2*33)
	}
	if l := decode[moAdjustmentList](t, s.call("GET", a+"/adjustments?limit=200", s.adminA, nil).expect(t, 200)); len(l.Adjustments) != 33 {
		t.Errorf("%d adjustment records, want 33", len(l.Adjustments))
	}

	// A mixed race on fresh customers: allocations of 40 to two customers,
	// reclaims of 30 from them, and one allocation of 10 sent five times
	// under one Idempotency-Key, all at once. Whatever the interleaving, the
	// sums must match the answers exactly.
	c1, _ := s.moNewCustomer("Mixed One", s.partnerA, "resale")
	c2, _ := s.moNewCustomer("Mixed Two", s.partnerA, "resale")
	s.call("POST", a+"/deposits", s.ops, moDepositBody(400, "BANK-2")).expect(t, 201)
	s.call("POST", a+"/adjustments", s.adminA, moAdjustBody(c1, "allocate", 60, "SEED-1")).expect(t, 201)
	s.call("POST", a+"/adjustments", s.adminA, moAdjustBody(c2, "allocate", 60, "SEED-2")).expect(t, 201)
	partnerBefore := s.moBalance(a+"/account", s.ops)
	if partnerBefore != 1000-33*30+400-120 {
		t.Fatalf("partner balance %d before the mixed race", partnerBefore)
	}
	type move struct {
		customer string
		delta    int64 // to the customer
	}
	var moves []move
	requests = nil
	for i := range 40 {
		m := move{customer: c1, delta: 40}
		if i%2 == 1 {
			m.customer = c2
		}
		op := "allocate"
		if i%4 >= 2 {
			op, m.delta = "reclaim", -30
		}
		moves = append(moves, m)
		requests = append(requests, moAdjustBody(m.customer, op, max(m.delta, -m.delta), fmt.Sprintf("MIX-%02d", i)))
	}
	for range 5 {
		moves = append(moves, move{customer: c1, delta: 10})
		requests = append(requests, moAdjustBody(c1, "allocate", 10, "MIX-SAME"))
	}
	results = s.moRace(t, s.memberA, requests, func(i int) []string {
		if i >= 40 {
			return []string{"Idempotency-Key", "mix-same"}
		}
		return nil
	})
	want := map[string]int64{c1: 60, c2: 60}
	partner := partnerBefore
	sameIDs := map[string]bool{}
	for i, r := range results {
		switch {
		case r.resp.StatusCode == 201 && i >= 40:
			var adj moAdjustment
			_ = json.Unmarshal(r.body, &adj)
			sameIDs[adj.ID] = true
		case r.resp.StatusCode == 201:
			want[moves[i].customer] += moves[i].delta
			partner -= moves[i].delta
		case r.resp.StatusCode == 409 && strings.Contains(r.detail, "insufficient-balance") && i < 40:
		default:
			t.Errorf("request %d answered %d: %s", i, r.resp.StatusCode, r.body)
		}
	}
	if len(sameIDs) != 1 {
		t.Errorf("five requests under one key made %d adjustments", len(sameIDs))
	}
	want[c1] += 10
	partner -= 10
	if got := s.moBalance(a+"/account", s.ops); got != partner {
		t.Errorf("partner balance %d, want %d from the answers", got, partner)
	}
	for _, c := range []string{c1, c2} {
		if got := s.moBalance("/v1/customers/"+c+"/account", s.ops); got != want[c] {
			t.Errorf("customer %s balance %d, want %d from the answers", c, got, want[c])
		}
	}
	entries = s.moLedger(s.partnerA)
	if moAccountSum(entries, "partner", "") != partner || moAccountSum(entries, "customer", c1) != want[c1] ||
		moAccountSum(entries, "customer", c2) != want[c2] || moAccountSum(entries, "vendor_funding", "") != -1400 {
		t.Errorf("ledger sums do not match the balances")
	}
}
