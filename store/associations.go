package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"partnerops/cases"
	"partnerops/rules"
)

// Directions of an association request (association_requests.direction).
const (
	DirectionAssociate  = "associate"
	DirectionDissociate = "dissociate"
)

// Decisions on an association request: its final states besides open.
const (
	RequestAccepted  = "accepted"
	RequestDeclined  = "declined"
	RequestExpired   = "expired"
	RequestWithdrawn = "withdrawn"
)

// The dissociation requests a partner may make about one customer: at most
// DissociationLimit in any DissociationWindowMonths months.
const (
	DissociationLimit        = 3
	DissociationWindowMonths = 3
)

// Refusals of association requests.
var (
	// ErrAccountUnavailable: the account is associated with another partner
	// or asked for by one; the refusal names nothing about that partner.
	ErrAccountUnavailable = errors.New("this account cannot be associated with the partner now")
	// ErrAlreadyAssociated: the account is the partner's customer already.
	ErrAlreadyAssociated = errors.New("this account is associated with the partner already")
)

// AssociationPendingError refuses a partner's power over an account it
// asked to associate: the customer has not accepted yet.
type AssociationPendingError struct {
	CaseID string // the open association request
}

func (e *AssociationPendingError) Error() string {
	return fmt.Sprintf("the customer has not accepted the association request %s yet: until it does, the partner has no power over its account", e.CaseID)
}

// DissociationLimitError refuses a dissociation request beyond the limit;
// NextAt is when the next one is allowed, shown in Location.
type DissociationLimitError struct {
	NextAt   time.Time
	Location *time.Location
}

func (e *DissociationLimitError) Error() string {
	return fmt.Sprintf("the partner asked to dissociate this customer %d times in the last %d months, the most it may: the next request is allowed from %s",
		DissociationLimit, DissociationWindowMonths, e.NextAt.In(e.Location).Format("2006-01-02 15:04 MST"))
}

// AssociationBinding is the binding of the partner's sales platform the
// customer gets when it accepts an association.
type AssociationBinding struct {
	XAccountType      string `json:"xaccount_type"`
	XAccountID        string `json:"xaccount_id"`
	CertificateNumber string `json:"certificate_number"`
	CertificateType   *int   `json:"certificate_type,omitempty"`
}

// NewAssociationRequest is a partner's request to associate an existing
// account (Binding and Mode set) or to dissociate one of its customers.
type NewAssociationRequest struct {
	Direction string
	PartnerID string
	// AccountID names the account: its cloud account ID (associate), or
	// the customer's ID (dissociate).
	AccountID string
	Mode      string
	Binding   *AssociationBinding
	By        Principal
	// Build makes the case once the customer is known (and, for a
	// dissociation, what blocks it).
	Build func(c Customer, blockers []rules.DissociationBlocker) NewCase
	// Location is the business time zone a refusal names times in.
	Location *time.Location
}

// AccountCustomer finds the customer whose cloud account is accountID: its
// cloud_account_id, or for a customer of the vendor's own with no binding
// its customer ID. Only a customer with its own sign-in (a principal) is
// an account the vendor knows; anything else is ErrNotFound.
func accountCustomer(ctx context.Context, tx *sqlx.Tx, accountID string) (Customer, error) {
	var id string
	err := tx.GetContext(ctx, &id, `
		SELECT c.id FROM customers c
		WHERE (c.cloud_account_id = $1 OR (c.cloud_account_id IS NULL AND c.id = $1))
		  AND EXISTS (SELECT 1 FROM principals p WHERE p.customer_id = c.id)`, accountID)
	if err != nil {
		return Customer{}, notFoundIfNoRows(err)
	}
	return lockedCustomer(ctx, tx, id)
}

// lockedCustomer reads the customer, its row locked against a change of
// its association until the transaction ends.
func lockedCustomer(ctx context.Context, tx *sqlx.Tx, id string) (Customer, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM customers WHERE id = $1 FOR NO KEY UPDATE`, id); err != nil {
		return Customer{}, err
	}
	return customer(ctx, tx, id, false)
}

// RequestAssociation opens an association request's case and its row in
// one transaction. An association: the partner must be active and
// certified, the account known (else ErrNotFound), not associated
// (ErrAlreadyAssociated when with this partner, ErrAccountUnavailable with
// another, naming nothing of it) and not asked for by another request
// (the partner's own: *OpenCaseError). A dissociation: the customer must
// be the partner's (else ErrNotFound), with no open request, and within the
// limit (*DissociationLimitError); it opens even while the partner exits,
// listing what blocks it.
func (s *Store) RequestAssociation(ctx context.Context, r NewAssociationRequest) (cases.Case, CaseStart, error) {
	var opened openedCase
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var c Customer
		var blockers []rules.DissociationBlocker
		var err error
		if r.Direction == DirectionAssociate {
			if err := holdActivePartner(ctx, tx, r.PartnerID); err != nil {
				return err
			}
			if err := requireCertified(ctx, tx, r.PartnerID, GatedAssociation); err != nil {
				return err
			}
			if c, err = accountCustomer(ctx, tx, r.AccountID); err != nil {
				return err
			}
			switch {
			case c.PartnerID.String == r.PartnerID:
				return ErrAlreadyAssociated
			case c.PartnerID.Valid:
				return ErrAccountUnavailable
			}
		} else {
			if c, err = lockedCustomer(ctx, tx, r.AccountID); err != nil {
				return notFoundIfNoRows(err)
			}
			if c.PartnerID.String != r.PartnerID {
				return ErrNotFound
			}
		}
		if err := openRequestRefusal(ctx, tx, r.PartnerID, c.ID); err != nil {
			return err
		}
		if r.Direction == DirectionDissociate {
			nc := r.Build(c, nil)
			if err := withinDissociationLimit(ctx, tx, r, c.ID, nc.CreatedAt); err != nil {
				return err
			}
			if blockers, err = dissociationBlockers(ctx, tx, r.PartnerID, c.ID); err != nil {
				return err
			}
		}
		nc := r.Build(c, blockers)
		start, err := insertRequestCase(ctx, tx, nc, r.Direction == DirectionDissociate)
		if err != nil {
			return err
		}
		var binding []byte
		if r.Binding != nil {
			if binding, err = json.Marshal(r.Binding); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO association_requests (case_id, direction, partner_id, customer_id, association_mode, binding,
			                                  requested_by, requested_by_role, requested_by_name, requested_at)
			VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, $9, $10)`,
			nc.ID, r.Direction, r.PartnerID, c.ID, r.Mode, binding, r.By.ID, r.By.Role, r.By.Name, nc.CreatedAt); err != nil {
			var pqErr *pq.Error
			if errors.As(err, &pqErr) && pqErr.Code == "23505" && pqErr.Constraint == "association_requests_one_open" {
				return ErrAccountUnavailable // another request for the account committed meanwhile
			}
			return err
		}
		opened = openedCase{nc.Case, start}
		return nil
	})
	return opened.c, opened.start, err
}

// insertRequestCase opens the request's case; a dissociation only undoes
// what binds the partner, so it opens even while the partner exits.
func insertRequestCase(ctx context.Context, tx *sqlx.Tx, nc NewCase, releasing bool) (CaseStart, error) {
	nc.Releasing = releasing
	return insertCase(ctx, tx, nc)
}

// openRequestRefusal refuses a request while the account has an open one:
// the partner's own is named (*OpenCaseError), another's is not.
func openRequestRefusal(ctx context.Context, tx *sqlx.Tx, partnerID, customerID string) error {
	var open struct {
		CaseID    string `db:"case_id"`
		PartnerID string `db:"partner_id"`
	}
	err := tx.GetContext(ctx, &open, `SELECT case_id, partner_id FROM association_requests
		WHERE customer_id = $1 AND status = 'open'`, customerID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case open.PartnerID == partnerID:
		return &OpenCaseError{Kind: cases.KindCustomerAssociation, CaseID: open.CaseID}
	}
	return ErrAccountUnavailable
}

// withinDissociationLimit refuses a dissociation request when the partner
// made DissociationLimit of them about the customer in the window before at.
func withinDissociationLimit(ctx context.Context, tx *sqlx.Tx, r NewAssociationRequest, customerID string, at time.Time) error {
	var recent []time.Time
	if err := tx.SelectContext(ctx, &recent, `
		SELECT requested_at FROM association_requests
		WHERE direction = 'dissociate' AND partner_id = $1 AND customer_id = $2 AND requested_at > $3
		ORDER BY requested_at DESC LIMIT $4`,
		r.PartnerID, customerID, at.AddDate(0, -DissociationWindowMonths, 0), DissociationLimit); err != nil {
		return err
	}
	if len(recent) < DissociationLimit {
		return nil
	}
	return &DissociationLimitError{NextAt: recent[DissociationLimit-1].AddDate(0, DissociationWindowMonths, 0), Location: r.Location}
}

// dissociationBlockers reads what blocks the customer's dissociation from
// the partner (partner payments are its payment requests; the request
// itself is the account's one open request).
func dissociationBlockers(ctx context.Context, q sqlx.QueryerContext, partnerID, customerID string) ([]rules.DissociationBlocker, error) {
	facts := rules.DissociationFacts{CustomerID: customerID}
	if err := sqlx.SelectContext(ctx, q, &facts.PaymentRequests, `
		SELECT id, case_id FROM orders WHERE customer_id = $1 AND case_id IS NOT NULL
		  AND status IN ('pending_partner_payment', 'pending_payment') ORDER BY created_at, id LIMIT $2`,
		customerID, exitListLimit); err != nil {
		return nil, fmt.Errorf("payment requests: %w", err)
	}
	if err := sqlx.SelectContext(ctx, q, &facts.AutoRenewals, `
		SELECT id FROM resources WHERE customer_id = $1 AND primary_id IS NULL AND auto_renew_unit IS NOT NULL
		  AND status = 'in_use' ORDER BY id LIMIT $2`, customerID, exitListLimit); err != nil {
		return nil, fmt.Errorf("auto-renewals: %w", err)
	}
	var open []struct {
		ID     string `db:"id"`
		Kind   string `db:"kind"`
		Status string `db:"status"`
	}
	if err := sqlx.SelectContext(ctx, q, &open, `
		SELECT id, kind, status FROM cases
		WHERE partner_id = $1 AND customer_id = $2 AND closed_at IS NULL AND kind NOT IN ('partner_payment', 'customer_association')
		ORDER BY created_at, id LIMIT $3`, partnerID, customerID, exitListLimit); err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	for _, c := range open {
		facts.OpenCases = append(facts.OpenCases, rules.ExitOpenCase{ID: c.ID, Kind: c.Kind, Status: c.Status})
	}
	return rules.DissociationBlockers(facts), nil
}

// PendingAssociation is the partner's (any partner's when partnerID is
// "") open request to associate the customer's account: its case ID, or
// "" when there is none.
func (s *Store) PendingAssociation(ctx context.Context, partnerID, customerID string) (string, error) {
	var caseID string
	err := s.db.GetContext(ctx, &caseID, `SELECT case_id FROM association_requests
		WHERE ($1 = '' OR partner_id = $1) AND customer_id = $2 AND direction = 'associate' AND status = 'open'`, partnerID, customerID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return caseID, err
}

// associationRequest is a request's row as the decision reads it.
type associationRequest struct {
	Direction       string         `db:"direction"`
	PartnerID       string         `db:"partner_id"`
	CustomerID      string         `db:"customer_id"`
	AssociationMode sql.NullString `db:"association_mode"`
	Binding         []byte         `db:"binding"`
	RequestedBy     string         `db:"requested_by"`
	RequestedByRole string         `db:"requested_by_role"`
	RequestedByName string         `db:"requested_by_name"`
	Status          string         `db:"status"`
}

// DecideAssociation records the decision on the request of case caseID
// (accepted, declined, expired or withdrawn), by the principal by, at at.
// Accepting an association binds the account to the partner; accepting a
// dissociation ends the association as it is (reclaiming what the customer
// holds from the partner), refused while something blocks it
// (*DissociationBlocked). Either is refused when the customer's
// association changed meanwhile (ErrAccountUnavailable), or the partner
// left the program (*PartnerExitingError, an association). The same
// decision again changes nothing (the activity's retry); another one on
// a decided request is ErrAssociationDecided. It returns the reclaims of
// an accepted dissociation.
func (s *Store) DecideAssociation(ctx context.Context, caseID, decision string, by Principal, at time.Time) ([]Adjustment, error) {
	var reclaimed []Adjustment
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var r associationRequest
		if err := tx.GetContext(ctx, &r, `SELECT direction, partner_id, customer_id, association_mode, binding,
			requested_by, requested_by_role, requested_by_name, status
			FROM association_requests WHERE case_id = $1 FOR UPDATE`, caseID); err != nil {
			return notFoundIfNoRows(err)
		}
		switch {
		case r.Status == decision:
			return nil
		case r.Status != "open":
			return ErrAssociationDecided
		}
		if decision == RequestAccepted {
			var err error
			if r.Direction == DirectionAssociate {
				err = associate(ctx, tx, caseID, r, by)
			} else {
				reclaimed, err = dissociate(ctx, tx, r.PartnerID, r.CustomerID, caseID, by)
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE association_requests SET status = $2, decided_at = $3 WHERE case_id = $1`,
			caseID, decision, at)
		return err
	})
	return reclaimed, err
}

// ErrAssociationDecided: the request was decided already, another way.
var ErrAssociationDecided = errors.New("the association request was decided already")

// associate binds the account to the partner as the request asked.
func associate(ctx context.Context, tx *sqlx.Tx, caseID string, r associationRequest, by Principal) error {
	if err := holdActivePartner(ctx, tx, r.PartnerID); err != nil {
		return err
	}
	c, err := lockedCustomer(ctx, tx, r.CustomerID)
	if err != nil {
		return notFoundIfNoRows(err)
	}
	if c.PartnerID.Valid {
		return ErrAccountUnavailable
	}
	var b AssociationBinding
	if err := json.Unmarshal(r.Binding, &b); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE customers SET partner_id = $2, association_mode = $3, xaccount_type = $4, xaccount_id = $5,
		       certificate_number = $6, certificate_type = $7, account_origin = 'existing',
		       cloud_account_id = COALESCE(cloud_account_id, id),
		       bound_by = $8, bound_by_role = $9, bound_by_name = $10
		WHERE id = $1`,
		r.CustomerID, r.PartnerID, r.AssociationMode, b.XAccountType, b.XAccountID, b.CertificateNumber, b.CertificateType,
		r.RequestedBy, r.RequestedByRole, r.RequestedByName)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" && pqErr.Constraint == "customers_xaccount" {
		return ErrXAccountTaken
	}
	if err != nil {
		return err
	}
	return recordAudit(ctx, tx, AuditEntry{
		PrincipalID: by.ID, PartnerID: r.PartnerID, Action: "customer.associated", TargetKind: "customer", TargetID: r.CustomerID,
		Detail: map[string]any{"case_id": caseID, "association_mode": r.AssociationMode.String,
			"xaccount_type": b.XAccountType, "xaccount_id": b.XAccountID},
	})
}
