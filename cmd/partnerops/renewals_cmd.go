package main

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"partnerops/config"
	"partnerops/worker"
)

type renewalsCmd struct {
	RunNow renewalsRunNowCmd `cmd:"" name:"run-now" help:"Start the renewal run now through its daily schedule (skipped while a run is going); it shows as a renewal_run case."`
}

type renewalsRunNowCmd struct {
	config.Temporal `embed:""`
	config.Log      `embed:""`
}

func (c *renewalsRunNowCmd) Run() error {
	ctx, stop := signalContext()
	defer stop()
	// a one-off command: its SDK metrics go to a registry nobody serves
	client, err := dialTemporal(ctx, c.Temporal, nil, newLogger(c.Log), prometheus.NewRegistry())
	if err != nil {
		return err
	}
	defer client.Close()
	if err := worker.TriggerRenewals(ctx, client); err != nil {
		return fmt.Errorf("trigger schedule %s: %w", worker.RenewalScheduleID, err)
	}
	fmt.Printf("renewal run triggered (schedule %s); follow it in GET /v1/cases?kind=renewal_run\n", worker.RenewalScheduleID)
	return nil
}
