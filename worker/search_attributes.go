package worker

import (
	"context"
	"fmt"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"partnerops/workflows"
)

// EnsureSearchAttributes registers the case search attributes the namespace
// lacks. Servers that refuse it (Temporal Cloud registers them through its
// own console) answer an error saying which are missing.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := workflows.SearchAttributes()
	for name := range have.GetCustomAttributes() {
		delete(missing, name)
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("register search attributes %v: %w", missing, err)
	}
	return nil
}
