package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"partnerops/config"
	"partnerops/worker"
)

type temporalCmd struct {
	EnsureNamespace temporalEnsureNamespaceCmd `cmd:"" name:"ensure-namespace" help:"Register the Temporal namespace (TEMPORAL_NAMESPACE) unless it exists, and wait until the server serves it; without auto-setup, run it once after the schemas are set up (docs/operations.md)."`
}

type temporalEnsureNamespaceCmd struct {
	config.Temporal `embed:""`
	config.Log      `embed:""`
	Retention       time.Duration `name:"retention" default:"720h" help:"How long the server keeps a closed case's workflow history (720h: 30 days); applies only when it registers the namespace."`
	Wait            time.Duration `name:"wait" default:"1m" help:"How long to wait for the server to answer and serve the namespace."`
}

func (c *temporalEnsureNamespaceCmd) Run() error {
	ctx, stop := signalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.Wait)
	defer cancel()
	// A server just started takes a few seconds to answer: dial again
	// until it does, within the wait. A one-off command: its SDK metrics go
	// to a registry nobody serves.
	logger := newLogger(c.Log)
	var tc client.Client
	for {
		var err error
		if tc, err = dialTemporal(ctx, c.Temporal, nil, logger, prometheus.NewRegistry()); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
	defer tc.Close()
	created, err := worker.EnsureNamespace(ctx, tc, c.Namespace, c.Retention)
	if err != nil {
		return err
	}
	if created {
		fmt.Printf("namespace %s registered (retention %s)\n", c.Namespace, c.Retention)
	} else {
		fmt.Printf("namespace %s exists\n", c.Namespace)
	}
	return nil
}
