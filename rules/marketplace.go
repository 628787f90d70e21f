package rules

import (
	"fmt"
	"strings"
)

// MaxMarketplaceProductLength bounds a marketplace order's product.
const MaxMarketplaceProductLength = 200

// MarketplaceOrder is a customer's purchase in the vendor's marketplace
// (严选商城), naming the reseller it buys through, if any.
type MarketplaceOrder struct {
	Product    string `json:"product"`
	Amount     *Money `json:"amount"`
	ResellerID string `json:"reseller_id,omitempty"` // "" (or absent): vendor direct sales
}

// Normalized trims the surrounding spaces of every string. The amount is
// copied, so the result shares no memory with o.
func (o MarketplaceOrder) Normalized() MarketplaceOrder {
	n := MarketplaceOrder{Product: strings.TrimSpace(o.Product), ResellerID: strings.TrimSpace(o.ResellerID)}
	if o.Amount != nil {
		n.Amount = &Money{Amount: o.Amount.Amount, Currency: strings.TrimSpace(o.Amount.Currency)}
	}
	return n
}

// Validate names every bad field of the order itself at once (product,
// amount, amount.amount, amount.currency). Whether reseller_id is right
// depends on the customer's association: see AttributeMarketplaceSale. It
// judges o.Normalized().
func (o MarketplaceOrder) Validate() FieldErrors {
	o = o.Normalized()
	var errs FieldErrors
	checkText(&errs, "product", o.Product, MaxMarketplaceProductLength)
	validateAmount(&errs, o.Amount)
	return errs
}

// SalesChannel says who sold an order.
type SalesChannel string

// The sales channels of a marketplace order.
const (
	SalesChannelPartner      SalesChannel = "partner"       // through the customer's solution provider
	SalesChannelVendorDirect SalesChannel = "vendor_direct" // the vendor sold it directly
)

// MarginTo says who keeps an order's margin.
type MarginTo string

// Who keeps the margin of a marketplace order.
const (
	MarginToPartner MarginTo = "partner"
	MarginToVendor  MarginTo = "vendor"
)

// AssociatedPartner is the partner a customer is associated with, as the
// marketplace rule sees it; the zero value means none.
type AssociatedPartner struct {
	ID   string
	Name string
	Type PartnerType
}

// SaleAttribution is who sold a marketplace order and keeps its margin.
type SaleAttribution struct {
	ResellerID   string // "" for vendor direct sales
	SalesChannel SalesChannel
	MarginTo     MarginTo
}

// AttributeMarketplaceSale decides who sold a marketplace order whose buyer
// named resellerID (surrounding spaces ignored) and is associated with
// partner (zero: none). The reseller ID must be the account of the
// solution provider the customer is associated with: the sale is then the
// partner's, and so is the margin. An empty reseller ID makes the order
// vendor direct sales, and the vendor keeps the margin. Any other ID (another
// partner, the customer's partner when it is not a solution provider,
// anything else) is refused, naming reseller_id.
func AttributeMarketplaceSale(resellerID string, partner AssociatedPartner) (SaleAttribution, FieldErrors) {
	resellerID = strings.TrimSpace(resellerID)
	var errs FieldErrors
	switch {
	case resellerID == "":
		return SaleAttribution{SalesChannel: SalesChannelVendorDirect, MarginTo: MarginToVendor}, nil
	case partner.ID == "":
		errs.add("reseller_id", "must be empty (vendor direct sales): your account is not associated with a solution provider")
	case partner.Type != SolutionProvider:
		errs.add("reseller_id", fmt.Sprintf(
			"must be empty (vendor direct sales): the reseller must be the solution provider your account is associated with, "+
				"and your partner %q is a %s, not a solution provider", partner.Name, partner.Type))
	case resellerID != partner.ID:
		errs.add("reseller_id", fmt.Sprintf(
			"must be the ID of the solution provider your account is associated with, %q (%s), or empty for vendor direct sales",
			partner.ID, partner.Name))
	default:
		return SaleAttribution{ResellerID: partner.ID, SalesChannel: SalesChannelPartner, MarginTo: MarginToPartner}, nil
	}
	return SaleAttribution{}, errs
}

// The years annual performance can be asked for (the API declares them
// on its year parameter).
const (
	MinPerformanceYear = 2000
	MaxPerformanceYear = 2100
)
