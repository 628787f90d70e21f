package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// WebhookTarget is what a dispatcher needs of its endpoint.
type WebhookTarget struct {
	ID        string `db:"id"`
	PartnerID string `db:"partner_id"`
	URL       string `db:"url"`
	// Active: neither deleted nor disabled; an inactive endpoint's
	// dispatcher stops.
	Active bool `db:"active"`
	// Secrets sign each delivery: the current one, and the previous one
	// during a rotation's overlap.
	Secrets pq.StringArray `db:"secrets"`
}

// WebhookTarget reads the endpoint id for delivery at now.
func (s *Store) WebhookTarget(ctx context.Context, id string, now time.Time) (WebhookTarget, error) {
	var t WebhookTarget
	err := s.db.GetContext(ctx, &t, `
		SELECT id, partner_id, url, enabled AND deleted_at IS NULL AS active,
			CASE WHEN previous_valid_until > $2 THEN ARRAY[secret, previous_secret] ELSE ARRAY[secret] END AS secrets
		FROM webhook_endpoints WHERE id = $1`, id, now)
	return t, notFoundIfNoRows(err)
}

// PendingDelivery is a delivery still to send, with its event's body.
type PendingDelivery struct {
	ID        int64     `db:"id"`
	Subject   string    `db:"subject"`
	Attempts  int       `db:"attempts"`
	NextAt    time.Time `db:"next_attempt_at"`
	CreatedAt time.Time `db:"created_at"`
	EventID   string    `db:"event_id"`
	Body      []byte    `db:"body"`
}

// PendingWebhookDeliveries returns up to limit of the endpoint's
// deliveries still to send, in the order they were queued.
func (s *Store) PendingWebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]PendingDelivery, error) {
	list := []PendingDelivery{}
	err := s.db.SelectContext(ctx, &list, `
		SELECT d.id, d.subject, d.attempts, d.next_attempt_at, d.created_at, v.id AS event_id, v.body
		FROM webhook_deliveries d JOIN partner_events v ON v.position = d.event_position
		WHERE d.endpoint_id = $1 AND d.delivered_at IS NULL AND d.abandoned_at IS NULL
		ORDER BY d.id LIMIT $2`, endpointID, limit)
	return list, err
}

// WebhookAttempt is the outcome of one try of a delivery.
type WebhookAttempt struct {
	DeliveryID int64
	EndpointID string
	At         time.Time
	Status     int // 0: no HTTP answer
	Error      string
	Latency    time.Duration
	// NextAt is when to try again after a failure; zero: give up (the
	// retry period is over).
	NextAt time.Time
	// Disable, when not "", disables the endpoint with this reason (410
	// Gone) and tells its partner; so does a failed attempt when the
	// endpoint has failed for DisableAfter (0: never) without a success.
	Disable      string
	DisableAfter time.Duration
}

// RecordWebhookAttempt logs a failed attempt and moves its delivery (to
// its next attempt, or given up) and its endpoint's health on, in one
// transaction; RecordWebhookSuccesses records successes.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) error {
	status, errText := nullInt(a.Status), nullString(a.Error)
	ms := a.Latency.Milliseconds()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, error, latency_ms) VALUES ($1, $2, $3, $4, $5)`,
			a.DeliveryID, a.At, status, errText, ms); err != nil {
			return err
		}
		var abandoned, next any
		if a.NextAt.IsZero() {
			abandoned = a.At
		} else {
			next = a.NextAt
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,
			last_latency_ms = $4, abandoned_at = $5, next_attempt_at = COALESCE($6, next_attempt_at) WHERE id = $1`,
			a.DeliveryID, status, errText, ms, abandoned, next); err != nil {
			return err
		}
		var since time.Time
		if err := tx.GetContext(ctx, &since, `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1
			RETURNING failing_since`, a.EndpointID, a.At); err != nil {
			return err
		}
		reason := a.Disable
		if reason == "" && a.DisableAfter > 0 && a.At.Sub(since) >= a.DisableAfter {
			reason = "its deliveries have failed since " + since.UTC().Format(time.RFC3339) + " without a success"
		}
		if reason == "" {
			return nil
		}
		return disableEndpoint(ctx, tx, a.EndpointID, reason, a.At)
	})
}

// disableEndpoint stops deliveries to an enabled endpoint and tells its
// partner's admin why.
func disableEndpoint(ctx context.Context, tx *sqlx.Tx, id, reason string, at time.Time) error {
	var e struct {
		PartnerID string `db:"partner_id"`
		URL       string `db:"url"`
	}
	err := tx.GetContext(ctx, &e, `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3
		WHERE id = $1 AND enabled RETURNING partner_id, url`, id, reason, at)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil // disabled already
		}
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (webhook_endpoint_id, audience, partner_id, kind, message, created_at)
		VALUES ($4, 'partner', $1, 'webhook_disabled', $2, $3)`, e.PartnerID,
		fmt.Sprintf("Your webhook endpoint %s (%s) is disabled: %s. Fix it, then enable it again; what it missed waits for it.", id, e.URL, reason), at, id)
	return err
}

func nullInt(v int) *int {
	if v == 0 {
		return nil
	}
	return &v
}

func nullString(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// ListenDeliveries listens on DeliveriesChannel on a connection of its
// own: each notification's Extra is an endpoint with new deliveries; a nil
// one says the connection was re-established (anything may have come
// meanwhile).
func (s *Store) ListenDeliveries() (*pq.Listener, error) {
	l := pq.NewListener(s.url, time.Second, time.Minute, nil)
	if err := l.Listen(DeliveriesChannel); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

// RecordWebhookSuccesses logs successful attempts of one endpoint's
// deliveries and marks them delivered, all in one transaction: a drain
// records a round's successes at once.
func (s *Store) RecordWebhookSuccesses(ctx context.Context, endpointID string, ok []WebhookAttempt) error {
	if len(ok) == 0 {
		return nil
	}
	ids, ats, statuses, ms := make([]int64, len(ok)), make([]time.Time, len(ok)), make([]int64, len(ok)), make([]int64, len(ok))
	last := ok[0].At
	for i, a := range ok {
		ids[i], ats[i], statuses[i], ms[i] = a.DeliveryID, a.At, int64(a.Status), a.Latency.Milliseconds()
		if a.At.After(last) {
			last = a.At
		}
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, latency_ms)
			SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::int[])`,
			pq.Array(ids), pq.Array(ats), pq.Array(statuses), pq.Array(ms)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries d SET attempts = attempts + 1, last_status = v.status,
			last_error = NULL, last_latency_ms = v.ms, delivered_at = v.at
			FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::int[]) AS v (id, at, status, ms) WHERE d.id = v.id`,
			pq.Array(ids), pq.Array(ats), pq.Array(statuses), pq.Array(ms)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = NULL, last_success_at = $2 WHERE id = $1`, endpointID, last)
		return err
	})
}
