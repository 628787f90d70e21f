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
	Role            string `required:"" enum:"ops,supervisor,admin,member,customer" help:"ops, supervisor, admin (a partner's company account), member (a personal account) or customer."`
	Partner         string `help:"Partner ID: required for admin; for member, associates the personal account with the partner directly (without it, the member is a personal account that a partner's admin can invite)."`
	Customer        string `help:"Customer ID, for customer."`
	Name            string `required:"" help:"Who holds the token, as case timelines show it."`
}

func (c *tokenCreateCmd) Run() error {
	partnerRole := c.Role == cases.RoleAdmin || c.Role == cases.RoleMember
	switch {
	case c.Role == cases.RoleAdmin && c.Partner == "":
		return fmt.Errorf("--partner is required for the role admin (a partner's company account)")
	case !partnerRole && c.Partner != "":
		return fmt.Errorf("--partner is only for admin and member")
	case c.Role == cases.RoleCustomer && c.Customer == "":
		return errors.New("--customer is required for the role customer")
	case c.Role != cases.RoleCustomer && c.Customer != "":
		return errors.New("--customer is only for the role customer")
	}
	return withStore(c.Database, func(ctx context.Context, st *store.Store) error {
		if c.Partner != "" {
			if _, err := st.Partner(ctx, c.Partner); err != nil {
				return fmt.Errorf("partner %s: %w", c.Partner, err)
			}
		}
		if c.Role == cases.RoleAdmin {
			if admin, err := st.PartnerAdmin(ctx, c.Partner); err == nil {
				return fmt.Errorf("partner %s already has its company (admin) account %s; a partner has one", c.Partner, admin.ID)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		p, token, err := st.CreatePrincipal(ctx, store.NewPrincipal{
			Name: c.Name, Role: c.Role, PartnerID: c.Partner, CustomerID: c.Customer,
		})
		if err != nil {
			return err
		}
		if p.Role == cases.RoleMember && !p.PartnerID.Valid {
			fmt.Printf("principal %s (%s, a personal account of no partner yet: a partner's admin may invite it)\ntoken %s\n", p.ID, p.Role, token)
			return nil
		}
		fmt.Printf("principal %s (%s)\ntoken %s\n", p.ID, p.Role, token)
		return nil
	})
}
