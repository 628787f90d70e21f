package e2e

import (
	"context"
	"errors"
	"sync"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
)

// crashingWorker makes a worker die right after its first run of one
// activity completed and before it can report that: what the activity
// wrote is committed, the workflow has not heard of it. done closes then;
// the test kills the worker and lets another take over.
type crashingWorker struct {
	interceptor.WorkerInterceptorBase
	activity string
	once     sync.Once
	done     chan struct{}
}

// crashAfter is a crashingWorker for the activity of that name.
func crashAfter(activity string) *crashingWorker {
	return &crashingWorker{activity: activity, done: make(chan struct{})}
}

func (c *crashingWorker) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &crashingActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, c: c}
}

type crashingActivity struct {
	interceptor.ActivityInboundInterceptorBase
	c *crashingWorker
}

func (i *crashingActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	out, err := i.Next.ExecuteActivity(ctx, in)
	if activity.GetInfo(ctx).ActivityType.Name != i.c.activity || err != nil {
		return out, err
	}
	i.c.once.Do(func() { close(i.c.done) })
	<-ctx.Done() // the worker is being killed
	return nil, errors.New("worker killed after " + i.c.activity)
}
