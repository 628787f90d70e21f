package e2e

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/server/temporaltest"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/telemetry"
	"partnerops/worker"
	"partnerops/workflows"
)

// TestCertificationStartIsOneTrace starts a certification over HTTP with
// traces recorded in memory: one trace holds the HTTP request's span, the
// workflow's start, the workflow run (recorded when the run ends, so ops
// approve the case), its activities and their SQL.
func TestCertificationStartIsOneTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a Temporal server and a worker")
	}
	spans := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	telemetry.Use(provider)
	t.Cleanup(func() {
		_ = provider.Shutdown(context.Background())
		otel.SetTracerProvider(noop.NewTracerProvider()) // the tests that follow record nothing
	})

	ctx := context.Background()
	st, dbURL := testdb.New(t)
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	tracing, err := telemetry.TemporalInterceptor()
	if err != nil {
		t.Fatal(err)
	}
	tc := ts.NewClientWithOptions(client.Options{Interceptors: []interceptor.ClientInterceptor{tracing}})
	if err := worker.EnsureSearchAttributes(ctx, tc, ts.GetDefaultNamespace()); err != nil {
		t.Fatal(err)
	}
	s := &system{t: t, store: st, dbURL: dbURL, temporal: tc, ticketSLA: "3wd", contract: newContractChecker(t)}
	s.baseURL = s.serveAPI(tc)
	s.seed(ctx)
	s.runWorker(ctx)

	c := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationInReview))
	// the workflow run's span ends with the run: let the case finish
	s.call("POST", "/v1/cases/"+c.ID+"/actions/approve", s.ops, nil).expect(t, 200)
	s.waitForCase(s.ops, c.ID, hasStatus(workflows.CertificationCertified))

	var root sdktrace.ReadOnlySpan
	for _, span := range spans.GetSpans().Snapshots() {
		if strings.HasSuffix(span.Name(), "/certifications") && !span.Parent().IsValid() {
			root = span
		}
	}
	if root == nil {
		t.Fatalf("no HTTP span for the start among %v", spanNames(spans))
	}
	found := map[string]bool{}
	for _, span := range spans.GetSpans().Snapshots() {
		if span.SpanContext().TraceID() != root.SpanContext().TraceID() {
			continue
		}
		name := span.Name()
		switch {
		case strings.HasPrefix(name, "StartWorkflow:"):
			found["workflow start"] = true
		case strings.HasPrefix(name, "RunWorkflow:"):
			found["workflow run"] = true
		case strings.HasPrefix(name, "RunActivity:") || strings.HasPrefix(name, "StartActivity:"):
			found["activity"] = true
		case strings.HasPrefix(name, "sql."):
			found["sql"] = true
		}
	}
	for _, want := range []string{"workflow start", "workflow run", "activity", "sql"} {
		if !found[want] {
			t.Errorf("the start's trace has no %s span; spans: %v", want, spanNames(spans))
		}
	}
}

func spanNames(spans *tracetest.InMemoryExporter) []string {
	var names []string
	for _, s := range spans.GetSpans().Snapshots() {
		names = append(names, s.Name())
	}
	return names
}
