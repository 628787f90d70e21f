package main

import (
	"partnerops/config"
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
	sv, err := connect(ctx, c.Database, c.Temporal, c.Policy, c.Log)
	if err != nil {
		return err
	}
	defer sv.close()
	sv.logger.Info("partnerops worker polling", "task_queue", c.TaskQueue, "namespace", c.Namespace)
	return runWorker(ctx, sv.temporal, c.Temporal, workerDeps(sv.store, sv.location, c.Policy), sv.logger)
}
