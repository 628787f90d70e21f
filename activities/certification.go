package activities

import (
	"context"
	"fmt"

	"partnerops/rules"
	"partnerops/store"
)

// Certification runs the automatic checks of a certification.
type Certification struct {
	Store *store.Store
}

// CheckRequest is one submission of business information to check.
type CheckRequest struct {
	PartnerID string             `json:"partner_id"`
	Info      rules.BusinessInfo `json:"business_info"`
}

// CheckBusinessInfo runs the automatic checks: the format rules, then that
// no other partner holds the same certificate number. It returns the
// problems found; none means the submission goes to ops review.
func (a *Certification) CheckBusinessInfo(ctx context.Context, req CheckRequest) ([]rules.FieldError, error) {
	if problems := req.Info.Validate(); len(problems) > 0 {
		return problems, nil
	}
	info := req.Info.Normalized()
	holder, err := a.Store.CertificationHolder(ctx, info.CertificateNumber, req.PartnerID)
	if err != nil {
		return nil, fmt.Errorf("look up certificate number: %w", err)
	}
	if holder != "" {
		return []rules.FieldError{{
			Field:   "certificate_number",
			Message: "is already used by another partner's certification",
		}}, nil
	}
	return nil, nil
}
