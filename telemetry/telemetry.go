// Package telemetry traces a request from its HTTP span through the
// workflow it starts, each activity, down to the SQL, with OpenTelemetry.
// Every instrumented piece (the API's middleware, the Temporal client's
// interceptor, the store's database/sql driver) takes its tracer from the
// global provider, which Start sets when an OTLP endpoint is configured;
// otherwise the provider stays OpenTelemetry's no-op and nothing is
// recorded or sent.
package telemetry

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Start exports traces by OTLP (gRPC) to endpoint, a URL such as
// http://collector:4317, as the service named service; with no endpoint it
// does nothing. The returned stop flushes what is buffered.
func Start(ctx context.Context, endpoint, service string) (stop func(context.Context) error, err error) {
	if endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	exporter, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(endpoint))
	if err != nil {
		return nil, err
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", service))))
	Use(provider)
	return provider.Shutdown, nil
}

// Use makes provider the one every instrumented piece records to, and
// W3C trace context the way a trace crosses processes.
func Use(provider *sdktrace.TracerProvider) {
	otel.SetTracerProvider(provider)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
}

// TemporalInterceptor traces workflow starts, updates and queries on the
// client side, and workflows and activities on the worker side, carrying
// the trace in Temporal's headers.
func TemporalInterceptor() (interceptor.Interceptor, error) {
	return opentelemetry.NewTracingInterceptor(opentelemetry.TracerOptions{})
}
