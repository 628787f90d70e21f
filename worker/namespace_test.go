package worker_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/temporaltest"

	"partnerops/worker"
)

// EnsureNamespace registers a namespace the server lacks, with the
// retention asked, and leaves one that exists as it is.
func TestEnsureNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	created, err := worker.EnsureNamespace(ctx, c, "partnerops-fresh", 48*time.Hour)
	if err != nil || !created {
		t.Fatalf("a namespace the server lacks: created %v, %v", created, err)
	}
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "partnerops-fresh"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 48*time.Hour {
		t.Errorf("retention %s, want 48h", got)
	}
	if created, err := worker.EnsureNamespace(ctx, c, "partnerops-fresh", time.Hour); err != nil || created {
		t.Errorf("a namespace that exists: created %v, %v", created, err)
	}
}
