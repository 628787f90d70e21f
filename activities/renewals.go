package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// Renewals are the renewal run's activities: the expiry policies and the
// renewal of due groups, a bounded batch at a time.
type Renewals struct {
	Store    *store.Store
	Location *time.Location // months are counted in the business time zone
	// Retention is how long expired resources are retained: groups short
	// of funds are retried until its last day, and released after.
	Retention rules.Retention
	// PerTransaction is how many due groups one transaction renews
	// together (store.RenewDueGroups); 0 is DefaultRenewalsPerTransaction.
	PerTransaction int
}

// DefaultRenewalsPerTransaction spreads a commit over many groups while
// keeping each transaction's locks short (about a fifth of a second on a
// loaded 2-core machine: a payment into a partner's revenue account waits
// at most that long) and a batch heartbeating often.
const DefaultRenewalsPerTransaction = 250

// Why a due group was skipped, as the run counts them.
const (
	SkipInUnpaidOrder  = "in_unpaid_order"
	SkipNoPayerAccount = "no_payer_account"
	SkipAlreadyRenewed = "already_renewed"
	SkipNotRenewable   = "not_renewable"
	SkipAutoRenewalOff = "auto_renewal_off"
)

// RenewBatch asks to renew the due groups past After, at most Limit.
type RenewBatch struct {
	RunID string          `json:"run_id"`
	AsOf  time.Time       `json:"as_of"`
	After *rules.DueGroup `json:"after,omitempty"`
	Limit int             `json:"limit"`
}

// GroupFailure is a due group the run could not renew, and why.
type GroupFailure struct {
	PrimaryID string    `json:"primary_id"`
	Term      time.Time `json:"term" doc:"The expiry of the term it was due to renew"`
	Reason    string    `json:"reason"`
}

// BatchOutcome is what a batch did. Last is the keyset position reached;
// Seen the groups it went through; Done says no due group follows.
type BatchOutcome struct {
	Renewed         int             `json:"renewed"`
	RetriedForFunds int             `json:"retried_for_funds"`
	Skipped         map[string]int  `json:"skipped"`
	Failures        []GroupFailure  `json:"failures"`
	Last            *rules.DueGroup `json:"last,omitempty"`
	Seen            int             `json:"seen"`
	Done            bool            `json:"done"`
}

// ApplyExpiryPolicies applies the expiry policy of every resource in use
// that expired by asOf and releases those whose retention ended, a batch at
// a time, heartbeating the count.
func (a *Renewals) ApplyExpiryPolicies(ctx context.Context, asOf time.Time) (int, error) {
	total := 0
	for _, step := range []func(context.Context, time.Time, int) (int, error){
		a.Store.ApplyExpiryPolicies,
		func(ctx context.Context, asOf time.Time, limit int) (int, error) {
			return a.Store.ReleaseRetained(ctx, asOf, a.Retention, limit)
		},
	} {
		for {
			n, err := step(ctx, asOf, overdueBatch)
			total += n
			if err != nil {
				return total, err
			}
			activity.RecordHeartbeat(ctx, total)
			if n < overdueBatch {
				break
			}
		}
	}
	return total, nil
}

// RenewDueGroups renews up to Limit due groups past After,
// PerTransaction groups at a time (store.RenewDueGroups), heartbeating the
// outcome after each; a retried attempt resumes from its last heartbeat.
// A group is charged under its term's reference, so a group renewed by an
// attempt that died is not due any more, and is never charged twice.
func (a *Renewals) RenewDueGroups(ctx context.Context, in RenewBatch) (BatchOutcome, error) {
	out := BatchOutcome{Skipped: map[string]int{}, Failures: []GroupFailure{}, Last: in.After}
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &out); err != nil {
			return BatchOutcome{}, err
		}
	}
	groups, err := a.Store.DueGroups(ctx, in.AsOf, a.Retention, out.Last, in.Limit-out.Seen)
	if err != nil {
		return BatchOutcome{}, err
	}
	size := a.PerTransaction
	if size <= 0 {
		size = DefaultRenewalsPerTransaction
	}
	req := store.RenewalRequest{RunID: in.RunID, ActorID: cases.System.ID, ActorRole: cases.RoleSystem,
		Location: a.Location, RenewedAt: in.AsOf}
	for start := 0; start < len(groups); start += size {
		chunk := groups[start:min(start+size, len(groups))]
		results, err := a.Store.RenewDueGroups(ctx, req, chunk)
		if err != nil {
			return BatchOutcome{}, err
		}
		for i, g := range chunk {
			if err := out.count(g, results[i]); err != nil {
				return BatchOutcome{}, err
			}
			if errors.Is(results[i], store.ErrInsufficientBalance) {
				if err := a.Store.RecordRenewalShortfall(ctx, g.PrimaryID, results[i].Error(), in.AsOf, a.Retention, a.Location); err != nil {
					return BatchOutcome{}, err
				}
			}
		}
		last := chunk[len(chunk)-1]
		out.Last, out.Seen = &last, out.Seen+len(chunk)
		activity.RecordHeartbeat(ctx, out)
	}
	out.Done = out.Seen < in.Limit
	if out.Last != nil && in.RunID != "" {
		// Counted from the renewals themselves: a group renewed by an
		// attempt that died after its last heartbeat is not due any more,
		// and the count above missed it.
		renewed, err := a.Store.RunRenewals(ctx, in.RunID, in.After, *out.Last)
		if err != nil {
			return BatchOutcome{}, err
		}
		out.Renewed = renewed
	}
	return out, nil
}

// count adds one group's result to the outcome; an error that is not the
// group's own (the database away) is returned, and the attempt retried.
func (o *BatchOutcome) count(g rules.DueGroup, err error) error {
	switch {
	case err == nil:
		o.Renewed++
	case errors.Is(err, store.ErrInsufficientBalance):
		o.RetriedForFunds++
	case errors.Is(err, store.ErrInUnpaidOrder):
		o.Skipped[SkipInUnpaidOrder]++
	case errors.Is(err, store.ErrNoAccount):
		o.Skipped[SkipNoPayerAccount]++
	case errors.Is(err, store.ErrTermRenewed):
		o.Skipped[SkipAlreadyRenewed]++
	case errors.Is(err, store.ErrNotRenewable):
		o.Skipped[SkipNotRenewable]++
	case errors.Is(err, store.ErrAutoRenewalOff):
		o.Skipped[SkipAutoRenewalOff]++
	case errors.Is(err, store.ErrChargeTooLarge), errors.Is(err, store.ErrPostingConflict),
		errors.Is(err, store.ErrBalanceLimit), dataRefused(err):
		o.Failures = append(o.Failures, GroupFailure{PrimaryID: g.PrimaryID, Term: g.Term, Reason: err.Error()})
	default:
		return err
	}
	return nil
}
