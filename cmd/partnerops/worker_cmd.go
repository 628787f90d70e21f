package main

import (
	"partnerops/config"
	"partnerops/worker"
)

type workerCmd struct {
	config.Database `embed:""`
	config.Temporal `embed:""`
	config.Policy   `embed:""`
	config.Log      `embed:""`
}

func (c *workerCmd) Run() error {
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
	logger.Info("partnerops worker polling", "task_queue", c.TaskQueue, "namespace", c.Namespace)
	return runWorker(ctx, tc, c.Temporal, worker.Deps{Store: st, Location: loc}, logger)
}
