package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
)

// AutoHeartbeatMax is the longest heartbeat timeout the worker heartbeats
// for the activity itself. A case's steps are short database writes with a
// heartbeat timeout of a few seconds (workflows' activity options): the
// worker heartbeats while one runs, so that Temporal notices a killed
// worker within that timeout and retries the step on another, instead of
// waiting out the step's whole start-to-close timeout. Activities with a
// longer heartbeat timeout (the renewal run, the sweeps) heartbeat their
// progress themselves; a heartbeat of the worker would erase it.
const AutoHeartbeatMax = 5 * time.Second

// Heartbeats is the worker interceptor that heartbeats those activities.
type Heartbeats struct {
	interceptor.WorkerInterceptorBase
}

func (*Heartbeats) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &heartbeating{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type heartbeating struct {
	interceptor.ActivityInboundInterceptorBase
}

func (h *heartbeating) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	timeout := activity.GetInfo(ctx).HeartbeatTimeout
	if timeout <= 0 || timeout > AutoHeartbeatMax {
		return h.Next.ExecuteActivity(ctx, in)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		// A third of the timeout: a heartbeat delayed by one tick still
		// arrives in time (the SDK sends at most one per 80% of it).
		tick := time.NewTicker(timeout / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return h.Next.ExecuteActivity(ctx, in)
}
