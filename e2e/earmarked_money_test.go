package e2e

import (
	"strings"
	"sync"
	"testing"
)

// earmarkedOrder places an order of the customer for product that it pays itself.
func (s *system) earmarkedOrder(customer, token, product string, amount int64) string {
	s.t.Helper()
	o := decode[struct {
		ID string `json:"id"`
	}](s.t, s.call("POST", "/v1/customers/"+customer+"/orders", token, map[string]any{
		"scenario": "renewal", "product": product, "amount": moCNY(amount), "payment_window_minutes": 60, "payer": "customer",
	}).expect(s.t, 201))
	return o.ID
}

// An allocation's usage scenes name what its money may buy: OBS-only money
// refuses an ECS order (409 naming the shortfall and what the money may
// buy) and pays an OBS one; concurrent orders never overdraw it; the
// customer's account shows each part.
func TestEarmarkedMoneyPaysOnlyForItsScenes(t *testing.T) {
	s := startSystemWithoutWorker(t, "3wd")
	customer := s.moCustomerOfToken(s.customA)
	a := "/v1/partners/" + s.partnerA
	s.call("POST", a+"/deposits", s.ops, moDepositBody(100_000, "BANK-1")).expect(t, 201)
	s.call("POST", a+"/adjustments", s.adminA, map[string]any{
		"customer_id": customer, "operation": "allocate", "amount": moCNY(10_000),
		"apply_scenes": []string{"obs"}, "transaction_id": "ALLOC-OBS",
	}).expect(t, 201)

	ecs := s.earmarkedOrder(customer, s.customA, "ecs.c6.large, 1 year", 9_000)
	p := decode[problem](t, s.call("POST", "/v1/customers/"+customer+"/orders/"+ecs+"/pay", s.customA, nil).expect(t, 409))
	for _, want := range []string{"insufficient balance for ecs.c6.large, 1 year", "90.00 CNY short", "100.00 CNY for obs", "nothing was moved"} {
		if !strings.HasSuffix(p.Type, "insufficient-balance") || !strings.Contains(p.Detail, want) {
			t.Errorf("paying ECS from OBS money: %+v lacks %q", p, want)
		}
	}

	// Five OBS orders of 30.00 paid at once from 100.00 of OBS money: three are paid.
	orders := make([]string, 5)
	for i := range orders {
		orders[i] = s.earmarkedOrder(customer, s.customA, "obs", 3_000)
	}
	var wg sync.WaitGroup
	codes := make(chan int, len(orders))
	for _, id := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- s.call("POST", "/v1/customers/"+customer+"/orders/"+id+"/pay", s.customA, nil).status
		}()
	}
	wg.Wait()
	close(codes)
	paid := 0
	for c := range codes {
		switch c {
		case 200:
			paid++
		case 409:
		default:
			t.Errorf("paying concurrently: %d", c)
		}
	}
	if paid != 3 {
		t.Errorf("%d orders of 30.00 paid from 100.00, want 3", paid)
	}
	acc := decode[struct {
		Parts []struct {
			Amount struct{ Amount int64 } `json:"amount"`
			Scenes []string               `json:"scenes"`
		} `json:"parts"`
	}](t, s.call("GET", "/v1/customers/"+customer+"/account", s.customA, nil).expect(t, 200))
	if len(acc.Parts) != 1 || acc.Parts[0].Amount.Amount != 1_000 || len(acc.Parts[0].Scenes) != 1 || acc.Parts[0].Scenes[0] != "obs" {
		t.Errorf("the customer's parts: %+v", acc.Parts)
	}
	// A reclaim names the money it takes back by its scenes: none is ECS money.
	p = decode[problem](t, s.call("POST", a+"/adjustments", s.adminA, map[string]any{
		"customer_id": customer, "operation": "reclaim", "amount": moCNY(1_000),
		"apply_scenes": []string{"ecs"}, "transaction_id": "RECLAIM-ECS",
	}).expect(t, 409))
	if !strings.Contains(p.Detail, "earmarked for ecs") {
		t.Errorf("reclaiming ECS money: %+v", p)
	}
	s.call("POST", a+"/adjustments", s.adminA, map[string]any{
		"customer_id": customer, "operation": "reclaim", "amount": moCNY(1_000),
		"apply_scenes": []string{"obs"}, "transaction_id": "RECLAIM-OBS",
	}).expect(t, 201)
	if pb, cb := s.moBalances(s.partnerA, customer); pb != 91_000 || cb != 0 {
		t.Errorf("partner %d, customer %d", pb, cb)
	}
}
