package demo_test

import (
	"context"
	"errors"
	"testing"

	"partnerops/demo"
	"partnerops/internal/testdb"
	"partnerops/rules"
)

var policy = demo.Policy{
	Vendor:    rules.Party{Name: "Partnerops Cloud Computing Co., Ltd.", TaxID: "91330106MA2CFKQ72H"},
	Incentive: rules.IncentivePolicy{InvoiceDeadline: "10wd"}, ReturnSLA: "3wd", TimeZone: "Asia/Shanghai",
}

// The demo set loads into a database of its own (again, too), refuses one
// holding other partners, and loads beside them when forced; its tokens
// work.
func TestLoadRefusesADatabaseWithOtherPartners(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	d, err := demo.Load(ctx, st, policy, false)
	if err != nil {
		t.Fatalf("into an empty database: %v", err)
	}
	if _, err := demo.Load(ctx, st, policy, false); err != nil {
		t.Fatalf("into a database holding only the demo set: %v", err)
	}
	for _, p := range d.Principals {
		if _, err := st.PrincipalByToken(ctx, p.Token); err != nil {
			t.Errorf("%s: %v", p.Env, err)
		}
	}
	if _, err := st.CreatePartner(ctx, "Real Partner Ltd", "cloud_reseller", ""); err != nil {
		t.Fatal(err)
	}
	before, err := st.CountPartners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, policy, false); !errors.Is(err, demo.ErrNotDemoDatabase) {
		t.Errorf("into a database with another partner: %v, want ErrNotDemoDatabase", err)
	}
	if after, _ := st.CountPartners(ctx); after != before {
		t.Errorf("the refused load wrote partners: %d, then %d", before, after)
	}
	if _, err := demo.Load(ctx, st, policy, true); err != nil {
		t.Errorf("forced: %v", err)
	}
}
