package rules

import (
	"errors"
	"testing"
)

func TestFieldErrorsError(t *testing.T) {
	tests := []struct {
		name string
		errs FieldErrors
		want string
	}{
		{"empty", nil, ""},
		{"one", FieldErrors{{Field: "company_name", Message: "is required"}}, "company_name: is required"},
		{"two", FieldErrors{{Field: "company_name", Message: "is required"}, {Field: "contact.email", Message: "is bad"}},
			"company_name: is required; contact.email: is bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.errs.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFieldErrorsErr(t *testing.T) {
	if err := FieldErrors(nil).Err(); err != nil {
		t.Errorf("nil FieldErrors: Err() = %v, want nil", err)
	}
	if err := (FieldErrors{}).Err(); err != nil {
		t.Errorf("empty FieldErrors: Err() = %v, want nil", err)
	}
	fe := FieldErrors{{Field: "address", Message: "is required"}}
	err := fe.Err()
	if err == nil {
		t.Fatal("non-empty FieldErrors: Err() = nil")
	}
	var got FieldErrors
	if !errors.As(err, &got) || len(got) != 1 || got[0].Field != "address" {
		t.Errorf("errors.As gave %v", got)
	}
}
