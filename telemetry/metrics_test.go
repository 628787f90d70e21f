package telemetry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	"partnerops/telemetry"
)

// The Temporal SDK's metrics land in the registry the API serves.
func TestTemporalMetricsLandInTheRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	handler, err := telemetry.TemporalMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.NewClientWithOptions(client.Options{MetricsHandler: handler})
	if _, err := c.DescribeTaskQueue(context.Background(), "metrics", 1); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "temporal_") {
			return
		}
		names = append(names, f.GetName())
	}
	t.Errorf("no temporal_ metric among %v", names)
}
