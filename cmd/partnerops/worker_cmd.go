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
	config.Webhooks `embed:""`
}

func (c *workerCmd) Run() error {
	ctx, stop := signalContext()
	defer stop()
	sv, err := connect(ctx, c.Database, c.Temporal, c.Policy, c.Log)
	if err != nil {
		return err
	}
	defer sv.close()
	sv.logger.Info("partnerops worker polling", "task_queue", c.TaskQueue, "namespace", c.Namespace)
	return runWorker(ctx, sv.temporal, c.Temporal, worker.Deps{Store: sv.store, Location: sv.location, Webhooks: c.Webhooks}, sv.logger)
}
