package activities_test

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/lib/pq"
	"go.temporal.io/sdk/temporal"

	"partnerops/activities"
	"partnerops/rules"
	"partnerops/store"
)

// Permanent makes what no retry heals non-retryable, and leaves the rest
// (PostgreSQL away, an unknown error) to retry.
func TestPermanentMapsWhatCannotHeal(t *testing.T) {
	for _, c := range []struct {
		err       error
		permanent string // the application error's type; "" for retryable
	}{
		{&pq.Error{Code: "22021"}, activities.DataRefused},
		{fmt.Errorf("apply: %w", &pq.Error{Code: "23514"}), activities.DataRefused},
		{rules.FieldErrors{{Field: "name", Message: "is required"}}, activities.InputInvalid},
		{fmt.Errorf("case: %w", store.ErrNotFound), activities.NotFound},
		{&pq.Error{Code: "57P01"}, ""},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, ""},
		{errors.New("something else"), ""},
	} {
		err := activities.Permanent(c.err)
		var appErr *temporal.ApplicationError
		got := ""
		if errors.As(err, &appErr) && appErr.NonRetryable() {
			got = appErr.Type()
		}
		if got != c.permanent {
			t.Errorf("%v: %q, want %q", c.err, got, c.permanent)
		}
	}
}
