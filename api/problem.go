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
	Type   string             `json:"type" doc:"A URN naming the kind of problem" example:"urn:partnerops:problem:validation"`
	Title  string             `json:"title" doc:"The HTTP status text" example:"Unprocessable Entity"`
	Status int                `json:"status" doc:"The HTTP status code" example:"422"`
	Detail string             `json:"detail,omitempty" doc:"What went wrong, for a person to read"`
	Errors []rules.FieldError `json:"errors,omitempty" doc:"Every bad field of the request at once"`
	// CaseID names the case the problem is about when it exists (a case
	// opened whose workflow could not start yet, the open case that
	// refuses a second one).
	CaseID string `json:"case_id,omitempty" doc:"The case the problem is about, when there is one"`

	// retryAfter, in seconds, is sent as the Retry-After header when set.
	retryAfter int
	// location is sent as the Location header when set: the case a 503
	// start answer names.
	location string
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// GetStatus makes a Problem the error Huma answers with.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes Huma answer a Problem as application/problem+json.
func (p *Problem) ContentType(string) string { return "application/problem+json" }

// GetHeaders makes Huma send the Retry-After and Location a Problem has.
func (p *Problem) GetHeaders() http.Header {
	h := http.Header{}
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	if p.location != "" {
		h.Set("Location", p.location)
	}
	return h
}

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

// databaseRetryAfter is the Retry-After, in seconds, while PostgreSQL is away.
const databaseRetryAfter = 5

// problemOf is the problem an error answers with: problems as they are,
// the store's refusals as the one table says (refusals), Temporal's
// unavailability as a 503, and anything else a
// 500 that is logged and not described. Fiber routes and Huma operations
// both answer through it.
func problemOf(ctx context.Context, logger *slog.Logger, err error, requestID string) *Problem {
	var p *Problem
	var fe *fiber.Error
	switch {
	case errors.As(err, &p):
		return p
	case store.Unavailable(err):
		p = problem(http.StatusServiceUnavailable, "database-unavailable", "the database is not answering; retry shortly")
		p.retryAfter = databaseRetryAfter
		return p
	case isUnavailable(err):
		p = problem(http.StatusServiceUnavailable, "unavailable", "the workflow service is not answering; retry shortly")
		p.retryAfter = 1
		return p
	case errors.As(err, &fe):
		if fe.Code == http.StatusRequestEntityTooLarge {
			return problem(fe.Code, "body-too-large", "the request body is over 1 MiB")
		}
		return problem(fe.Code, "http", fe.Message)
	}
	if p, ok := refusalOf(err); ok {
		return p
	}
	logger.ErrorContext(ctx, "request failed", "error", err, "request_id", requestID)
	return problem(http.StatusInternalServerError, "internal", "an internal error occurred; it has been logged")
}

// errorHandler answers every error of a Fiber route as problem+json.
func errorHandler(logger *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := problemOf(c.UserContext(), logger, err, requestID(c))
		for name, values := range p.GetHeaders() {
			c.Set(name, values[0])
		}
		return c.Status(p.Status).JSON(p, "application/problem+json")
	}
}

// certificationRequired is the certification gate's refusal: what the
// partner may not do, and its certification case or how to start one.
func certificationRequired(e *store.CertificationRequiredError) *Problem {
	next := "its admin submits its business information for certification: POST /v1/partners/" + e.PartnerID + "/certifications"
	if e.CaseID != "" {
		next = "its certification case " + e.CaseID + " is " + e.Status + "; it becomes certified once ops certify that case or a new submission " +
			"(POST /v1/partners/" + e.PartnerID + "/certifications)"
	}
	p := conflict("certification-required", e.PartnerName+" (partner "+e.PartnerID+") is not certified, so it may not "+e.Refused+
		" until it is: "+next+". Nothing was written.")
	p.CaseID = e.CaseID
	return p
}

// isUnavailable reports whether Temporal could not answer for now (starting
// up, overloaded, or timed out), which a retry may mend.
func isUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded)
}
