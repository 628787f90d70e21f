package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"partnerops/config"
	"partnerops/demo"
	"partnerops/store"
)

type demoCmd struct {
	Load demoLoadCmd `cmd:"" help:"Load the demo set dev makes (partners, principals and their tokens, money, a settlement, an opportunity) into the database, and print the shell variables the walk-throughs use."`
}

type demoLoadCmd struct {
	config.Database `embed:""`
	config.Policy   `embed:""`
	APIURL          string `name:"api-url" default:"http://127.0.0.1:8080" help:"The API's URL, printed as $API."`
	Force           bool   `name:"force" help:"Load the demo set into a database that holds other partners too."`
}

func (c *demoLoadCmd) Run() error {
	loc, err := checkPolicy(c.Policy)
	if err != nil {
		return err
	}
	return withStore(c.Database, func(ctx context.Context, st *store.Store) error {
		data, err := demo.Load(ctx, st, demoPolicy(c.Policy, loc), c.Force)
		if err != nil {
			return err
		}
		fmt.Printf("Demo set loaded into %s; paste these lines into a shell:\n\n", describeDatabase(c.URL))
		writeDemoVariables(os.Stdout, c.APIURL, data)
		return nil
	})
}

// demoPolicy is what the demo set takes from the settings.
func demoPolicy(p config.Policy, loc *time.Location) demo.Policy {
	return demo.Policy{Vendor: vendorEntity(p), Incentive: incentivePolicy(p), ReturnSLA: p.TicketSLA, TimeZone: loc.String()}
}
