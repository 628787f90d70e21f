package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// DissociationBlocked is a dissociation refused because of what still binds
// the customer to its partner; nothing was changed.
type DissociationBlocked struct {
	Reasons []string
}

func (e *DissociationBlocked) Error() string {
	return fmt.Sprintf("the customer cannot be dissociated yet: %v", e.Reasons)
}

// ErrDissociationBlocked is matched (errors.Is) by every *DissociationBlocked.
var ErrDissociationBlocked = errors.New("dissociation blocked")

// Is makes errors.Is(err, ErrDissociationBlocked) hold.
func (e *DissociationBlocked) Is(target error) bool { return target == ErrDissociationBlocked }

// DissociateCustomer ends a customer's association with its partner, in one
// transaction: it refuses while orders wait for the partner to pay them
// (*DissociationBlocked), reclaims whatever the customer holds from the
// partner (reclaim_on_unbind adjustments), then removes the association. A
// customer that is not the partner's is ErrNotFound.
func (s *Store) DissociateCustomer(ctx context.Context, partnerID, customerID string, by Principal) ([]Adjustment, error) {
	var reclaimed []Adjustment
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Lock the customer first: orders and adjustments placed meanwhile
		// wait (they lock it too), so what is checked here stays true.
		var current sql.NullString
		if err := tx.GetContext(ctx, &current, `SELECT partner_id FROM customers WHERE id = $1 FOR NO KEY UPDATE`, customerID); err != nil {
			return notFoundIfNoRows(err)
		}
		if current.String != partnerID {
			return ErrNotFound
		}
		var waiting int
		if err := tx.GetContext(ctx, &waiting, `
			SELECT count(*) FROM orders WHERE customer_id = $1 AND case_id IS NOT NULL
			  AND status IN ('pending_partner_payment', 'pending_payment')`, customerID); err != nil {
			return err
		}
		if waiting > 0 {
			return &DissociationBlocked{Reasons: []string{
				fmt.Sprintf("%d order(s) wait on a partner payment case; approve, decline or let them run out first", waiting)}}
		}
		var err error
		if reclaimed, err = reclaimOnUnbind(ctx, tx, partnerID, customerID, NewID("unbind"), OperatorOf(by)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE customers SET partner_id = NULL, association_mode = NULL WHERE id = $1`, customerID); err != nil {
			return err
		}
		if err := revokeDelegations(ctx, tx, partnerID, customerID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, AuditEntry{
			PrincipalID: by.ID, PartnerID: partnerID, Action: "customer.dissociated", TargetKind: "customer", TargetID: customerID,
			Detail: map[string]any{"reclaimed": len(reclaimed)},
		})
	})
	return reclaimed, err
}
