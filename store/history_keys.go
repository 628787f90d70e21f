package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"
)

// SystemHistoryKey is the ID of the data key of the payloads no partner
// owns (renewal runs, sweeps).
const SystemHistoryKey = "hk_system"

// HistoryKey is a data key of the Temporal payload codec (package
// historykeys), wrapped by the key-encryption key KEKID names.
type HistoryKey struct {
	ID        string  `db:"id"`
	PartnerID *string `db:"partner_id"`
	KEKID     string  `db:"kek_id"`
	Wrapped   []byte  `db:"wrapped"`
}

// WorkflowPartner is the partner of the case whose workflow ID is
// workflowID; "" when the case has no partner (a renewal run) or the
// workflow is not a case's (a sweep).
func (s *Store) WorkflowPartner(ctx context.Context, workflowID string) (string, error) {
	var partner sql.NullString
	err := s.db.GetContext(ctx, &partner, `SELECT partner_id FROM cases WHERE workflow_id = $1`, workflowID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return partner.String, nil
}

// HistoryKey is the data key id; ErrNotFound once destroyed.
func (s *Store) HistoryKey(ctx context.Context, id string) (HistoryKey, error) {
	var k HistoryKey
	err := s.db.GetContext(ctx, &k, `SELECT id, partner_id, kek_id, wrapped FROM history_keys WHERE id = $1`, id)
	return k, notFoundIfNoRows(err)
}

// EnsureHistoryKey is the data key of the partner ("": the system key),
// created from the candidate (id, kek_id and wrapped key) when it has none.
// A deregistered partner gets none: ErrNotFound (its key was destroyed,
// or it never had one). The partner's row is locked FOR SHARE so that a
// deregistration does not interleave with the creation.
func (s *Store) EnsureHistoryKey(ctx context.Context, partnerID string, candidate HistoryKey) (HistoryKey, error) {
	var k HistoryKey
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if partnerID == "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO history_keys (id, kek_id, wrapped) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
				SystemHistoryKey, candidate.KEKID, candidate.Wrapped); err != nil {
				return err
			}
			return tx.GetContext(ctx, &k, `SELECT id, partner_id, kek_id, wrapped FROM history_keys WHERE id = $1`, SystemHistoryKey)
		}
		var status string
		if err := tx.GetContext(ctx, &status, `SELECT status FROM partners WHERE id = $1 FOR SHARE`, partnerID); err != nil {
			return notFoundIfNoRows(err)
		}
		if status == PartnerDeregistered {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO history_keys (id, partner_id, kek_id, wrapped) VALUES ($1, $2, $3, $4)
			ON CONFLICT (partner_id) DO NOTHING`, candidate.ID, partnerID, candidate.KEKID, candidate.Wrapped); err != nil {
			return err
		}
		return tx.GetContext(ctx, &k, `SELECT id, partner_id, kek_id, wrapped FROM history_keys WHERE partner_id = $1`, partnerID)
	})
	return k, err
}

// HistoryKeysNotUnder lists the data keys wrapped by another KEK than kekID.
func (s *Store) HistoryKeysNotUnder(ctx context.Context, kekID string) ([]HistoryKey, error) {
	var keys []HistoryKey
	err := s.db.SelectContext(ctx, &keys, `SELECT id, partner_id, kek_id, wrapped FROM history_keys WHERE kek_id <> $1 ORDER BY id`, kekID)
	return keys, err
}

// RewrapHistoryKey replaces the wrapping of a data key, unless it changed
// (or was destroyed) meanwhile; it says whether it did.
func (s *Store) RewrapHistoryKey(ctx context.Context, id, fromKEK string, to HistoryKey) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE history_keys SET kek_id = $3, wrapped = $4 WHERE id = $1 AND kek_id = $2`,
		id, fromKEK, to.KEKID, to.Wrapped)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
