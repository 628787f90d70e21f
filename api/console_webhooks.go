package api

import (
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"
)

// webhooksShown bounds the endpoints the health page lists.
const webhooksShown = 500

// webhookHealthView is an endpoint's row on the staff health page.
type webhookHealthView struct {
	ID, Partner, Host, Reason string
	Enabled                   bool
	LastSuccess, FailingSince *when
	Failures, Backlog         int64
}

// webhooksPage serves GET /console/webhooks (staff): every partner
// endpoint's health, those needing a look first (store.WebhookHealthList).
func (s *Server) webhooksPage(c *fiber.Ctx, v *viewer) error {
	if err := s.may(v, staffObserves, object{}); err != nil {
		return s.consoleError(c, v, err)
	}
	list, err := s.store.WebhookHealthList(v.ctx, webhooksShown)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	views := make([]webhookHealthView, len(list))
	for i, e := range list {
		w := webhookHealthView{ID: e.ID, Partner: e.PartnerName, Host: e.URL, Enabled: e.Enabled, Failures: e.Failures, Backlog: e.Pending}
		if u, err := url.Parse(e.URL); err == nil {
			w.Host = u.Host
		}
		if e.DisabledReason != nil {
			w.Reason = *e.DisabledReason
		}
		if e.LastSuccessAt != nil {
			at := v.at(*e.LastSuccessAt)
			w.LastSuccess = &at
		}
		if e.FailingSince != nil {
			at := v.at(*e.FailingSince)
			w.FailingSince = &at
		}
		views[i] = w
	}
	return s.render(c, http.StatusOK, "webhooks", v, v.Print.T("nav.webhooks"), struct{ Endpoints []webhookHealthView }{views})
}
