package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/store"
)

const notificationPageSize = 100

type notificationsOutput struct {
	Body struct {
		Notifications []store.Notification `json:"notifications"`
	}
}

func (s *Server) notificationRoutes() {
	register(s, huma.Operation{
		OperationID: "listNotifications", Method: http.MethodGet, Path: "/v1/notifications", Tags: []string{"notifications"},
		Summary:     "The caller's newest notifications",
		Description: "Partner members read their partner's, customers their own; ops and supervisors what is addressed to their role.",
	}, readOwn, s.listNotifications)
}

// listNotifications serves GET /v1/notifications.
func (s *Server) listNotifications(ctx context.Context, _ *struct{}) (*notificationsOutput, error) {
	out := &notificationsOutput{}
	out.Body.Notifications = []store.Notification{}
	r, ok := notificationScope(principalOf(ctx))
	if !ok {
		return out, nil
	}
	list, err := s.store.Notifications(ctx, r, notificationPageSize)
	if err != nil {
		return nil, err
	}
	out.Body.Notifications = list
	return out, nil
}
