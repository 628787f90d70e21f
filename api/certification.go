package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

func (s *Server) certificationRoutes(v1 fiber.Router) {
	v1.Post("/partners/:partner_id/certifications", s.startCertification)
}

// startCertification serves POST /v1/partners/{id}/certifications: a
// partner submits its business information for review.
func (s *Server) startCertification(c *fiber.Ctx) error {
	p, partnerID, err := partnerScope(c)
	if err != nil {
		return err
	}
	var info rules.BusinessInfo
	if err := decodeBody(c, &info); err != nil {
		return err
	}
	if problems := info.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	info = info.Normalized()
	// A certified partner submitting again starts a re-certification; its
	// certification stays valid until the new one is decided.
	certified, err := s.store.CertifiedCase(c.UserContext(), partnerID)
	if err != nil {
		return err
	}
	return s.startCase(c, caseStart{
		kind: cases.KindCertification, partnerID: partnerID,
		initialStatus: workflows.CertificationChecking,
		details:       workflows.CertificationDetails{BusinessInfo: info, Submissions: 1, RecertificationOf: certified},
		workflow:      workflows.CertificationWorkflow,
		input: func(caseID string, createdAt time.Time) any {
			return workflows.CertificationInput{
				CaseID: caseID, PartnerID: partnerID, Submitter: actor(p), Info: info,
				TicketSLA: s.ticketSLA, RejectedExpiry: s.certExpiry, CreatedAt: createdAt, RecertificationOf: certified,
			}
		},
	})
}
