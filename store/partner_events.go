package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"partnerops/events"
)

// DeliveriesChannel is the PostgreSQL notification channel told, on
// commit, the endpoints that have new deliveries (the payload is the
// endpoint's ID): their dispatchers wake up (ListenDeliveries).
const DeliveriesChannel = "webhook_deliveries"

// raiseEvents writes raised events in tx, with the change they describe,
// and queues each for the partner's enabled endpoints whose filter takes
// its type. An event already raised by an earlier write of the same change
// is not written again.
func raiseEvents(ctx context.Context, tx *sqlx.Tx, raised []events.Raised) error {
	for _, r := range raised {
		e := r.Envelope
		e.ID = NewID("evt")
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		var caseKind, caseID *string
		var caseSeq *int
		if e.Case != nil {
			kind := string(e.Case.Kind)
			caseKind, caseID, caseSeq = &kind, &e.Case.ID, &e.Case.Seq
		}
		var position int64
		err = tx.GetContext(ctx, &position, `
			INSERT INTO partner_events (id, partner_id, type, source, subject, case_kind, case_id, case_seq, occurred_at, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (source, type) DO NOTHING RETURNING position`,
			e.ID, e.PartnerID, e.Type, r.Source, r.Subject, caseKind, caseID, caseSeq, e.Timestamp, body)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue // raised by an earlier write of this change
			}
			return fmt.Errorf("write partner event: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			WITH queued AS (
				INSERT INTO webhook_deliveries (endpoint_id, event_position, subject)
				SELECT id, $1, $2 FROM webhook_endpoints
				WHERE partner_id = $3 AND deleted_at IS NULL AND enabled AND (cardinality(event_types) = 0 OR $4 = ANY (event_types))
				RETURNING endpoint_id)
			SELECT pg_notify($5, endpoint_id) FROM (SELECT DISTINCT endpoint_id FROM queued) q`,
			position, r.Subject, e.PartnerID, e.Type, DeliveriesChannel); err != nil {
			return fmt.Errorf("queue partner event: %w", err)
		}
	}
	return nil
}
