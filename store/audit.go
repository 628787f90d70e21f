package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
)

// AuditEntry is one write someone made, recorded in the same transaction as
// the write itself.
type AuditEntry struct {
	PrincipalID string
	PartnerID   string // the partner the write concerns, if any
	Action      string // e.g. "member.invited", "adjustment.allocated"
	TargetKind  string
	TargetID    string
	Detail      map[string]any
}

// recordAudit writes an audit entry with q, the transaction of the write.
func recordAudit(ctx context.Context, q sqlx.ExecerContext, e AuditEntry) error {
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return err
	}
	if e.Detail == nil {
		detail = []byte(`{}`)
	}
	_, err = q.ExecContext(ctx, `
		INSERT INTO audit_events (principal_id, partner_id, action, target_kind, target_id, detail)
		VALUES ($1, NULLIF($2, ''), $3, $4, $5, $6)`,
		e.PrincipalID, e.PartnerID, e.Action, e.TargetKind, e.TargetID, detail)
	return err
}

// AuditEvent is a recorded audit entry, with who made it.
type AuditEvent struct {
	ID            int64  `db:"id" json:"id"`
	PrincipalID   string `db:"principal_id" json:"principal_id"`
	PrincipalName string `db:"principal_name" json:"principal_name"`
	// A write made with a delegated token: the partner's account that
	// acted, and the customer it acted for (docs/delegated-tokens.md).
	DelegatedBy       *string        `db:"delegated_by" json:"delegated_by,omitempty" doc:"With a delegated token: the partner's account that acted"`
	ActingForCustomer *string        `db:"acting_for_customer" json:"acting_for_customer_id,omitempty" doc:"With a delegated token: the customer it acted for"`
	Action            string         `db:"action" json:"action"`
	TargetKind        string         `db:"target_kind" json:"target_kind"`
	TargetID          string         `db:"target_id" json:"target_id"`
	Detail            map[string]any `db:"-" json:"detail"`
	RawDetail         []byte         `db:"detail" json:"-"`
	At                time.Time      `db:"at" json:"at"`
}

// AuditTrail returns page p of a partner's audit events, newest first, and
// the cursor of the next page ("" on the last); with principalID, only that
// principal's.
func (s *Store) AuditTrail(ctx context.Context, partnerID, principalID string, p Page) ([]AuditEvent, string, error) {
	q := listQuery{
		from: `SELECT a.id, a.principal_id, p.name AS principal_name, p.delegated_by,
		       CASE WHEN p.delegated_by IS NOT NULL THEN p.customer_id END AS acting_for_customer, a.action, a.target_kind, a.target_id, a.detail, a.at
		FROM audit_events a JOIN principals p ON p.id = a.principal_id`,
		order: keyset{columns: []keyColumn{{"a.id", keyInt}}, desc: true},
	}
	q.and("a.partner_id = %s", partnerID)
	if principalID != "" {
		q.and("a.principal_id = %s", principalID)
	}
	events, next, err := selectPage(ctx, s, q, p, func(e AuditEvent) []any { return []any{e.ID} })
	if err != nil {
		return nil, "", err
	}
	for i := range events {
		if err := json.Unmarshal(events[i].RawDetail, &events[i].Detail); err != nil {
			return nil, "", err
		}
		events[i].At = events[i].At.UTC()
	}
	return events, next, nil
}
