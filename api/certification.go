package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

type PartnerPath struct {
	PartnerID string `path:"partner_id" maxLength:"64" doc:"The partner's ID" example:"par_01J9Z3"`
}

type startCertificationInput struct {
	PartnerPath
	Idempotent
	Body rules.BusinessInfo
}

// Resolve checks the business information by the rules, which name every
// bad field at once beside the schema's own refusals.
func (in *startCertificationInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

func (s *Server) certificationRoutes() {
	register(s, huma.Operation{
		OperationID: "startCertification", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/certifications",
		Tags: []string{"certifications"}, Summary: "Submit business information for certification",
		Description:   "Starts a certification case (202, Location: the case). The checks run at once; a review by ops follows.",
		DefaultStatus: http.StatusAccepted,
		Responses:     anyCaseResponse(http.StatusAccepted),
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, partnerStarts, s.startCertification)
}

// startCertification serves POST /v1/partners/{id}/certifications.
func (s *Server) startCertification(ctx context.Context, in *startCertificationInput) (*startedOutput, error) {
	p := principalOf(ctx)
	info := in.Body.Normalized()
	partnerID := in.PartnerID
	// A certified partner submitting again starts a re-certification; its
	// certification stays valid until the new one is decided.
	certified, err := s.store.CertifiedCase(ctx, partnerID)
	if err != nil {
		return nil, err
	}
	return s.startCase(ctx, in.Idempotent, caseStart{
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
