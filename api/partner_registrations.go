package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
)

// registrationsRetryAfter is the Retry-After, in seconds, of a
// self-registration refused while too many are pending: ops work through
// them (certifications submitted) in hours, not seconds.
const registrationsRetryAfter = 3600

// registrationRoutes are the public routes of partners registering
// themselves; they come before the bearer token is required.
func (s *Server) registrationRoutes() {
	register(s, huma.Operation{
		OperationID: "registerSelf", Method: http.MethodPost, Path: "/v1/partner-registrations", Tags: []string{"partners"},
		Summary: "Register as a partner",
		Description: "No token. A company registers itself: its name, its partner type and its contact. The answer shows the " +
			"company (admin) account's token this once. The partner starts uncertified (a solution provider at the certified level): " +
			"it submits a certification (POST /v1/certifications) before it may bind customers or take any gated step (409 certification-required). " +
			"Rate-limited per client address and for all addresses together (429 with Retry-After). While PARTNEROPS_PENDING_REGISTRATIONS " +
			"self-registered partners have not submitted a certification, one more is refused with 429 registrations-full and Retry-After " +
			"(a refusal of this request, not an outage: nothing was stored). " +
			"Ops still register partners with POST /v1/partners.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, public, s.registerSelf)
}

// selfRegistrationBody is a company registering itself as a partner.
type selfRegistrationBody struct {
	Name    string        `json:"name" maxLength:"200" doc:"The company's name; surrounding spaces are trimmed; 1 to 200 characters" example:"Orchid Cloud Services"`
	Type    partnerType   `json:"type"`
	Contact rules.Contact `json:"contact" doc:"The person the vendor talks to: name, phone, email"`
}

func (b selfRegistrationBody) registration() rules.SelfRegistration {
	return rules.SelfRegistration{Name: b.Name, Type: rules.PartnerType(b.Type), Contact: b.Contact}
}

type registerSelfInput struct {
	Body selfRegistrationBody
}

// Resolve checks the registration by the rules, naming every bad field at once.
func (in *registerSelfInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.registration().Validate())
}

// registerSelf serves POST /v1/partner-registrations.
func (s *Server) registerSelf(ctx context.Context, in *registerSelfInput) (*registeredPartnerOutput, error) {
	reg, err := s.store.SelfRegisterPartner(ctx, in.Body.registration(), s.pendingRegistrations)
	if err != nil {
		return nil, err
	}
	return &registeredPartnerOutput{Location: "/v1/partners/" + reg.Partner.ID, Body: registeredPartner{
		Partner: viewPartner(reg.Partner),
		Admin:   adminAccount{PrincipalID: reg.Admin.ID, Name: reg.Admin.Name, Token: reg.AdminToken},
	}}, nil
}
