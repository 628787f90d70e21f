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
	logger := newLogger(c.Log)
	loc, err := checkPolicy(c.Policy)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	tc, err := dialTemporal(ctx, c.Temporal, logger)
	if err != nil {
		return err
	}
	defer tc.Close()
	logger.Info("partnerops API listening", "addr", c.HTTP.Addr)
	return serveAPI(ctx, c.HTTP.Addr, api.Deps{
		Store: st, Temporal: tc, TaskQueue: c.TaskQueue, TicketSLA: c.TicketSLA, Location: loc, Logger: logger,
	})
}
