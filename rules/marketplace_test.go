package rules

import (
	"strings"
	"testing"
)

func TestMarketplaceOrderValidate(t *testing.T) {
	amount := func(a int64, c string) *Money { return &Money{Amount: a, Currency: c} }
	tests := []struct {
		name  string
		order MarketplaceOrder
		want  string
	}{
		{"valid", MarketplaceOrder{Product: "Cloud backup", Amount: amount(12000, "CNY")}, ""},
		{"valid with reseller and spaces", MarketplaceOrder{Product: " x ", Amount: amount(1, " USD "), ResellerID: " prt_1 "}, ""},
		{"largest amount", MarketplaceOrder{Product: "x", Amount: amount(MaxMoneyAmount, "CNY")}, ""},
		{"nothing", MarketplaceOrder{}, "product,amount"},
		{"zero amount, lower-case currency, long product", MarketplaceOrder{
			Product: strings.Repeat("p", 201), Amount: amount(0, "cny")}, "product,amount.amount,amount.currency"},
		{"negative amount, no currency", MarketplaceOrder{Product: "x", Amount: amount(-5, "")}, "amount.amount,amount.currency"},
		{"too large", MarketplaceOrder{Product: "x", Amount: amount(MaxMoneyAmount+1, "CNY")}, "amount.amount"},
		{"currency of 4 letters", MarketplaceOrder{Product: "x", Amount: amount(1, "CNYY")}, "amount.currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range tt.order.Validate() {
				got = append(got, e.Field)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("bad fields %q, want %q", strings.Join(got, ","), tt.want)
			}
		})
	}
	in := MarketplaceOrder{Product: " x ", Amount: amount(1, " CNY "), ResellerID: " r "}
	n := in.Normalized()
	if n.Product != "x" || n.Amount.Currency != "CNY" || n.ResellerID != "r" || n.Amount == in.Amount {
		t.Errorf("Normalized() = %+v %+v", n, n.Amount)
	}
}

func TestAttributeMarketplaceSale(t *testing.T) {
	provider := AssociatedPartner{ID: "prt_acme", Name: "Acme", Type: SolutionProvider}
	reseller := AssociatedPartner{ID: "prt_nimbus", Name: "Nimbus", Type: CloudReseller}
	tests := []struct {
		name       string
		resellerID string
		partner    AssociatedPartner
		want       SaleAttribution
		refused    string // a word of the refusal
	}{
		{"the associated solution provider", "prt_acme", provider,
			SaleAttribution{ResellerID: "prt_acme", SalesChannel: SalesChannelPartner, MarginTo: MarginToPartner}, ""},
		{"spaces around it", " prt_acme ", provider,
			SaleAttribution{ResellerID: "prt_acme", SalesChannel: SalesChannelPartner, MarginTo: MarginToPartner}, ""},
		{"empty: vendor direct", "", provider,
			SaleAttribution{SalesChannel: SalesChannelVendorDirect, MarginTo: MarginToVendor}, ""},
		{"blank: vendor direct", "  ", provider,
			SaleAttribution{SalesChannel: SalesChannelVendorDirect, MarginTo: MarginToVendor}, ""},
		{"empty without partner", "", AssociatedPartner{},
			SaleAttribution{SalesChannel: SalesChannelVendorDirect, MarginTo: MarginToVendor}, ""},
		{"empty with a cloud reseller", "", reseller,
			SaleAttribution{SalesChannel: SalesChannelVendorDirect, MarginTo: MarginToVendor}, ""},
		{"another partner", "prt_nimbus", provider, SaleAttribution{}, "prt_acme"},
		{"garbage", "x' OR 1=1", provider, SaleAttribution{}, "prt_acme"},
		{"the associated partner is a cloud reseller", "prt_nimbus", reseller, SaleAttribution{}, "not a solution provider"},
		{"no associated partner", "prt_acme", AssociatedPartner{}, SaleAttribution{}, "not associated"},
		{"case matters", "PRT_ACME", provider, SaleAttribution{}, "prt_acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := AttributeMarketplaceSale(tt.resellerID, tt.partner)
			if tt.refused == "" {
				if len(errs) > 0 || got != tt.want {
					t.Errorf("got %+v %v, want %+v", got, errs, tt.want)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != "reseller_id" || !strings.Contains(errs[0].Message, tt.refused) {
				t.Errorf("refusal %v, want reseller_id mentioning %q", errs, tt.refused)
			}
			if got != (SaleAttribution{}) {
				t.Errorf("a refused sale is attributed: %+v", got)
			}
		})
	}
}
