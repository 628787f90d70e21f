package api

import (
	"reflect"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
	"partnerops/store"
)

// How money and the money requests look in the document. The request
// bodies are the rules' own request types, embedded in a body type whose
// TransformSchema declares their limits from the rules' constants: the
// rules name every bad field, the schema says the same limits up front.

// currencyPattern is rules.CurrencyProblem's currency code.
const currencyPattern = "^[A-Z]{3}$"

// moneySchemaName and moneyInputSchemaName name money as answers show it
// (signed in a ledger entry) and as a request moves it (bounded).
const (
	moneySchemaName      = "Money"
	moneyInputSchemaName = "MoneyInput"
)

// registerMoneySchemas documents money in r before any operation uses it:
// Money, and an adjustment record as MoneyAdjustment (a customer's
// dissociation answers its reclaims as such).
func registerMoneySchemas(r huma.Registry) {
	moneySchema(r)
	r.RegisterTypeAlias(reflect.TypeFor[store.Adjustment](), reflect.TypeFor[MoneyAdjustment]())
}

// MoneyAdjustment is store.Adjustment as the document names it.
type MoneyAdjustment store.Adjustment

func (MoneyAdjustment) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	s.Description = "An account adjustment (调账) record"
	s.Properties["operation"] = enumSchema(rules.AdjustmentOperations(),
		"allocate: partner to customer; reclaim: customer to partner; reclaim_on_unbind: everything the customer holds back to the partner when it is dissociated")
	s.Properties["apply_scenes"].Description = "Empty only for reclaim_on_unbind"
	return s
}

// moneySchema documents rules.Money in r as Money and returns a reference to
// it. It states no pattern: where a request carries Money (a marketplace
// order) the rules check it with the request's other fields, so that every
// bad field is named at once; money to move is MoneyInput.
func moneySchema(r huma.Registry) *huma.Schema {
	ref := r.Schema(reflect.TypeFor[rules.Money](), true, "")
	m := r.Map()[moneySchemaName]
	m.Description = "Money in integer minor units (fen for CNY) with its currency. Balances are never negative; a ledger entry's amount is signed."
	m.Properties["amount"].Examples = []any{12000}
	m.Properties["currency"].Examples = []any{"CNY"}
	m.Properties["currency"].Description = "ISO 4217 code, 3 upper-case letters"
	m.PrecomputeMessages()
	return ref
}

// moneyInputSchema documents money to move (MoneyInput) and returns a
// reference to it: 1 to rules.MaxMoneyAmount minor units with a currency.
func moneyInputSchema(r huma.Registry) *huma.Schema {
	ref := &huma.Schema{Ref: "#/components/schemas/" + moneyInputSchemaName}
	if _, ok := r.Map()[moneyInputSchemaName]; ok {
		return ref
	}
	minAmount, maxAmount := 1.0, float64(rules.MaxMoneyAmount)
	in := &huma.Schema{
		Type: huma.TypeObject, AdditionalProperties: false, Required: []string{"amount", "currency"},
		Description: "Money to move: integer minor units greater than 0, with its currency.",
		Properties: map[string]*huma.Schema{
			"amount": {Type: huma.TypeInteger, Format: "int64", Minimum: &minAmount, Maximum: &maxAmount, Examples: []any{12000}},
			"currency": {Type: huma.TypeString, Pattern: currencyPattern, Examples: []any{"CNY"},
				Description: "ISO 4217 code, 3 upper-case letters"},
		},
	}
	in.PrecomputeMessages()
	r.Map()[moneyInputSchemaName] = in
	return ref
}

// textSchema is a string of minLength to maxLength characters.
func textSchema(minLength, maxLength int, doc string) *huma.Schema {
	s := &huma.Schema{Type: huma.TypeString, MaxLength: &maxLength, Description: doc}
	if minLength > 0 {
		s.MinLength = &minLength
	}
	return s
}

// enumSchema is a string that is one of values.
func enumSchema[T ~string](values []T, doc string) *huma.Schema {
	enum := make([]any, len(values))
	for i, v := range values {
		enum[i] = string(v)
	}
	return &huma.Schema{Type: huma.TypeString, Enum: enum, Description: doc}
}

// movementFields declares the fields every money movement request shares.
func movementFields(r huma.Registry, s *huma.Schema, transactionDoc string) {
	s.Properties["amount"] = moneyInputSchema(r)
	s.Properties["transaction_id"] = textSchema(1, rules.MaxTransactionIDLength, transactionDoc)
	s.Properties["memo"] = textSchema(0, rules.MaxMemoLength, "A note for the record")
	s.Required = slices.DeleteFunc(s.Required, func(name string) bool { return name == "memo" })
}

// depositBody is the body of a deposit.
type depositBody struct{ rules.DepositRequest }

func (depositBody) TransformSchema(r huma.Registry, s *huma.Schema) *huma.Schema {
	movementFields(r, s, "The payment's reference (no spaces); unique among the partner's deposits and adjustments")
	return s
}

// adjustmentBody is the body of an account adjustment.
type adjustmentBody struct{ rules.AdjustmentRequest }

func (adjustmentBody) TransformSchema(r huma.Registry, s *huma.Schema) *huma.Schema {
	movementFields(r, s, "The partner's reference (no spaces); unique among its deposits and adjustments")
	s.Properties["customer_id"] = textSchema(1, rules.MaxCustomerIDLength, "A resale customer of the partner")
	s.Properties["operation"] = enumSchema(slices.DeleteFunc(rules.AdjustmentOperations(), func(o rules.AdjustmentOperation) bool { return !o.Requestable() }),
		"allocate: from the partner's account to the customer's; reclaim: back")
	minScenes, maxScenes := 1, rules.MaxApplyScenes
	s.Properties["apply_scenes"] = &huma.Schema{
		Type: huma.TypeArray, MinItems: &minScenes, MaxItems: &maxScenes,
		Items:       textSchema(1, rules.MaxApplySceneLength, ""),
		Description: "The usage scenarios (products) the funds may be spent on, each once, e.g. ecs, obs",
		Examples:    []any{[]string{"ecs", "obs"}},
	}
	return s
}

// cloudOrderBody is the body of a cloud order.
type cloudOrderBody struct{ rules.CloudOrderRequest }

func (cloudOrderBody) TransformSchema(r huma.Registry, s *huma.Schema) *huma.Schema {
	s.Properties["scenario"] = enumSchema(rules.PaymentScenarios(), "The one-time payment scenario")
	s.Properties["product"] = textSchema(1, rules.MaxOrderProductLength, "What is ordered")
	s.Properties["amount"] = moneyInputSchema(r)
	minWindow, maxWindow := rules.MinPaymentWindow.Minutes(), rules.MaxPaymentWindow.Minutes()
	s.Properties["payment_window_minutes"] = &huma.Schema{Type: huma.TypeInteger, Minimum: &minWindow, Maximum: &maxWindow,
		Description: "From placing the order to its payment deadline. A partner asked to pay decides within the first half; the customer keeps the second half to pay itself."}
	s.Properties["payer"] = enumSchema([]string{rules.PayerCustomer, rules.PayerPartner},
		"customer: the customer pays itself; partner: the customer asks its partner to pay (partner payment)")
	return s
}

// orderStatus is a cloud order's status in a query: one of store.CloudOrderStatuses().
type orderStatus string

func (orderStatus) Schema(huma.Registry) *huma.Schema {
	return enumSchema(store.CloudOrderStatuses(), "")
}
