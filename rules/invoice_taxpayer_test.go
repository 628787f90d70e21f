package rules

import (
	"slices"
	"testing"
)

// A small-scale taxpayer's special invoice carries the small-scale rate; a
// general taxpayer's is not held to it.
func TestCheckInvoiceSmallScaleRate(t *testing.T) {
	smallScale := func() Invoice {
		inv := goodInvoice()
		inv.AmountExcludingTax, inv.TaxRate, inv.TaxAmount, inv.Total = &Money{100_000, "CNY"}, "0.03", &Money{3_000, "CNY"}, &Money{103_000, "CNY"}
		return inv
	}
	exp := InvoiceExpectation{Buyer: testVendor, Seller: testSeller, Amount: Money{103_000, "CNY"}, PublishedOn: "2026-11-20", Today: "2026-11-30"}
	for _, tc := range []struct {
		name     string
		taxpayer TaxpayerType
		rate     string
		codes    []string
	}{
		{"small-scale at 3%", SmallScaleTaxpayer, "", nil},
		{"small-scale at 6%", SmallScaleTaxpayer, "0.06", []string{InvoiceRateNotSmallScale}},
		{"general at 3%", GeneralTaxpayer, "", nil},
		{"standing unknown (general) at 3%", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, e := smallScale(), exp
			e.SellerTaxpayer = tc.taxpayer
			if tc.rate != "" {
				inv.TaxRate, inv.TaxAmount, inv.Total = tc.rate, &Money{6_000, "CNY"}, &Money{106_000, "CNY"}
				e.Amount = Money{106_000, "CNY"}
			}
			var codes []string
			for _, p := range CheckInvoice(inv, e) {
				codes = append(codes, p.Code)
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("codes %v, want %v", codes, tc.codes)
			}
		})
	}
}

func TestBusinessInfoTaxpayerType(t *testing.T) {
	for _, tc := range []struct {
		taxpayer TaxpayerType
		bad      bool
	}{{"", false}, {GeneralTaxpayer, false}, {SmallScaleTaxpayer, false}, {"vip", true}} {
		b := BusinessInfo{TaxpayerType: tc.taxpayer}
		if got := slices.ContainsFunc(b.Validate(), func(e FieldError) bool { return e.Field == "taxpayer_type" }); got != tc.bad {
			t.Errorf("%q: refused %v, want %v", tc.taxpayer, got, tc.bad)
		}
	}
}
