// Package rules holds partnerops' pure business rules: validation of partner
// input, the business calendar and SLA arithmetic. It imports no Temporal, HTTP
// or database code and never reads the clock, so every result depends only on
// the arguments; callers pass the times they mean.
package rules

import "strings"

// FieldError names one bad input field (JSON path like "contact.email") and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Code, when set, is the reason code of the rule the field breaks.
	Code string `json:"code,omitempty"`
}

// FieldErrors is every bad field of one input at once; it is an error when non-empty.
// Validators return all problems together so a form can show them in one round trip.
type FieldErrors []FieldError

// Error joins the problems as "field: message; field: message".
func (e FieldErrors) Error() string {
	var b strings.Builder
	for i, fe := range e {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(fe.Field)
		b.WriteString(": ")
		b.WriteString(fe.Message)
	}
	return b.String()
}

// Err returns nil when e is empty, else e. Use it instead of returning e as an
// error directly, which would give a non-nil error wrapping an empty slice.
func (e FieldErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// add appends a problem with field.
func (e *FieldErrors) add(field, message string) {
	*e = append(*e, FieldError{Field: field, Message: message})
}

// addCode appends a problem with field and the reason code of the rule it breaks.
func (e *FieldErrors) addCode(field, code, message string) {
	*e = append(*e, FieldError{Field: field, Message: message, Code: code})
}
