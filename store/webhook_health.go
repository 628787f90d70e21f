package store

import "context"

// WebhookHealth is an endpoint as ops watch it: its partner by name, and
// how many attempts have failed since it last succeeded.
type WebhookHealth struct {
	WebhookEndpoint
	PartnerName string `db:"partner_name"`
	// Failures counts the failed attempts since FailingSince (0 when healthy).
	Failures int64 `db:"failures"`
}

// WebhookHealthList lists up to limit endpoints of every partner, those
// needing a look first: disabled, then failing (longest first), then the
// healthy by partner name.
func (s *Store) WebhookHealthList(ctx context.Context, limit int) ([]WebhookHealth, error) {
	list := []WebhookHealth{}
	err := s.db.SelectContext(ctx, &list, `SELECT `+endpointColumns+`, p.name AS partner_name,
			CASE WHEN e.failing_since IS NULL THEN 0 ELSE (SELECT count(*) FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id
				WHERE d.endpoint_id = e.id AND a.at >= e.failing_since AND (a.status IS NULL OR a.status NOT BETWEEN 200 AND 299)) END AS failures
		FROM webhook_endpoints e JOIN partners p ON p.id = e.partner_id
		WHERE e.deleted_at IS NULL
		ORDER BY e.enabled, e.failing_since NULLS LAST, p.name, e.created_at, e.id
		LIMIT $1`, limit)
	return list, err
}
