// Package demo creates the demo principals and records of `partnerops dev`:
// staff to review, two partners of different types with a customer each.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"partnerops/cases"
	"partnerops/store"
)

// Principal is a demo principal and its token.
type Principal struct {
	Env        string `json:"env"` // the shell variable the README's walk-through uses
	Name       string `json:"name"`
	Role       string `json:"role"`
	PartnerID  string `json:"partner_id,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	Token      string `json:"token"`
}

// Partner is a demo partner.
type Partner struct {
	Env  string `json:"env"`
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Data is what the demo created.
type Data struct {
	Partners   []Partner   `json:"partners"`
	Principals []Principal `json:"principals"`
}

// fileName keeps the demo tokens in the data directory: tokens are stored
// only as hashes, and dev prints them again at every start.
const fileName = "demo-tokens.json"

// Ensure returns the demo data recorded under dataDir when its tokens still
// work against the database, or creates a new demo set and records it.
func Ensure(ctx context.Context, s *store.Store, dataDir string) (Data, error) {
	path := filepath.Join(dataDir, fileName)
	if d, err := load(path); err == nil && d.valid(ctx, s) {
		return d, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Data{}, err
	}
	d, err := create(ctx, s)
	if err != nil {
		return Data{}, err
	}
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return Data{}, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return Data{}, err
	}
	return d, os.WriteFile(path, raw, 0o600)
}

func load(path string) (Data, error) {
	var d Data
	raw, err := os.ReadFile(path)
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(raw, &d)
}

// valid reports whether every recorded token still names its principal
// (the database may have been reset since).
func (d Data) valid(ctx context.Context, s *store.Store) bool {
	for _, p := range d.Principals {
		if _, err := s.PrincipalByToken(ctx, p.Token); err != nil || p.Env == "" {
			return false
		}
	}
	return len(d.Principals) > 0 && len(d.Partners) > 0
}

func create(ctx context.Context, s *store.Store) (Data, error) {
	var d Data
	add := func(env string, np store.NewPrincipal) error {
		_, token, err := s.CreatePrincipal(ctx, np)
		d.Principals = append(d.Principals, Principal{
			Env: env, Name: np.Name, Role: np.Role, PartnerID: np.PartnerID, CustomerID: np.CustomerID, Token: token,
		})
		return err
	}
	if err := add("OPS_TOKEN", store.NewPrincipal{Name: "Olivia Ops", Role: cases.RoleOps}); err != nil {
		return d, err
	}
	if err := add("SUPERVISOR_TOKEN", store.NewPrincipal{Name: "Sam Supervisor", Role: cases.RoleSupervisor}); err != nil {
		return d, err
	}
	partners := []struct{ env, name, typ, level, customer, mode string }{
		{"ACME", "Acme Solutions", "solution_provider", "preferred", "Blue Sky Retail", "resale"},
		{"NIMBUS", "Nimbus Reseller", "cloud_reseller", "", "Green Field Farms", "resale"},
	}
	for _, p := range partners {
		partner, err := s.CreatePartner(ctx, p.name, p.typ, p.level)
		if err != nil {
			return d, err
		}
		d.Partners = append(d.Partners, Partner{Env: p.env, ID: partner.ID, Name: p.name, Type: p.typ})
		admin := store.NewPrincipal{Name: p.name + " admin", Role: cases.RoleAdmin, PartnerID: partner.ID}
		if err := add(p.env+"_ADMIN_TOKEN", admin); err != nil {
			return d, err
		}
		customer, err := s.CreateCustomer(ctx, p.customer, partner.ID, p.mode)
		if err != nil {
			return d, err
		}
		if err := add(p.env+"_CUSTOMER_TOKEN", store.NewPrincipal{Name: p.customer, Role: cases.RoleCustomer, CustomerID: customer.ID}); err != nil {
			return d, err
		}
	}
	return d, nil
}
