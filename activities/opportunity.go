package activities

import (
	"context"
	"fmt"
	"time"

	"partnerops/rules"
	"partnerops/store"
)

// Opportunities runs the side effects of opportunity cases: the automatic
// checks (with the customer's record for duplicates) and the vendor
// opportunity an invitation holds.
type Opportunities struct {
	Store *store.Store
	// Location is the business time zone: "today" of the timeline rule.
	Location *time.Location
}

// OpportunityCheckRequest is one submission of an opportunity to check.
type OpportunityCheckRequest struct {
	CaseID      string            `json:"case_id"`
	PartnerID   string            `json:"partner_id"`
	Opportunity rules.Opportunity `json:"opportunity"`
	At          time.Time         `json:"at"` // when it was submitted
}

// OpportunityCheck is what the checks found: every failed validity rule,
// and the other partners' cases about the same customer (the first
// MaxListedDuplicates, and how many more: the answer is kept in the
// case's history).
type OpportunityCheck struct {
	Findings       []rules.Finding `json:"findings"`
	Duplicates     []string        `json:"duplicates"`
	MoreDuplicates int             `json:"more_duplicates,omitempty"`
}

// MaxListedDuplicates bounds the likely duplicates a check names.
const MaxListedDuplicates = 10

// CheckOpportunity applies the validity rules on the submission's day in
// the business time zone, records the case's customer and looks up likely
// duplicates. Running it again gives the same answer.
func (a *Opportunities) CheckOpportunity(ctx context.Context, req OpportunityCheckRequest) (OpportunityCheck, error) {
	found := req.Opportunity.Check(req.At.In(a.Location))
	duplicates, err := a.Store.RecordOpportunityCustomer(ctx, req.CaseID, req.PartnerID, req.Opportunity.Normalized().Customer)
	if err != nil {
		return OpportunityCheck{}, fmt.Errorf("record the opportunity's customer: %w", err)
	}
	check := OpportunityCheck{Findings: found, Duplicates: duplicates}
	if over := len(duplicates) - MaxListedDuplicates; over > 0 {
		check.Duplicates, check.MoreDuplicates = duplicates[:MaxListedDuplicates], over
	}
	return check, nil
}

// InvitationAnswer is how an invitation to a vendor opportunity ended.
type InvitationAnswer struct {
	CaseID   string    `json:"case_id"`
	Accepted bool      `json:"accepted"`
	At       time.Time `json:"at"`
}

// SettleVendorOpportunity gives the vendor opportunity to the partner that
// accepted it, or back to ops when the invitation was declined or expired.
func (a *Opportunities) SettleVendorOpportunity(ctx context.Context, ans InvitationAnswer) error {
	return a.Store.SettleVendorOpportunity(ctx, ans.CaseID, ans.Accepted, ans.At)
}
