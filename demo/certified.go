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

// Certify records the partner as certified with its business information,
// as a certification reviewed outside this system would be brought in: a
// closed certification case, certified by ops (by) now, whose one event
// says so. The partner passes the certification gate at once, and its
// certified company is the seller its incentive invoices must name. It
// returns the case's ID.
func Certify(ctx context.Context, s *store.Store, partnerID string, info rules.BusinessInfo, by store.Principal) (string, error) {
	at := time.Now().UTC().Truncate(time.Microsecond)
	details, err := json.Marshal(workflows.CertificationDetails{BusinessInfo: info.Normalized(), Submissions: 1, CertifiedAt: &at})
	if err != nil {
		return "", err
	}
	id := store.NewID("cas")
	actor := cases.Actor{ID: by.ID, Role: by.Role, Name: by.Name}
	return id, s.ApplyTransition(ctx, cases.Transition{
		Case: cases.Case{ID: id, Kind: cases.KindCertification, PartnerID: partnerID, Status: workflows.CertificationCertified,
			CreatedAt: at, UpdatedAt: at, ClosedAt: &at, Details: details},
		WorkflowID: id,
		Event: cases.Event{Seq: 1, Type: "certified_on_record", Status: workflows.CertificationCertified, Actor: actor, At: at,
			Detail: map[string]any{"company_name": info.CompanyName}},
	})
}
