package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"partnerops/rules"
)

// DissociationBlocked is a dissociation refused because of what still binds
// the customer to its partner; nothing was changed.
type DissociationBlocked struct {
	Blockers []rules.DissociationBlocker
}

func (e *DissociationBlocked) Error() string {
	return "the customer cannot be dissociated yet: " + strings.Join(e.Reasons(), "; ")
}

// Reasons are the blockers as sentences: what blocks, and what clears it.
func (e *DissociationBlocked) Reasons() []string {
	reasons := make([]string, len(e.Blockers))
	for i, b := range e.Blockers {
		reasons[i] = fmt.Sprintf("%s (cleared by %s)", b.Description, b.ClearedBy)
	}
	return reasons
}

// ErrDissociationBlocked is matched (errors.Is) by every *DissociationBlocked.
var ErrDissociationBlocked = errors.New("dissociation blocked")

// Is makes errors.Is(err, ErrDissociationBlocked) hold.
func (e *DissociationBlocked) Is(target error) bool { return target == ErrDissociationBlocked }

// dissociate ends a customer's association with its partner in tx, as its
// accepted dissociation request caseID asked: it refuses while something
// blocks it (*DissociationBlocked, rules.DissociationBlockers), reclaims
// whatever the customer holds from the partner (reclaim_on_unbind
// adjustments), then removes the association. A customer that is not the
// partner's any more is ErrAccountUnavailable.
func dissociate(ctx context.Context, tx *sqlx.Tx, partnerID, customerID, caseID string, by Principal) ([]Adjustment, error) {
	// Lock the customer first: orders and adjustments placed meanwhile
	// wait (they lock it too), so what is checked here stays true.
	var current sql.NullString
	if err := tx.GetContext(ctx, &current, `SELECT partner_id FROM customers WHERE id = $1 FOR NO KEY UPDATE`, customerID); err != nil {
		return nil, notFoundIfNoRows(err)
	}
	if current.String != partnerID {
		return nil, ErrAccountUnavailable
	}
	blockers, err := dissociationBlockers(ctx, tx, partnerID, customerID)
	if err != nil {
		return nil, err
	}
	if len(blockers) > 0 {
		return nil, &DissociationBlocked{Blockers: blockers}
	}
	reclaimed, err := reclaimOnUnbind(ctx, tx, partnerID, customerID, NewID("unbind"), OperatorOf(by))
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE customers SET partner_id = NULL, association_mode = NULL WHERE id = $1`, customerID); err != nil {
		return nil, err
	}
	if err := revokeDelegations(ctx, tx, partnerID, customerID); err != nil {
		return nil, err
	}
	return reclaimed, recordAudit(ctx, tx, AuditEntry{
		PrincipalID: by.ID, PartnerID: partnerID, Action: "customer.dissociated", TargetKind: "customer", TargetID: customerID,
		Detail: map[string]any{"reclaimed": len(reclaimed), "case_id": caseID},
	})
}
