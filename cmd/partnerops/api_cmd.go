package main

import (
	"partnerops/api"
	"partnerops/config"
)

type apiCmd struct {
	config.Database `embed:""`
	config.Temporal `embed:""`
	config.Policy   `embed:""`
	config.HTTP     `embed:""`
	config.Log      `embed:""`
}

func (c *apiCmd) Run() error {
	ctx, stop := signalContext()
	defer stop()
	sv, err := connect(ctx, c.Database, c.Temporal, c.Policy, c.Log)
	if err != nil {
		return err
	}
	defer sv.close()
	sv.logger.Info("partnerops API listening", "addr", c.HTTP.Addr)
	return serveAPI(ctx, c.HTTP, api.Deps{
		Store: sv.store, Temporal: sv.temporal, TaskQueue: c.TaskQueue, TicketSLA: c.TicketSLA, CertificationExpiry: c.CertificationExpiry,
		Location: sv.location, Logger: sv.logger, Metrics: sv.metrics,
	})
}
