// Command partnerops is the whole partnerops system in one binary: the
// zero-setup dev mode, the API and the worker as separate processes,
// migrations and token management.
package main

import (
	"github.com/alecthomas/kong"
)

type cli struct {
	Dev      devCmd         `cmd:"" help:"Run everything in one process: an embedded Temporal server and its Web UI, migrations, the worker, the API and demo data."`
	API      apiCmd         `cmd:"" name:"api" help:"Serve the HTTP API against a Temporal server."`
	Worker   workerCmd      `cmd:"" help:"Run a Temporal worker for every partnerops workflow and activity."`
	Migrate  migrateCmd     `cmd:"" help:"Apply, roll back or list the database migrations."`
	Token    tokenCmd       `cmd:"" help:"Create API tokens."`
	Renewals renewalsCmd    `cmd:"" help:"The scheduled auto-renewal run."`
	Temporal temporalCmd    `cmd:"" help:"Prepare the Temporal server partnerops runs on."`
	Demo     demoCmd        `cmd:"" help:"The demo set of dev, for any deployment."`
	History  historyKeysCmd `cmd:"" name:"history-keys" help:"The data keys that encrypt personal data in Temporal histories."`
}

func main() {
	var c cli
	ctx := kong.Parse(&c,
		kong.Name("partnerops"),
		kong.Description("The back office of a cloud vendor's partner program. Every setting is an environment variable; a flag of the same meaning wins over it."),
		kong.UsageOnError(),
	)
	ctx.FatalIfErrorf(ctx.Run())
}
