package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/store"
)

type notificationsOutput struct {
	Body struct {
		Notifications []store.Notification `json:"notifications"`
		NextPage
	}
}

func (s *Server) notificationRoutes() {
	register(s, huma.Operation{
		OperationID: "listNotifications", Method: http.MethodGet, Path: "/v1/notifications", Tags: []string{"notifications"},
		Summary: "The caller's newest notifications",
		Description: "Partner members read their partner's, customers their own; ops and supervisors what is addressed to their role. " +
			"kind narrows them to one kind (sla_breached: the escalations).",
	}, readOwn, s.listNotifications)
}

type notificationsInput struct {
	PageParams
	Kind string `query:"kind" maxLength:"64" pattern:"^[a-z_]*$" doc:"Only notifications of this kind, e.g. sla_breached (the escalations)"`
}

// listNotifications serves GET /v1/notifications.
func (s *Server) listNotifications(ctx context.Context, in *notificationsInput) (*notificationsOutput, error) {
	out := &notificationsOutput{}
	out.Body.Notifications = []store.Notification{}
	r, ok := notificationScope(principalOf(ctx))
	if !ok {
		return out, nil
	}
	r.Kind = in.Kind
	list, next, err := s.store.Notifications(ctx, r, in.page())
	if err != nil {
		return nil, err
	}
	out.Body.Notifications, out.Body.NextCursor = list, next
	return out, nil
}
