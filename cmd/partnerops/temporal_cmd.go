package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

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
	// a one-off command: its SDK metrics go to a registry nobody serves
	client, err := dialTemporal(ctx, c.Temporal, newLogger(c.Log), prometheus.NewRegistry())
	if err != nil {
		return err
	}
	defer client.Close()
	created, err := worker.EnsureNamespace(ctx, client, c.Namespace, c.Retention)
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
