package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/store"
)

type configureAccessInput struct {
	PartnerPath
	// Body is nothing or {}: the vendor issues the identifier.
	Body *struct{}
}

// accessConfiguredOutput is 201 with Location when the identifier is issued
// now, 200 without when it was issued before.
type accessConfiguredOutput struct {
	Status   int
	Location string `header:"Location" doc:"/v1/partners/{partner_id}/access-configuration"`
	Body     AccessConfiguration
}

func (s *Server) accessRoutes() {
	register(s, huma.Operation{
		OperationID: "getAccessConfiguration", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/access-configuration",
		Tags: []string{"customers"}, Summary: "The partner's access configuration",
		Description: "Whether the partner has completed its access configuration and, once it has, the platform identifier (`xaccount_type`) " +
			"the vendor issued to it, which its customers are bound under. The partner's own members and staff may read it (another partner's " +
			"members: 404; customers: 403). Before the configuration it answers 200 with `{\"configured\": false}`.",
	}, readPartner, s.getAccessConfiguration)
	register(s, huma.Operation{
		OperationID: "completeAccessConfiguration", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/access-configuration",
		Tags: []string{"customers"}, Summary: "Complete the access configuration",
		Description: "The partner's admin (company account) completes the access configuration; the vendor issues the partner's platform " +
			"identifier (`xaccount_type`, \"PO\" and 10 characters, unique). It is issued once: the first call answers 201, every later one " +
			"200 with the same configuration. Members and staff: 403; another partner: 404. No body, or `{}`.",
		DefaultStatus: http.StatusCreated,
		Responses: map[string]*huma.Response{"200": {Description: "Configured before: the same configuration.", Content: map[string]*huma.MediaType{
			"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/AccessConfiguration"}},
		}}},
		Errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.configureAccess)
}

// AccessConfiguration is a partner's access configuration as the API shows
// it; the other fields are present once configured is true.
type AccessConfiguration struct {
	Configured   bool         `json:"configured"`
	XAccountType string       `json:"xaccount_type,omitempty" example:"PO7K3M9QX2TB" doc:"The platform identifier the vendor issued to the partner; customers of its sales platform are bound under it"`
	ConfiguredAt *time.Time   `json:"configured_at,omitempty"`
	ConfiguredBy *cases.Actor `json:"configured_by,omitempty"`
}

func accessView(a store.AccessConfiguration) AccessConfiguration {
	at := a.ConfiguredAt.UTC()
	return AccessConfiguration{
		Configured: true, XAccountType: a.XAccountType, ConfiguredAt: &at,
		ConfiguredBy: actorOf(a.ConfiguredBy, a.ConfiguredByRole, a.ConfiguredByName),
	}
}

// getAccessConfiguration serves GET /v1/partners/{id}/access-configuration:
// whether the partner has completed its access configuration, and then its
// platform identifier.
func (s *Server) getAccessConfiguration(ctx context.Context, in *PartnerPath) (*bodyOf[AccessConfiguration], error) {
	a, err := s.store.AccessConfiguration(ctx, in.PartnerID)
	if errors.Is(err, store.ErrNotFound) {
		return &bodyOf[AccessConfiguration]{Body: AccessConfiguration{Configured: false}}, nil
	}
	if err != nil {
		return nil, err
	}
	return &bodyOf[AccessConfiguration]{Body: accessView(a)}, nil
}

// configureAccess serves POST /v1/partners/{id}/access-configuration: the
// partner's admin completes the access configuration, which issues the
// partner's platform identifier once (201); again, it answers the same (200).
func (s *Server) configureAccess(ctx context.Context, in *configureAccessInput) (*accessConfiguredOutput, error) {
	a, created, err := s.store.ConfigureAccess(ctx, in.PartnerID, principalOf(ctx))
	if err != nil {
		return nil, err
	}
	if !created {
		return &accessConfiguredOutput{Status: http.StatusOK, Body: accessView(a)}, nil
	}
	return &accessConfiguredOutput{
		Status: http.StatusCreated, Location: "/v1/partners/" + in.PartnerID + "/access-configuration", Body: accessView(a),
	}, nil
}
