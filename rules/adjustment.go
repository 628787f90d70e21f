package rules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AdjustmentOperation is what an account adjustment (调账) does, with the
// operation types of the vendor's public partner API.
type AdjustmentOperation string

const (
	// Allocate moves funds from the partner's account to a resale customer's.
	Allocate AdjustmentOperation = "allocate"
	// Reclaim moves funds from a resale customer's account back to its partner's.
	Reclaim AdjustmentOperation = "reclaim"
	// ReclaimOnUnbind is the reclaim of everything a customer holds when it
	// is dissociated from its partner. Only the dissociation does it; a
	// partner cannot ask for it.
	ReclaimOnUnbind AdjustmentOperation = "reclaim_on_unbind"
)

// AdjustmentOperations returns every operation, in the order the API documents them.
func AdjustmentOperations() []AdjustmentOperation {
	return []AdjustmentOperation{Allocate, Reclaim, ReclaimOnUnbind}
}

// Valid reports whether o is one of AdjustmentOperations.
func (o AdjustmentOperation) Valid() bool {
	return o == Allocate || o == Reclaim || o == ReclaimOnUnbind
}

// Requestable reports whether a partner may ask for o (allocate or reclaim).
func (o AdjustmentOperation) Requestable() bool { return o == Allocate || o == Reclaim }

// ToCustomer reports whether o moves money from the partner to the customer
// (allocate); the others move it from the customer back to the partner.
func (o AdjustmentOperation) ToCustomer() bool { return o == Allocate }

// Limits of an adjustment's usage scenarios (apply_scene).
const (
	MaxApplyScenes      = 20
	MaxApplySceneLength = 64
	MaxCustomerIDLength = 100
)

// AdjustmentRequest is a partner's request to adjust a customer's account.
type AdjustmentRequest struct {
	CustomerID    string              `json:"customer_id"`
	Operation     AdjustmentOperation `json:"operation"`
	Amount        *Money              `json:"amount"` // nil: missing
	ApplyScenes   []string            `json:"apply_scenes"`
	TransactionID string              `json:"transaction_id"`
	Memo          string              `json:"memo"`
}

// Normalized trims the surrounding spaces of every string (each usage
// scenario too). It shares no memory with r.
func (r AdjustmentRequest) Normalized() AdjustmentRequest {
	n := AdjustmentRequest{
		CustomerID:    strings.TrimSpace(r.CustomerID),
		Operation:     AdjustmentOperation(strings.TrimSpace(string(r.Operation))),
		TransactionID: strings.TrimSpace(r.TransactionID),
		Memo:          strings.TrimSpace(r.Memo),
	}
	if r.Amount != nil {
		m := *r.Amount
		n.Amount = &m
	}
	if r.ApplyScenes != nil {
		n.ApplyScenes = make([]string, len(r.ApplyScenes))
		for i, s := range r.ApplyScenes {
			n.ApplyScenes[i] = strings.TrimSpace(s)
		}
	}
	return n
}

// Validate names every bad field at once, in this order: customer_id,
// operation, amount (amount.amount, amount.currency), apply_scenes (and
// apply_scenes[i] for each bad scenario), transaction_id, memo. It judges
// r.Normalized(), so raw input may be passed; store the normalized form.
func (r AdjustmentRequest) Validate() FieldErrors {
	r = r.Normalized()
	var errs FieldErrors
	switch {
	case r.CustomerID == "":
		errs.add("customer_id", "is required")
	case utf8.RuneCountInString(r.CustomerID) > MaxCustomerIDLength:
		errs.add("customer_id", fmt.Sprintf("must be at most %d characters", MaxCustomerIDLength))
	}
	switch {
	case r.Operation == "":
		errs.add("operation", "is required: allocate or reclaim")
	case r.Operation == ReclaimOnUnbind:
		errs.add("operation", "must be allocate or reclaim; reclaim_on_unbind happens only when a customer is dissociated")
	case !r.Operation.Requestable():
		errs.add("operation", fmt.Sprintf("must be allocate or reclaim, not %q", r.Operation))
	}
	validateAmount(&errs, r.Amount)
	errs = append(errs, ApplyScenesProblems(r.ApplyScenes)...)
	if p := TransactionIDProblem(r.TransactionID); p != "" {
		errs.add("transaction_id", p)
	}
	if p := MemoProblem(r.Memo); p != "" {
		errs.add("memo", p)
	}
	return errs
}

// ApplyScenesProblems names the problems of an adjustment's usage scenarios
// (the products the funds may be spent on, e.g. "ecs", "obs"): 1 to 20
// distinct non-empty strings of at most 64 characters without control
// characters. The list as a whole is "apply_scenes", one scenario
// "apply_scenes[i]" (from 0). Scenarios are compared as given: pass them
// trimmed.
func ApplyScenesProblems(scenes []string) FieldErrors {
	var errs FieldErrors
	switch {
	case len(scenes) == 0:
		errs.add("apply_scenes", fmt.Sprintf("is required: 1 to %d usage scenarios such as \"ecs\"", MaxApplyScenes))
		return errs
	case len(scenes) > MaxApplyScenes:
		errs.add("apply_scenes", fmt.Sprintf("must hold at most %d usage scenarios; got %d", MaxApplyScenes, len(scenes)))
	}
	seen := make(map[string]int, len(scenes))
	for i, s := range scenes {
		field := fmt.Sprintf("apply_scenes[%d]", i)
		first, dup := seen[s]
		switch {
		case s == "":
			errs.add(field, "must not be empty")
		case utf8.RuneCountInString(s) > MaxApplySceneLength:
			errs.add(field, fmt.Sprintf("must be at most %d characters", MaxApplySceneLength))
		case !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
			errs.add(field, "may not contain control characters")
		case dup:
			errs.add(field, fmt.Sprintf("repeats apply_scenes[%d] (%q); each usage scenario may appear once", first, s))
		}
		if !dup {
			seen[s] = i
		}
	}
	return errs
}

// AdjustmentCustomerProblem returns "" when a customer associated in
// associationMode ("consultative", "resale", "" for none) may receive
// account adjustments from its partner, else why not. Only resale (代售类)
// sub-customers can: a consultative customer buys and pays itself.
func AdjustmentCustomerProblem(associationMode string) string {
	switch associationMode {
	case "resale":
		return ""
	case "":
		return "only resale sub-customers can receive account adjustments; this customer is associated with no partner"
	default:
		return fmt.Sprintf("only resale sub-customers can receive account adjustments; this customer is %s", associationMode)
	}
}
