package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/api/serviceerror"

	"partnerops/rules"
	"partnerops/store"
)

// Problem is an RFC 9457 problem detail, the body of every error answer.
type Problem struct {
	Type   string             `json:"type"`
	Title  string             `json:"title"`
	Status int                `json:"status"`
	Detail string             `json:"detail,omitempty"`
	Errors []rules.FieldError `json:"errors,omitempty"`
	// CaseID names the case the problem is about when it exists (a case
	// opened whose workflow could not start yet, the open case that
	// refuses a second one).
	CaseID string `json:"case_id,omitempty"`
	// retryAfter, in seconds, is sent as Retry-After when set.
	retryAfter int
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

const problemTypePrefix = "urn:partnerops:problem:"

func problem(status int, slug, detail string) *Problem {
	return &Problem{Type: problemTypePrefix + slug, Title: http.StatusText(status), Status: status, Detail: detail}
}

func badRequest(detail string) *Problem { return problem(http.StatusBadRequest, "bad-request", detail) }

func notFound(what string) *Problem {
	return problem(http.StatusNotFound, "not-found", what+" not found")
}

func forbidden(detail string) *Problem { return problem(http.StatusForbidden, "forbidden", detail) }

func conflict(slug, detail string) *Problem { return problem(http.StatusConflict, slug, detail) }

// invalid names every bad field of the input at once.
func invalid(fields rules.FieldErrors) *Problem {
	p := problem(http.StatusUnprocessableEntity, "validation", "the request has invalid fields; see errors")
	p.Errors = fields
	return p
}

// errorHandler answers every error as problem+json: problems as they are,
// Fiber's own errors (404 route, 413 body, 405) with their status, and
// anything else as a 500 that is logged and not described.
func errorHandler(logger *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var p *Problem
		var fe *fiber.Error
		switch {
		case errors.As(err, &p):
		case errors.Is(err, store.ErrIdempotencyConflict):
			p = conflict("idempotency-key-reused", "this Idempotency-Key was already used with another request")
		case errors.Is(err, store.ErrAssociationChanged):
			p = conflict("association-changed", "the customer's association with its partner changed meanwhile; try again")
		case isUnavailable(err):
			c.Set(fiber.HeaderRetryAfter, "1")
			p = problem(http.StatusServiceUnavailable, "unavailable", "the workflow service is not answering; retry shortly")
		case errors.As(err, &fe):
			p = problem(fe.Code, "http", fe.Message)
			if fe.Code == http.StatusRequestEntityTooLarge {
				p = problem(fe.Code, "body-too-large", "the request body is over 1 MiB")
			}
		default:
			logger.ErrorContext(c.UserContext(), "request failed", "error", err, "request_id", requestID(c))
			p = problem(http.StatusInternalServerError, "internal", "an internal error occurred; it has been logged")
		}
		if p.retryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(p.retryAfter))
		}
		return c.Status(p.Status).JSON(p, "application/problem+json")
	}
}

// isUnavailable reports whether Temporal could not answer for now (starting
// up, overloaded, or timed out), which a retry may mend.
func isUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded)
}
