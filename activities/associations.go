package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"partnerops/cases"
	"partnerops/store"
)

// Refusals of a decision on an association request, as Temporal error
// types: the request stays open.
const (
	DissociationBlocked = "DissociationBlocked" // something still binds the customer to its partner
	AssociationRefused  = "AssociationRefused"  // the account's association changed, or the partner left
)

// Associations records the decisions on association requests.
type Associations struct {
	Store *store.Store
}

// AssociationDecision is a decision on the request of a case.
type AssociationDecision struct {
	CaseID   string      `json:"case_id"`
	Decision string      `json:"decision"` // accepted, declined, expired or withdrawn
	By       cases.Actor `json:"by"`
	At       time.Time   `json:"at"`
}

// DecideAssociation records the decision, and on an acceptance the change
// of the customer's association, in one transaction; again, it changes
// nothing. A refusal of the store leaves the request open.
func (a *Associations) DecideAssociation(ctx context.Context, d AssociationDecision) error {
	_, err := a.Store.DecideAssociation(ctx, d.CaseID, d.Decision,
		store.Principal{ID: d.By.ID, Role: d.By.Role, Name: d.By.Name}, d.At)
	var blocked *store.DissociationBlocked
	var exiting *store.PartnerExitingError
	switch {
	case errors.As(err, &blocked):
		return temporal.NewNonRetryableApplicationError(blocked.Error(), DissociationBlocked, nil)
	case errors.Is(err, store.ErrAccountUnavailable), errors.Is(err, store.ErrXAccountTaken), errors.As(err, &exiting):
		return temporal.NewNonRetryableApplicationError(err.Error(), AssociationRefused, nil)
	}
	return err
}
