package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/events"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/webhooks"
)

// WebhookPath names one of the partner's webhook endpoints.
type WebhookPath struct {
	PartnerPath
	WebhookID string `path:"webhook_id" maxLength:"64" doc:"The endpoint's ID"`
}

// Bounds of a secret rotation's overlap, during which deliveries are
// signed with both secrets.
const (
	defaultSecretOverlap = 24 * time.Hour
	maxSecretOverlap     = 7 * 24 * time.Hour
)

func (s *Server) webhookRoutes() {
	registerEventCatalogue(s.huma.OpenAPI())
	tags := []string{"webhooks"}
	base := "/v1/partners/{partner_id}/webhooks"
	register(s, huma.Operation{
		OperationID: "createWebhookEndpoint", Method: http.MethodPost, Path: base, Tags: tags,
		Summary: "Register a webhook endpoint",
		Description: "The partner's company (admin) account registers a URL to receive the partner's events (the OpenAPI " +
			"document's webhooks section lists them), signed per the Standard Webhooks specification. The answer shows the signing " +
			"secret once. https only; a URL resolving to a private, loopback, link-local or metadata address is refused (422 url). " +
			fmt.Sprintf("At most %d endpoints per partner (409 too-many-webhook-endpoints).", store.MaxWebhookEndpoints),
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.createWebhookEndpoint)
	register(s, huma.Operation{
		OperationID: "listWebhookEndpoints", Method: http.MethodGet, Path: base, Tags: tags,
		Summary: "The partner's webhook endpoints", Description: "Oldest first, with their health; never their secrets.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, partnerAdmin, s.listWebhookEndpoints)
	register(s, huma.Operation{
		OperationID: "getWebhookEndpoint", Method: http.MethodGet, Path: base + "/{webhook_id}", Tags: tags,
		Summary: "A webhook endpoint", Description: "Its settings and health; never its secret.",
	}, partnerAdmin, s.getWebhookEndpoint)
	register(s, huma.Operation{
		OperationID: "updateWebhookEndpoint", Method: http.MethodPatch, Path: base + "/{webhook_id}", Tags: tags,
		Summary: "Change a webhook endpoint",
		Description: "Change its URL, event types or description, or disable or enable it; fields left out stay. Enabling it " +
			"again resumes its deliveries where they stopped.",
		Errors: []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, partnerAdmin, s.updateWebhookEndpoint)
	register(s, huma.Operation{
		OperationID: "deleteWebhookEndpoint", Method: http.MethodDelete, Path: base + "/{webhook_id}", Tags: tags,
		Summary: "Remove a webhook endpoint", Description: "Nothing more is delivered to it; its delivery log stays.",
		DefaultStatus: http.StatusNoContent,
	}, partnerAdmin, s.deleteWebhookEndpoint)
	register(s, huma.Operation{
		OperationID: "rotateWebhookSecret", Method: http.MethodPost, Path: base + "/{webhook_id}/rotate-secret", Tags: tags,
		Summary: "Rotate an endpoint's signing secret",
		Description: "A new secret, shown once. During the overlap (24 hours unless asked, at most 7 days) deliveries carry a " +
			"signature with each secret, so a receiver verifies with either while it switches.",
		Errors: []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.rotateWebhookSecret)
	register(s, huma.Operation{
		OperationID: "listWebhookDeliveries", Method: http.MethodGet, Path: base + "/{webhook_id}/deliveries", Tags: tags,
		Summary:     "An endpoint's delivery log",
		Description: "Newest first: each event's delivery with its attempts, last status code and latency (never the bodies).",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, partnerAdmin, s.listWebhookDeliveries)
	register(s, huma.Operation{
		OperationID: "replayWebhookEvents", Method: http.MethodPost, Path: base + "/{webhook_id}/replay", Tags: tags,
		Summary: "Deliver events again",
		Description: "Queues again, for this endpoint, one event (event_id) or the events of a time range (from, to) it subscribes " +
			"to; each keeps its event ID, so a receiver de-duplicates as for a retry.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.replayWebhookEvents)
	register(s, huma.Operation{
		OperationID: "listAllWebhookEndpoints", Method: http.MethodGet, Path: "/v1/webhooks", Tags: tags,
		Summary:     "Every partner's webhook endpoints",
		Description: "For staff: every endpoint's health (enabled, failing since, last success, deliveries pending), oldest first.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, staffObserves, s.listAllWebhookEndpoints)
}

// webhookFields are what a partner sets on an endpoint.
type webhookFields struct {
	URL         string   `json:"url" maxLength:"2048" doc:"Where to POST the events: https (a loopback http URL only where the server allows it)" example:"https://hooks.example.com/partnerops"`
	EventTypes  []string `json:"event_types,omitempty" maxItems:"50" doc:"The event types to deliver; absent or empty: every type"`
	Description string   `json:"description,omitempty" maxLength:"200"`
}

// check names every bad field: a URL deliveries may not reach, an
// unknown event type.
func (s *Server) checkWebhook(ctx context.Context, url *string, types []string) rules.FieldErrors {
	var bad rules.FieldErrors
	if url != nil {
		if err := s.guard.CheckURL(ctx, *url); err != nil {
			bad = append(bad, rules.FieldError{Field: "url", Message: strings.TrimPrefix(err.Error(), webhooks.ErrRefusedTarget.Error()+": ")})
		}
	}
	for i, t := range types {
		if !events.Known(t) {
			bad = append(bad, rules.FieldError{Field: fmt.Sprintf("event_types[%d]", i),
				Message: fmt.Sprintf("unknown event type %q; the types are %s", t, strings.Join(events.Names(), ", "))})
		}
	}
	return bad
}

type createWebhookInput struct {
	PartnerPath
	Body webhookFields
}

// webhookWithSecret is an endpoint with its new secret, shown this once.
type webhookWithSecret struct {
	store.WebhookEndpoint
	Secret string `json:"secret" doc:"The signing secret (whsec_...), shown only now: keep it to verify the signatures"`
}

type webhookCreatedOutput struct {
	Location string `header:"Location" doc:"The endpoint's URL"`
	Body     webhookWithSecret
}

// createWebhookEndpoint serves POST /v1/partners/{id}/webhooks.
func (s *Server) createWebhookEndpoint(ctx context.Context, in *createWebhookInput) (*webhookCreatedOutput, error) {
	if bad := s.checkWebhook(ctx, &in.Body.URL, in.Body.EventTypes); len(bad) > 0 {
		return nil, invalid(bad)
	}
	secret := webhooks.NewSecret()
	e, err := s.store.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{PartnerID: in.PartnerID, URL: in.Body.URL,
		Description: in.Body.Description, EventTypes: in.Body.EventTypes, Secret: secret, At: time.Now().UTC()})
	if err != nil {
		return nil, err
	}
	if err := webhooks.StartDispatcher(ctx, s.temporal, s.taskQueue, e.ID); err != nil {
		// the endpoint is registered: a worker starts its dispatcher as it starts
		s.logger.WarnContext(ctx, "webhook dispatcher not started", "endpoint_id", e.ID, "error", err)
	}
	return &webhookCreatedOutput{Location: "/v1/partners/" + in.PartnerID + "/webhooks/" + e.ID,
		Body: webhookWithSecret{WebhookEndpoint: e, Secret: secret}}, nil
}

type webhookList struct {
	Webhooks []store.WebhookEndpoint `json:"webhooks"`
	NextPage
}

// listWebhookEndpoints serves GET /v1/partners/{id}/webhooks.
func (s *Server) listWebhookEndpoints(ctx context.Context, in *partnerPageInput) (*bodyOf[webhookList], error) {
	return s.webhookList(ctx, in.PartnerID, in.page())
}

// listAllWebhookEndpoints serves GET /v1/webhooks, for staff.
func (s *Server) listAllWebhookEndpoints(ctx context.Context, in *PageParams) (*bodyOf[webhookList], error) {
	return s.webhookList(ctx, "", in.page())
}

func (s *Server) webhookList(ctx context.Context, partnerID string, p store.Page) (*bodyOf[webhookList], error) {
	list, next, err := s.store.WebhookEndpoints(ctx, partnerID, p)
	if err != nil {
		return nil, err
	}
	return &bodyOf[webhookList]{Body: webhookList{Webhooks: list, NextPage: NextPage{next}}}, nil
}

// getWebhookEndpoint serves GET /v1/partners/{id}/webhooks/{webhook_id}.
func (s *Server) getWebhookEndpoint(ctx context.Context, in *WebhookPath) (*bodyOf[store.WebhookEndpoint], error) {
	e, err := s.store.WebhookEndpoint(ctx, in.PartnerID, in.WebhookID)
	return one("webhook endpoint "+in.WebhookID, e, err, asIs)
}

type updateWebhookInput struct {
	WebhookPath
	Body struct {
		URL         *string  `json:"url,omitempty" maxLength:"2048"`
		EventTypes  []string `json:"event_types,omitempty" maxItems:"50" doc:"The event types to deliver; an empty list: every type"`
		Description *string  `json:"description,omitempty" maxLength:"200"`
		Enabled     *bool    `json:"enabled,omitempty" doc:"false stops deliveries (they wait); true resumes them"`
	}
}

// updateWebhookEndpoint serves PATCH /v1/partners/{id}/webhooks/{webhook_id}.
func (s *Server) updateWebhookEndpoint(ctx context.Context, in *updateWebhookInput) (*bodyOf[store.WebhookEndpoint], error) {
	if bad := s.checkWebhook(ctx, in.Body.URL, in.Body.EventTypes); len(bad) > 0 {
		return nil, invalid(bad)
	}
	e, err := s.store.UpdateWebhookEndpoint(ctx, in.PartnerID, in.WebhookID, store.WebhookEndpointChange{
		URL: in.Body.URL, Description: in.Body.Description, EventTypes: in.Body.EventTypes, Enabled: in.Body.Enabled, At: time.Now().UTC()})
	if err == nil && e.Enabled {
		err = webhooks.StartDispatcher(ctx, s.temporal, s.taskQueue, e.ID)
	}
	return one("webhook endpoint "+in.WebhookID, e, err, asIs)
}

// deleteWebhookEndpoint serves DELETE /v1/partners/{id}/webhooks/{webhook_id}.
func (s *Server) deleteWebhookEndpoint(ctx context.Context, in *WebhookPath) (*struct{}, error) {
	err := s.store.DeleteWebhookEndpoint(ctx, in.PartnerID, in.WebhookID, time.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("webhook endpoint " + in.WebhookID)
	}
	return &struct{}{}, err
}

type rotateSecretInput struct {
	WebhookPath
	Body *struct {
		OverlapMinutes int `json:"overlap_minutes,omitempty" minimum:"0" maximum:"10080" doc:"How long the current secret keeps signing too (default 1440: 24 hours; 0 ends it now)"`
	}
}

// rotateWebhookSecret serves POST …/webhooks/{webhook_id}/rotate-secret.
func (s *Server) rotateWebhookSecret(ctx context.Context, in *rotateSecretInput) (*bodyOf[webhookWithSecret], error) {
	overlap := defaultSecretOverlap
	if in.Body != nil {
		overlap = min(time.Duration(in.Body.OverlapMinutes)*time.Minute, maxSecretOverlap)
	}
	now := time.Now().UTC()
	secret := webhooks.NewSecret()
	e, err := s.store.RotateWebhookSecret(ctx, in.PartnerID, in.WebhookID, secret, now, now.Add(overlap))
	return one("webhook endpoint "+in.WebhookID, e, err, func(e store.WebhookEndpoint) webhookWithSecret {
		return webhookWithSecret{WebhookEndpoint: e, Secret: secret}
	})
}

type webhookDeliveriesInput struct {
	WebhookPath
	PageParams
}

type webhookDeliveryList struct {
	Deliveries []store.WebhookDelivery `json:"deliveries"`
	NextPage
}

// listWebhookDeliveries serves GET …/webhooks/{webhook_id}/deliveries.
func (s *Server) listWebhookDeliveries(ctx context.Context, in *webhookDeliveriesInput) (*bodyOf[webhookDeliveryList], error) {
	if _, err := s.store.WebhookEndpoint(ctx, in.PartnerID, in.WebhookID); errors.Is(err, store.ErrNotFound) {
		return nil, notFound("webhook endpoint " + in.WebhookID)
	} else if err != nil {
		return nil, err
	}
	list, next, err := s.store.WebhookDeliveries(ctx, in.WebhookID, in.page())
	if err != nil {
		return nil, err
	}
	return &bodyOf[webhookDeliveryList]{Body: webhookDeliveryList{Deliveries: list, NextPage: NextPage{next}}}, nil
}

type replayInput struct {
	WebhookPath
	Body struct {
		EventID string     `json:"event_id,omitempty" maxLength:"64" doc:"The one event to deliver again"`
		From    *time.Time `json:"from,omitempty" doc:"With to: deliver again the events that happened from then"`
		To      *time.Time `json:"to,omitempty" doc:"... until then (excluded)"`
	}
}

type replayed struct {
	Queued int64 `json:"queued" doc:"How many deliveries were queued"`
}

// replayWebhookEvents serves POST …/webhooks/{webhook_id}/replay.
func (s *Server) replayWebhookEvents(ctx context.Context, in *replayInput) (*bodyOf[replayed], error) {
	b := in.Body
	var bad rules.FieldErrors
	var from, to time.Time
	switch {
	case b.EventID != "" && (b.From != nil || b.To != nil):
		bad = append(bad, rules.FieldError{Field: "event_id", Message: "give either event_id or from and to, not both"})
	case b.EventID != "":
	case b.From == nil || b.To == nil:
		if b.From == nil {
			bad = append(bad, rules.FieldError{Field: "from", Message: "required without event_id"})
		}
		if b.To == nil {
			bad = append(bad, rules.FieldError{Field: "to", Message: "required without event_id"})
		}
	case !b.To.After(*b.From):
		bad = append(bad, rules.FieldError{Field: "to", Message: "must come after from"})
	default:
		from, to = *b.From, *b.To
	}
	if len(bad) > 0 {
		return nil, invalid(bad)
	}
	n, err := s.store.ReplayWebhookEvents(ctx, in.PartnerID, in.WebhookID, b.EventID, from, to)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("webhook endpoint " + in.WebhookID)
	}
	if err != nil {
		return nil, err
	}
	if b.EventID != "" && n == 0 {
		return nil, notFound("event " + b.EventID + " of a type this endpoint subscribes to")
	}
	return &bodyOf[replayed]{Body: replayed{Queued: n}}, nil
}
