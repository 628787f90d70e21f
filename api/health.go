package api

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

type healthOutput struct {
	Body struct {
		Status string `json:"status" example:"ok"`
	}
}

// readiness says whether the API can serve, and what does not answer.
type readiness struct {
	Ready  bool `json:"ready"`
	Checks struct {
		PostgreSQL string `json:"postgresql" doc:"ok, or why PostgreSQL does not answer"`
		Temporal   string `json:"temporal" doc:"ok, or why Temporal does not answer"`
	} `json:"checks"`
}

type readinessOutput struct {
	Status int
	Body   readiness
}

func (s *Server) healthRoutes() {
	register(s, huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Tags: []string{"operations"},
		Summary: "Liveness", Description: "The process is alive.",
	}, public, s.healthz)
	register(s, huma.Operation{
		OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Tags: []string{"operations"},
		Summary: "Readiness", Description: "Whether the API can serve: PostgreSQL and Temporal answer (200), or not (503).",
		Responses: map[string]*huma.Response{"503": {Description: "Not ready; checks says what does not answer",
			Content: map[string]*huma.MediaType{"application/json": {Schema: s.huma.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[readiness](), true, "")}}}},
	}, public, s.readyz)
}

// healthz says the process is alive.
func (s *Server) healthz(context.Context, *struct{}) (*healthOutput, error) {
	out := &healthOutput{}
	out.Body.Status = "ok"
	return out, nil
}

// readyz says whether the API can serve: PostgreSQL and Temporal answer.
func (s *Server) readyz(ctx context.Context, _ *struct{}) (*readinessOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	out := &readinessOutput{Status: http.StatusOK}
	out.Body.Ready, out.Body.Checks.PostgreSQL, out.Body.Checks.Temporal = true, "ok", "ok"
	if err := s.store.Ping(ctx); err != nil {
		out.Body.Checks.PostgreSQL, out.Body.Ready = err.Error(), false
	}
	if _, err := s.temporal.CheckHealth(ctx, nil); err != nil {
		out.Body.Checks.Temporal, out.Body.Ready = err.Error(), false
	}
	if !out.Body.Ready {
		out.Status = http.StatusServiceUnavailable
	}
	return out, nil
}
