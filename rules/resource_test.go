package rules

import (
	"slices"
	"testing"
	"time"
)

func TestGroupProblem(t *testing.T) {
	for _, c := range []struct {
		typ, primary     ResourceType
		primaryIsPrimary bool
		ok               bool
	}{
		{ResourceECS, "", false, true},
		{ResourceECS, ResourceECS, true, false}, // a server is always a primary
		{ResourceEVS, "", false, true},          // a disk on its own
		{ResourceEVS, ResourceECS, true, true},  // a server's disk
		{ResourceEVS, ResourceEIP, true, false},
		{ResourceEVS, ResourceECS, false, false}, // the primary must be one
		{ResourceBandwidthShared, "", false, true},
		{ResourceBandwidthShared, ResourceEIP, true, false},
		{ResourceEIP, "", false, true},                          // primary to a dedicated bandwidth
		{ResourceEIP, ResourceBandwidthShared, true, true},      // one of a shared bandwidth's IPs
		{ResourceEIP, ResourceECS, true, false},                 //
		{ResourceBandwidthDedicated, "", false, false},          // always an IP's
		{ResourceBandwidthDedicated, ResourceEIP, true, true},   //
		{ResourceBandwidthDedicated, ResourceEIP, false, false}, // not an IP that is itself a secondary
	} {
		got := GroupProblem(c.typ, c.primary, c.primaryIsPrimary)
		if (got == "") != c.ok {
			t.Errorf("GroupProblem(%s, %s, %v) = %q, want ok %v", c.typ, c.primary, c.primaryIsPrimary, got, c.ok)
		}
	}
}

func TestNewResourceNamesEveryBadField(t *testing.T) {
	good := NewResource{ID: "ecs-1", Type: ResourceECS, Region: "cn-north-4", ExpiresAt: time.Now(),
		ExpiryPolicy: ExpiryFreeze, MonthlyPrice: Money{Amount: 100, Currency: "CNY"}}
	if errs := good.Validate(); len(errs) != 0 {
		t.Fatalf("good resource refused: %v", errs)
	}
	bad := NewResource{ID: "-x", Type: "vm", Region: "North 4", PrimaryID: "a b", ExpiryPolicy: "later",
		MonthlyPrice: Money{Amount: 0, Currency: "cny"}, OrderID: "?"}
	var fields []string
	for _, e := range bad.Validate() {
		fields = append(fields, e.Field)
	}
	want := []string{"id", "type", "region", "primary_id", "expires_at", "expiry_policy", "monthly_price.amount", "monthly_price.currency", "order_id"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	dedicated := good
	dedicated.Type = ResourceBandwidthDedicated
	if errs := dedicated.Validate(); len(errs) != 1 || errs[0].Field != "primary_id" {
		t.Errorf("a dedicated bandwidth without its IP: %v", errs)
	}
	server := good
	server.PrimaryID = "bw-1"
	if errs := server.Validate(); len(errs) != 1 || errs[0].Field != "primary_id" {
		t.Errorf("a server as a secondary: %v", errs)
	}
}

func TestExpiryPolicyOutcome(t *testing.T) {
	for policy, want := range map[ExpiryPolicy][2]string{
		ExpiryGracePeriod:      {ResourceExpired, "period"},
		ExpiryFreeze:           {ResourceFrozen, "period"},
		ExpirySwitchToOnDemand: {ResourceInUse, "on_demand"},
		ExpiryDelete:           {ResourceClosed, "period"},
	} {
		if status, billing := policy.Expired(); status != want[0] || billing != want[1] {
			t.Errorf("%s: %s/%s, want %v", policy, status, billing, want)
		}
	}
}
