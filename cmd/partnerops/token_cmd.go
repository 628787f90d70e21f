package main

import (
	"context"
	"errors"
	"fmt"

	"partnerops/cases"
	"partnerops/config"
	"partnerops/store"
)

type tokenCmd struct {
	Create tokenCreateCmd `cmd:"" help:"Create a principal and print its token, once: only its hash is kept."`
}

type tokenCreateCmd struct {
	config.Database `embed:""`
	Role            string `required:"" enum:"ops,supervisor,admin,member,customer" help:"ops, supervisor, admin, member or customer."`
	Partner         string `help:"Partner ID, for admin and member."`
	Customer        string `help:"Customer ID, for customer."`
	Name            string `required:"" help:"Who holds the token, as case timelines show it."`
}

func (c *tokenCreateCmd) Run() error {
	partnerRole := c.Role == cases.RoleAdmin || c.Role == cases.RoleMember
	switch {
	case partnerRole && c.Partner == "":
		return fmt.Errorf("--partner is required for the role %s", c.Role)
	case !partnerRole && c.Partner != "":
		return fmt.Errorf("--partner is only for admin and member")
	case c.Role == cases.RoleCustomer && c.Customer == "":
		return errors.New("--customer is required for the role customer")
	case c.Role != cases.RoleCustomer && c.Customer != "":
		return errors.New("--customer is only for the role customer")
	}
	return withStore(c.URL, func(ctx context.Context, st *store.Store) error {
		if partnerRole {
			if _, err := st.Partner(ctx, c.Partner); err != nil {
				return fmt.Errorf("partner %s: %w", c.Partner, err)
			}
		}
		p, token, err := st.CreatePrincipal(ctx, store.NewPrincipal{
			Name: c.Name, Role: c.Role, PartnerID: c.Partner, CustomerID: c.Customer,
		})
		if err != nil {
			return err
		}
		fmt.Printf("principal %s (%s)\ntoken %s\n", p.ID, p.Role, token)
		return nil
	})
}
