package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// MaxWebhookEndpoints is how many endpoints a partner may register.
const MaxWebhookEndpoints = 10

// ErrTooManyEndpoints refuses an endpoint past MaxWebhookEndpoints.
var ErrTooManyEndpoints = errors.New("too many webhook endpoints")

// WebhookEndpoint is a partner's endpoint as its admin reads it: never its
// secrets.
type WebhookEndpoint struct {
	ID          string         `db:"id" json:"id"`
	PartnerID   string         `db:"partner_id" json:"partner_id"`
	URL         string         `db:"url" json:"url"`
	Description string         `db:"description" json:"description"`
	EventTypes  pq.StringArray `db:"event_types" json:"event_types" doc:"The event types delivered; empty: every type."`
	Enabled     bool           `db:"enabled" json:"enabled"`
	// DisabledReason says why deliveries stopped (410 Gone, failing for a day, the admin).
	DisabledReason *string    `db:"disabled_reason" json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `db:"failing_since" json:"failing_since,omitempty" doc:"Deliveries have failed since then without a success (absent: healthy)."`
	LastSuccessAt  *time.Time `db:"last_success_at" json:"last_success_at,omitempty"`
	// PreviousSecretValidUntil: after a rotation, deliveries are signed with
	// the previous secret too until then.
	PreviousSecretValidUntil *time.Time `db:"previous_valid_until" json:"previous_secret_valid_until,omitempty"`
	Pending                  int64      `db:"pending" json:"pending" doc:"Deliveries waiting to be sent."`
	CreatedAt                time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt                time.Time  `db:"updated_at" json:"updated_at"`
}

const endpointColumns = `e.id, e.partner_id, e.url, e.description, e.event_types, e.enabled, e.disabled_reason, e.failing_since,
	e.last_success_at, e.previous_valid_until, e.created_at, e.updated_at,
	(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.delivered_at IS NULL AND d.abandoned_at IS NULL) AS pending`

// NewWebhookEndpoint is an endpoint to register.
type NewWebhookEndpoint struct {
	PartnerID, URL, Description, Secret string
	EventTypes                          []string
	At                                  time.Time
}

// CreateWebhookEndpoint registers an endpoint; ErrTooManyEndpoints when
// the partner has MaxWebhookEndpoints already.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, n NewWebhookEndpoint) (WebhookEndpoint, error) {
	id := NewID("whe")
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// the partner's row serializes its registrations, so the count holds
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM partners WHERE id = $1 FOR UPDATE`, n.PartnerID); err != nil {
			return err
		}
		var count int
		if err := tx.GetContext(ctx, &count, `SELECT count(*) FROM webhook_endpoints WHERE partner_id = $1 AND deleted_at IS NULL`,
			n.PartnerID); err != nil {
			return err
		}
		if count >= MaxWebhookEndpoints {
			return ErrTooManyEndpoints
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO webhook_endpoints (id, partner_id, url, description, event_types, secret, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
			id, n.PartnerID, n.URL, n.Description, pq.StringArray(nonNil(n.EventTypes)), n.Secret, n.At)
		return err
	})
	if err != nil {
		return WebhookEndpoint{}, err
	}
	return s.WebhookEndpoint(ctx, n.PartnerID, id)
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// WebhookEndpoint reads the partner's endpoint id.
func (s *Store) WebhookEndpoint(ctx context.Context, partnerID, id string) (WebhookEndpoint, error) {
	var e WebhookEndpoint
	err := s.db.GetContext(ctx, &e, `SELECT `+endpointColumns+` FROM webhook_endpoints e
		WHERE e.id = $1 AND e.partner_id = $2 AND e.deleted_at IS NULL`, id, partnerID)
	return e, notFoundIfNoRows(err)
}

// WebhookEndpoints lists the endpoints of a partner ("": of every
// partner, for ops), oldest first.
func (s *Store) WebhookEndpoints(ctx context.Context, partnerID string, p Page) ([]WebhookEndpoint, string, error) {
	q := listQuery{from: `SELECT ` + endpointColumns + ` FROM webhook_endpoints e`,
		order: keyset{columns: []keyColumn{{"e.created_at", keyTime}, {"e.id", keyText}}}}
	q.and("e.deleted_at IS NULL")
	if partnerID != "" {
		q.and("e.partner_id = %s", partnerID)
	}
	return selectPage(ctx, s, q, p, func(e WebhookEndpoint) []any { return []any{e.CreatedAt, e.ID} })
}

// WebhookEndpointChange changes an endpoint; nil fields stay.
type WebhookEndpointChange struct {
	URL         *string
	Description *string
	EventTypes  []string // nil: unchanged
	Enabled     *bool
	At          time.Time
}

// UpdateWebhookEndpoint changes the partner's endpoint id. Enabling it
// again clears why it was disabled and its failure streak; disabling it
// by hand says so.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, partnerID, id string, c WebhookEndpointChange) (WebhookEndpoint, error) {
	var types any
	if c.EventTypes != nil {
		types = pq.StringArray(c.EventTypes)
	}
	res, err := s.db.ExecContext(ctx, `
		UPDATE webhook_endpoints SET url = COALESCE($3, url), description = COALESCE($4, description),
			event_types = COALESCE($5, event_types), enabled = COALESCE($6, enabled),
			disabled_reason = CASE WHEN $6 IS NULL THEN disabled_reason WHEN $6 THEN NULL ELSE 'disabled by the partner admin' END,
			failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END, updated_at = $7
		WHERE id = $1 AND partner_id = $2 AND deleted_at IS NULL`,
		id, partnerID, c.URL, c.Description, types, c.Enabled, c.At)
	if err := affectedOne(res, err); err != nil {
		return WebhookEndpoint{}, err
	}
	return s.WebhookEndpoint(ctx, partnerID, id)
}

// affectedOne is nil when the statement changed a row, ErrNotFound when
// none.
func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteWebhookEndpoint removes the partner's endpoint id: nothing more is
// delivered to it. Its delivery log stays.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, partnerID, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE webhook_endpoints SET deleted_at = $3, enabled = false, updated_at = $3
		WHERE id = $1 AND partner_id = $2 AND deleted_at IS NULL`, id, partnerID, at)
	return affectedOne(res, err)
}

// RotateWebhookSecret gives the endpoint a new secret; the current one
// keeps signing deliveries too until validUntil (the overlap).
func (s *Store) RotateWebhookSecret(ctx context.Context, partnerID, id, secret string, at, validUntil time.Time) (WebhookEndpoint, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE webhook_endpoints SET previous_secret = secret, previous_valid_until = $4,
		secret = $3, updated_at = $5 WHERE id = $1 AND partner_id = $2 AND deleted_at IS NULL`, id, partnerID, secret, validUntil, at)
	if err := affectedOne(res, err); err != nil {
		return WebhookEndpoint{}, err
	}
	return s.WebhookEndpoint(ctx, partnerID, id)
}

// ReplayWebhookEvents queues again for the endpoint the partner's events
// it subscribes to: the one named eventID, or those that happened in
// [from, to). It returns how many it queued; they keep their event IDs.
func (s *Store) ReplayWebhookEvents(ctx context.Context, partnerID, id, eventID string, from, to time.Time) (int64, error) {
	var queued int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT true FROM webhook_endpoints WHERE id = $1 AND partner_id = $2 AND deleted_at IS NULL`,
			id, partnerID); err != nil {
			return notFoundIfNoRows(err)
		}
		err := tx.GetContext(ctx, &queued, `
			WITH queued AS (
				INSERT INTO webhook_deliveries (endpoint_id, event_position, subject, replay)
				SELECT e.id, v.position, v.subject, true
				FROM webhook_endpoints e JOIN partner_events v ON v.partner_id = e.partner_id
				WHERE e.id = $1 AND (cardinality(e.event_types) = 0 OR v.type = ANY (e.event_types))
				  AND CASE WHEN $2 <> '' THEN v.id = $2 ELSE v.occurred_at >= $3 AND v.occurred_at < $4 END
				ORDER BY v.position
				RETURNING 1)
			SELECT count(*) FROM queued`, id, eventID, from, to)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, DeliveriesChannel, id)
		return err
	})
	return queued, err
}

// WebhookDelivery is one event's delivery to an endpoint, as the delivery
// log shows it: the event's ID and type, never its body.
type WebhookDelivery struct {
	ID          int64      `db:"id" json:"id"`
	EventID     string     `db:"event_id" json:"event_id"`
	EventType   string     `db:"event_type" json:"event_type"`
	Replay      bool       `db:"replay" json:"replay"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	Attempts    int        `db:"attempts" json:"attempts"`
	LastStatus  *int       `db:"last_status" json:"last_status,omitempty" doc:"The HTTP status of the last attempt (absent: no answer)."`
	LastError   *string    `db:"last_error" json:"last_error,omitempty"`
	LastLatency *int       `db:"last_latency_ms" json:"last_latency_ms,omitempty"`
	NextAttempt *time.Time `db:"next_attempt_at" json:"next_attempt_at,omitempty"`
	DeliveredAt *time.Time `db:"delivered_at" json:"delivered_at,omitempty"`
	AbandonedAt *time.Time `db:"abandoned_at" json:"abandoned_at,omitempty" doc:"Retried for the whole retry period without success."`
}

// WebhookDeliveries returns page p of the endpoint's delivery log, newest
// first.
func (s *Store) WebhookDeliveries(ctx context.Context, endpointID string, p Page) ([]WebhookDelivery, string, error) {
	q := listQuery{
		from: `SELECT d.id, v.id AS event_id, v.type AS event_type, d.replay, d.created_at, d.attempts, d.last_status, d.last_error,
			d.last_latency_ms, CASE WHEN d.delivered_at IS NULL AND d.abandoned_at IS NULL THEN d.next_attempt_at END AS next_attempt_at,
			d.delivered_at, d.abandoned_at
			FROM webhook_deliveries d JOIN partner_events v ON v.position = d.event_position`,
		order: keyset{columns: []keyColumn{{"d.id", keyInt}}, desc: true},
	}
	q.and("d.endpoint_id = %s", endpointID)
	return selectPage(ctx, s, q, p, func(d WebhookDelivery) []any { return []any{d.ID} })
}
