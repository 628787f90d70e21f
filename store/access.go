package store

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// AccessConfiguration is a partner's completed access configuration and
// the platform identifier (xaccount_type) the vendor issued with it.
type AccessConfiguration struct {
	PartnerID        string    `db:"partner_id"`
	XAccountType     string    `db:"xaccount_type"`
	ConfiguredBy     string    `db:"configured_by"`
	ConfiguredByRole string    `db:"configured_by_role"`
	ConfiguredByName string    `db:"configured_by_name"`
	ConfiguredAt     time.Time `db:"configured_at"`
}

const accessConfigurationSelect = `
	SELECT a.partner_id, a.xaccount_type, a.configured_by, p.role AS configured_by_role,
	       p.name AS configured_by_name, a.configured_at
	FROM partner_access_configurations a JOIN principals p ON p.id = a.configured_by`

// AccessConfiguration reads a partner's access configuration: ErrNotFound
// until the partner has completed it.
func (s *Store) AccessConfiguration(ctx context.Context, partnerID string) (AccessConfiguration, error) {
	return accessConfiguration(ctx, s.db, partnerID)
}

func accessConfiguration(ctx context.Context, q sqlx.QueryerContext, partnerID string) (AccessConfiguration, error) {
	var a AccessConfiguration
	err := sqlx.GetContext(ctx, q, &a, accessConfigurationSelect+` WHERE a.partner_id = $1`, partnerID)
	a.ConfiguredAt = a.ConfiguredAt.UTC()
	return a, notFoundIfNoRows(err)
}

// xaccountTypeAlphabet is what issued platform identifiers are made of:
// capital letters and digits, without the easily confused 0, 1, I and O.
const xaccountTypeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newXAccountType returns a new platform identifier: "PO" and 10 random
// characters (50 bits).
func newXAccountType() (string, error) {
	random := make([]byte, 10)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	id := []byte("PO")
	for _, b := range random {
		id = append(id, xaccountTypeAlphabet[int(b)%len(xaccountTypeAlphabet)])
	}
	return string(id), nil
}

// ConfigureAccess completes the partner's access configuration, issuing its
// platform identifier, and records who did it in the audit trail, in one
// transaction. It is done once: when the partner is configured already it
// returns that configuration unchanged and created false.
func (s *Store) ConfigureAccess(ctx context.Context, partnerID string, by Principal) (AccessConfiguration, bool, error) {
	for range 5 {
		xaccountType, err := newXAccountType()
		if err != nil {
			return AccessConfiguration{}, false, err
		}
		var a AccessConfiguration
		created := false
		err = s.inTx(ctx, func(tx *sqlx.Tx) error {
			res, err := tx.ExecContext(ctx, `
				INSERT INTO partner_access_configurations (partner_id, xaccount_type, configured_by)
				VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, partnerID, xaccountType, by.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				created = true
				if err := recordAudit(ctx, tx, AuditEntry{
					PrincipalID: by.ID, PartnerID: partnerID, Action: "access.configured",
					TargetKind: "partner", TargetID: partnerID, Detail: map[string]any{"xaccount_type": xaccountType},
				}); err != nil {
					return err
				}
			}
			// Not inserted: configured before (perhaps concurrently), or
			// the random identifier is another partner's (ErrNotFound: retry).
			a, err = accessConfiguration(ctx, tx, partnerID)
			return err
		})
		if errors.Is(err, ErrNotFound) {
			continue
		}
		return a, created, err
	}
	return AccessConfiguration{}, false, errors.New("could not issue a unique platform identifier")
}
