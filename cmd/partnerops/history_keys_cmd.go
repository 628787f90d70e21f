package main

import (
	"context"
	"fmt"

	"partnerops/config"
	"partnerops/store"
)

type historyKeysCmd struct {
	Rewrap historyKeysRewrapCmd `cmd:"" help:"Wrap every data key of the Temporal histories under PARTNEROPS_HISTORY_KEK (after a rotation: the previous KEK in PARTNEROPS_HISTORY_OLD_KEKS)."`
}

type historyKeysRewrapCmd struct {
	config.Database `embed:""`
	config.History  `embed:""`
}

func (c *historyKeysRewrapCmd) Run() error {
	return withStore(c.Database, func(ctx context.Context, st *store.Store) error {
		keys, err := historyKeyring(st, c.History)
		if err != nil {
			return err
		}
		n, err := keys.Rewrap(ctx, st)
		if err != nil {
			return fmt.Errorf("rewrapped %d data keys, then: %w", n, err)
		}
		fmt.Printf("%d data keys rewrapped; every data key is now wrapped by PARTNEROPS_HISTORY_KEK\n", n)
		return nil
	})
}
