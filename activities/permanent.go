package activities

import (
	"context"
	"errors"

	"github.com/lib/pq"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"partnerops/rules"
	"partnerops/store"
)

// Types of the non-retryable errors Permanent makes.
const (
	// DataRefused: PostgreSQL refused the data itself (a NUL byte, a value
	// a CHECK constraint forbids, a broken reference).
	DataRefused = "DataRefused"
	// InputInvalid: a rule refused the activity's input.
	InputInvalid = "InputInvalid"
	// NotFound: what the activity acts on does not exist.
	NotFound = "NotFound"
)

// Permanent is the one mapping of the errors no retry can heal to
// non-retryable application errors: the store's refusals of the data
// (SQLSTATE class 22, data exception; 23, integrity constraint
// violation), the rules' field errors and a missing row. Anything else —
// PostgreSQL away, a timeout — is returned as it is, and the activity
// retries with backoff. An application error is already decided.
func Permanent(err error) error {
	var appErr *temporal.ApplicationError
	var fields rules.FieldErrors
	switch {
	case err == nil || errors.As(err, &appErr) || store.Unavailable(err):
		return err
	case dataRefused(err):
		return temporal.NewNonRetryableApplicationError(err.Error(), DataRefused, err)
	case errors.As(err, &fields):
		return temporal.NewNonRetryableApplicationError(err.Error(), InputInvalid, nil, fields)
	case errors.Is(err, store.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), NotFound, nil)
	}
	return err
}

// dataRefused says whether PostgreSQL refused the data itself: SQLSTATE
// class 22 (data exception) or 23 (integrity constraint violation).
func dataRefused(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code.Class() == "22" || pqErr.Code.Class() == "23")
}

// Interceptor applies Permanent to every activity the worker runs, local
// or not, so that no activity — including one added later — retries for
// ever on an error that cannot heal.
type Interceptor struct {
	interceptor.WorkerInterceptorBase
}

func (*Interceptor) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &permanentErrors{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type permanentErrors struct {
	interceptor.ActivityInboundInterceptorBase
}

func (p *permanentErrors) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	out, err := p.Next.ExecuteActivity(ctx, in)
	return out, Permanent(err)
}
