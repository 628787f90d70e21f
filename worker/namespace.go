package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// EnsureNamespace registers namespace, keeping closed workflows for
// retention, unless it exists (its retention is then left as it is), and
// waits until the frontend serves it: a registered namespace reaches the
// server's namespace cache within seconds. It says whether it registered it.
func EnsureNamespace(ctx context.Context, c client.Client, namespace string, retention time.Duration) (created bool, err error) {
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case err == nil:
	case errors.As(err, &notFound):
		_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(retention),
			Description: "partnerops cases",
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) { // another process registered it meanwhile
			return false, fmt.Errorf("register namespace %s: %w", namespace, err)
		}
		created = err == nil
	default:
		return false, fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	for {
		_, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
			Namespace: namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: "partnerops-namespace-check"}, TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
		})
		if err == nil {
			return created, nil
		}
		if !errors.As(err, &notFound) {
			return created, fmt.Errorf("namespace %s: %w", namespace, err)
		}
		select {
		case <-ctx.Done():
			return created, fmt.Errorf("namespace %s registered, not yet served: %w", namespace, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}
