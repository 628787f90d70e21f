package demo

import (
	"context"
	"encoding/json"
	"time"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// Policy is the configuration a demo settlement is published under, as the
// API would publish it.
type Policy struct {
	Vendor    rules.Party
	Incentive rules.IncentivePolicy // PARTNEROPS_INCENTIVE_*
	ReturnSLA string                // PARTNEROPS_TICKET_SLA
	TimeZone  string
}

// settlementAmount is what the demo settlement pays Acme, and its items.
var (
	settlementAmount = rules.Money{Amount: 53_000, Currency: "CNY"}
	settlementItems  = []rules.IncentiveItem{
		{Name: "Resale growth, Q2", Amount: &rules.Money{Amount: 50_000, Currency: "CNY"}},
		{Name: "Certified engineers", Amount: &rules.Money{Amount: 3_000, Currency: "CNY"}},
	}
)

// publishSettlement opens an incentive settlement case for the partner,
// published by ops, with its workflow's start request: the start
// reconciler starts it (the API is not up yet). It returns the case's ID.
func publishSettlement(ctx context.Context, s *store.Store, partnerID string, ops store.Principal, p Policy) (string, error) {
	partner, err := s.Partner(ctx, partnerID)
	if err != nil {
		return "", err
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	in := workflows.IncentiveSettlementInput{
		CaseID: store.NewID("cas"), PartnerID: partnerID, PublishedBy: cases.Actor{ID: ops.ID, Role: ops.Role, Name: ops.Name},
		Period: "2026-Q2", Amount: settlementAmount, Items: settlementItems, Vendor: p.Vendor,
		Automatic: partner.AutoIncentiveApplication, PublishedAt: at,
		IncentivePolicy: p.Incentive, ReturnSLA: p.ReturnSLA, TimeZone: p.TimeZone,
	}
	details, err := json.Marshal(in.Details())
	if err != nil {
		return "", err
	}
	opened, _, err := s.OpenCase(ctx, store.NewCase{
		Case: cases.Case{ID: in.CaseID, Kind: cases.KindIncentiveSettlement, PartnerID: partnerID,
			Status: workflows.SettlementPublished, CreatedAt: at, UpdatedAt: at, Details: details},
		Workflow: workflows.IncentiveSettlementWorkflow, Input: in,
	}, nil)
	return opened.ID, err
}
