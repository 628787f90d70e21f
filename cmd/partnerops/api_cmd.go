package main

import (
	"partnerops/config"
)

type apiCmd struct {
	config.Database `embed:""`
	config.Temporal `embed:""`
	config.Policy   `embed:""`
	config.HTTP     `embed:""`
	config.Log      `embed:""`
	config.Webhooks `embed:""`
	config.History  `embed:""`
}

func (c *apiCmd) Run() error {
	ctx, stop := signalContext()
	defer stop()
	sv, err := connect(ctx, c.Database, c.Temporal, c.History, c.Policy, c.Log)
	if err != nil {
		return err
	}
	defer sv.close()
	sv.logger.Info("partnerops API listening", "addr", c.HTTP.Addr)
	return serveAPI(ctx, c.HTTP, apiDeps(c.Temporal, c.Policy, c.Webhooks, c.History, sv.keys, sv.store, sv.temporal, sv.location, sv.logger, sv.metrics))
}
