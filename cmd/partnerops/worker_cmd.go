package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"partnerops/config"
	"partnerops/worker"
)

type workerCmd struct {
	config.Database   `embed:""`
	config.Temporal   `embed:""`
	config.Policy     `embed:""`
	config.WorkerHTTP `embed:""`
	config.Log        `embed:""`
	config.Webhooks   `embed:""`
	config.History    `embed:""`
}

func (c *workerCmd) Run() error {
	ctx, stop := signalContext()
	defer stop()
	// The probe's port is bound before anything connects: taken, it is one line.
	var ln net.Listener
	if c.WorkerHTTP.Addr != "" {
		var err error
		if ln, err = net.Listen("tcp", c.WorkerHTTP.Addr); err != nil {
			return fmt.Errorf("cannot listen on %s (set PARTNEROPS_WORKER_ADDR or --worker-addr to another address, or to empty for none): %w", c.WorkerHTTP.Addr, err)
		}
		defer ln.Close()
	}
	sv, err := connect(ctx, c.Database, c.Temporal, c.History, c.Policy, c.Log)
	if err != nil {
		return err
	}
	defer sv.close()
	deps := workerDeps(sv.store, sv.location, c.Policy, c.Webhooks)
	if ln != nil {
		deps.Probe = worker.NewProbe(sv.store, sv.temporal, sv.metrics)
		stopProbe := serveProbe(ln, deps.Probe.Handler(), sv.logger)
		defer stopProbe()
		sv.logger.Info("partnerops worker serving /healthz, /readyz and /metrics", "addr", ln.Addr().String())
	}
	sv.logger.Info("partnerops worker polling", "task_queue", c.TaskQueue, "namespace", c.Namespace)
	return runWorker(ctx, sv.temporal, c.Temporal, deps, sv.logger)
}

// serveProbe serves the worker's probes and metrics on ln until the
// returned stop, which the worker calls once it stopped polling.
func serveProbe(ln net.Listener, h http.Handler, logger *slog.Logger) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("the worker's probe server stopped", "error", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
}
