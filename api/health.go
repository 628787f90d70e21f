package api

import (
	"context"
	"net/http"
	"reflect"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
)

type healthOutput struct {
	Body struct {
		Status string `json:"status" example:"ok"`
	}
}

type readinessOutput struct {
	Status      int
	ContentType string `header:"Content-Type"`
	RetryAfter  string `header:"Retry-After"`
	Body        Readiness
}

func (s *Server) healthRoutes() {
	register(s, huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Tags: []string{"operations"},
		Summary: "Liveness", Description: "The process is alive.",
	}, public, s.healthz)
	// Load balancers probe with GET or HEAD: both answer the same status.
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		id := "readyz"
		if method == http.MethodHead {
			id = "readyzHead"
		}
		register(s, huma.Operation{
			OperationID: id, Method: method, Path: "/readyz", Tags: []string{"operations"},
			Summary: "Readiness", Description: "Whether this process can serve: PostgreSQL and Temporal answer (200), or not (503 problem+json with Retry-After, its detail naming what is down). Workers are reported (checks.workers) but do not make the API unready: without them it still serves reads.",
			Responses: map[string]*huma.Response{"503": {Description: "Not ready; checks says what does not answer",
				Content: map[string]*huma.MediaType{"application/problem+json": {Schema: s.huma.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[Readiness](), true, "")}}}},
		}, public, s.readyz)
	}
}

// healthz says the process is alive.
func (s *Server) healthz(context.Context, *struct{}) (*healthOutput, error) {
	out := &healthOutput{}
	out.Body.Status = "ok"
	return out, nil
}

// readyz answers the readiness of this process: 200 when its own
// dependencies answer, 503 when one does not; the body names each.
func (s *Server) readyz(ctx context.Context, _ *struct{}) (*readinessOutput, error) {
	out := &readinessOutput{Status: http.StatusOK, ContentType: "application/json", Body: s.readiness(ctx)}
	if !out.Body.Ready {
		out.Status, out.ContentType = http.StatusServiceUnavailable, "application/problem+json"
		out.RetryAfter = strconv.Itoa(readinessRetryAfter)
	}
	return out, nil
}
