package rules

import (
	"fmt"
	"strings"
	"time"
)

// PaymentScenario is a one-time payment in which a customer may ask its
// partner to pay (seed: new purchase, spec change, renewal, on-demand to
// yearly/monthly).
type PaymentScenario string

// The one-time payment scenarios.
const (
	NewPurchase      PaymentScenario = "new_purchase"
	SpecChange       PaymentScenario = "spec_change"
	Renewal          PaymentScenario = "renewal"
	OnDemandToPeriod PaymentScenario = "on_demand_to_period" // on-demand to yearly/monthly
)

// PaymentScenarios returns every scenario, in the order the API documents them.
func PaymentScenarios() []PaymentScenario {
	return []PaymentScenario{NewPurchase, SpecChange, Renewal, OnDemandToPeriod}
}

// Valid reports whether s is one of PaymentScenarios.
func (s PaymentScenario) Valid() bool {
	for _, v := range PaymentScenarios() {
		if s == v {
			return true
		}
	}
	return false
}

// PartnerPaymentRefusal says why a customer's partner may not pay its
// orders, or "" when it may. Seed: a solution provider may pay for both
// consultative and resale customers; a cloud reseller only for resale
// customers; no other partner type pays. partnerType and mode are empty
// for a customer without a partner.
func PartnerPaymentRefusal(partnerType PartnerType, mode AssociationMode) string {
	switch {
	case partnerType == "":
		return "the customer is not associated with a partner, so no partner can pay its orders"
	case partnerType == SolutionProvider:
		return ""
	case partnerType == CloudReseller && mode == Resale:
		return ""
	case partnerType == CloudReseller:
		return fmt.Sprintf("a cloud reseller pays only for resale customers; this customer is %s", mode)
	default:
		return fmt.Sprintf("%s cannot pay customers' orders: only solution providers and cloud resellers can", WithArticle(string(partnerType)))
	}
}

// Bounds of an order's payment window, from placing the order to the time
// it is cancelled unless paid.
const (
	MinPaymentWindow = time.Minute
	MaxPaymentWindow = 30 * 24 * time.Hour
)

// PartnerDecisionDeadline is when the partner must have approved or
// declined paying an order placed at placed with payment deadline
// orderDeadline: half-way through the window, so that a customer whose
// partner declines or stays silent keeps the other half to pay itself.
func PartnerDecisionDeadline(placed, orderDeadline time.Time) time.Time {
	return placed.Add(orderDeadline.Sub(placed) / 2)
}

// MaxOrderProductLength bounds an order's product description.
const MaxOrderProductLength = 200

// The payers a customer can choose for an order.
const (
	PayerCustomer = "customer"
	PayerPartner  = "partner"
)

// CloudOrderRequest is a customer's order of a one-time payment scenario.
type CloudOrderRequest struct {
	Scenario             PaymentScenario `json:"scenario"`
	Product              string          `json:"product"`
	Amount               *Money          `json:"amount"`
	PaymentWindowMinutes int             `json:"payment_window_minutes"`
	Payer                string          `json:"payer"` // customer (pays itself) or partner (asks its partner)
}

// Validate names every bad field at once (scenario, product, amount,
// amount.amount, amount.currency, payment_window_minutes, payer).
func (o CloudOrderRequest) Validate() FieldErrors {
	var errs FieldErrors
	if !o.Scenario.Valid() {
		errs.add("scenario", fmt.Sprintf("must be one of %v", PaymentScenarios()))
	}
	checkText(&errs, "product", strings.TrimSpace(o.Product), MaxOrderProductLength)
	validateAmount(&errs, o.Amount)
	if w := time.Duration(o.PaymentWindowMinutes) * time.Minute; w < MinPaymentWindow || w > MaxPaymentWindow {
		errs.add("payment_window_minutes", fmt.Sprintf("must be a whole number of minutes from %d to %d",
			int(MinPaymentWindow.Minutes()), int(MaxPaymentWindow.Minutes())))
	}
	if o.Payer != PayerCustomer && o.Payer != PayerPartner {
		errs.add("payer", `must be "customer" (the customer pays itself) or "partner" (the customer asks its partner to pay)`)
	}
	return errs
}
