package rules

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// ResourceType is the kind of a yearly/monthly cloud resource.
type ResourceType string

// The resource types that renew by period.
const (
	ResourceECS                ResourceType = "ecs"                 // a cloud server
	ResourceEVS                ResourceType = "evs"                 // a disk
	ResourceEIP                ResourceType = "eip"                 // an elastic IP
	ResourceBandwidthShared    ResourceType = "bandwidth_shared"    // bandwidth shared by several elastic IPs
	ResourceBandwidthDedicated ResourceType = "bandwidth_dedicated" // the bandwidth of one elastic IP
)

// ResourceTypes lists every type, in the order the API documents them.
func ResourceTypes() []string {
	return []string{string(ResourceECS), string(ResourceEVS), string(ResourceEIP),
		string(ResourceBandwidthShared), string(ResourceBandwidthDedicated)}
}

// Resource statuses (reference: in use, expired, frozen, closed).
const (
	ResourceInUse   = "in_use"
	ResourceExpired = "expired"
	ResourceFrozen  = "frozen"
	ResourceClosed  = "closed"
)

// ResourceStatuses lists every status.
func ResourceStatuses() []string {
	return []string{ResourceInUse, ResourceExpired, ResourceFrozen, ResourceClosed}
}

// ExpiryPolicy is what happens to a resource that reaches its expiry unrenewed.
type ExpiryPolicy string

// The expiry policies (reference: grace period, freeze, switch to
// on-demand, auto-delete; auto-renew is the group's setting, not a policy).
const (
	ExpiryGracePeriod      ExpiryPolicy = "grace_period"        // it stays, expired, and may still be renewed
	ExpiryFreeze           ExpiryPolicy = "freeze"              // it is frozen
	ExpirySwitchToOnDemand ExpiryPolicy = "switch_to_on_demand" // it stays in use, billed on demand
	ExpiryDelete           ExpiryPolicy = "delete"              // it is closed
)

// ExpiryPolicies lists every expiry policy.
func ExpiryPolicies() []string {
	return []string{string(ExpiryGracePeriod), string(ExpiryFreeze), string(ExpirySwitchToOnDemand), string(ExpiryDelete)}
}

// Expired is the status and billing a resource in use takes at expiry
// under policy p: billing "on_demand" for a switch, else "period".
func (p ExpiryPolicy) Expired() (status, billing string) {
	switch p {
	case ExpiryFreeze:
		return ResourceFrozen, "period"
	case ExpirySwitchToOnDemand:
		return ResourceInUse, "on_demand"
	case ExpiryDelete:
		return ResourceClosed, "period"
	}
	return ResourceExpired, "period"
}

// PrimaryTypeOf says which type a resource of type t may be secondary to:
// a disk to a cloud server, an elastic IP to a shared bandwidth, a
// dedicated bandwidth to an elastic IP. ok is false for a type that is
// always a primary; required is true for one that is always a secondary.
func PrimaryTypeOf(t ResourceType) (primary ResourceType, ok, required bool) {
	switch t {
	case ResourceEVS:
		return ResourceECS, true, false
	case ResourceEIP:
		return ResourceBandwidthShared, true, false
	case ResourceBandwidthDedicated:
		return ResourceEIP, true, true
	}
	return "", false, false
}

// GroupProblem returns "" when a resource of type t may be secondary to a
// resource of primaryType that is itself a primary (primaryIsPrimary), or
// be a primary (primaryType ""); else why not, for the field primary_id.
func GroupProblem(t, primaryType ResourceType, primaryIsPrimary bool) string {
	want, ok, required := PrimaryTypeOf(t)
	switch {
	case primaryType == "" && required:
		return fmt.Sprintf("is required: a %s is secondary to an %s", t, want)
	case primaryType == "":
		return ""
	case !ok:
		return fmt.Sprintf("must be empty: a %s is always a primary resource", t)
	case primaryType != want:
		return fmt.Sprintf("must name an %s: a %s is secondary to an %s, not to a %s", want, t, want, primaryType)
	case !primaryIsPrimary:
		return "must name a primary resource, not a secondary one"
	}
	return ""
}

// NewResource is a yearly/monthly resource as billing (or staff, or the
// demo) records it for a customer.
type NewResource struct {
	ID           string       `json:"id" maxLength:"64" doc:"The resource ID, as billing names it"`
	Type         ResourceType `json:"type" enum:"ecs,evs,eip,bandwidth_shared,bandwidth_dedicated"`
	Region       string       `json:"region" maxLength:"64" doc:"e.g. cn-north-4"`
	PrimaryID    string       `json:"primary_id,omitempty" maxLength:"64" doc:"The primary resource of its group; empty for a primary"`
	ExpiresAt    time.Time    `json:"expires_at"`
	ExpiryPolicy ExpiryPolicy `json:"expiry_policy" enum:"grace_period,freeze,switch_to_on_demand,delete"`
	MonthlyPrice Money        `json:"monthly_price" doc:"The price of one month; a year costs twelve"`
	OrderID      string       `json:"order_id,omitempty" maxLength:"64" doc:"The order it is part of; while that order is unpaid it cannot be renewed"`
}

var (
	resourceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)
	regionPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
)

// MaxMonthlyPrice bounds a resource's monthly price (minor units), so a
// group's charge for three years stays far inside a movement's limit.
const MaxMonthlyPrice int64 = 1_000_000_000_000

// Validate names every bad field of r, apart from its group (GroupProblem
// needs the primary, which the store reads).
func (r NewResource) Validate() FieldErrors {
	var errs FieldErrors
	if !resourceIDPattern.MatchString(r.ID) {
		errs.add("id", "must be 1 to 64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit")
	}
	if !slices.Contains(ResourceTypes(), string(r.Type)) {
		errs.add("type", "must be one of ecs, evs, eip, bandwidth_shared, bandwidth_dedicated")
	}
	if !regionPattern.MatchString(r.Region) {
		errs.add("region", "must be a region name such as cn-north-4 (lower-case letters, digits and '-')")
	}
	if r.PrimaryID != "" && !resourceIDPattern.MatchString(r.PrimaryID) {
		errs.add("primary_id", "must be a resource ID")
	} else if r.PrimaryID == r.ID && r.ID != "" {
		errs.add("primary_id", "must name another resource")
	} else if _, _, required := PrimaryTypeOf(r.Type); required && r.PrimaryID == "" {
		errs.add("primary_id", GroupProblem(r.Type, "", false))
	} else if _, ok, _ := PrimaryTypeOf(r.Type); !ok && r.PrimaryID != "" && slices.Contains(ResourceTypes(), string(r.Type)) {
		errs.add("primary_id", GroupProblem(r.Type, ResourceECS, true))
	}
	if r.ExpiresAt.IsZero() {
		errs.add("expires_at", "is required")
	}
	if !slices.Contains(ExpiryPolicies(), string(r.ExpiryPolicy)) {
		errs.add("expiry_policy", "must be one of grace_period, freeze, switch_to_on_demand, delete")
	}
	errs = append(errs, r.MonthlyPrice.ValidateMovement("monthly_price")...)
	if r.MonthlyPrice.Amount > MaxMonthlyPrice {
		errs.add("monthly_price.amount", fmt.Sprintf("must be at most %d minor units", MaxMonthlyPrice))
	}
	if r.OrderID != "" && !resourceIDPattern.MatchString(r.OrderID) {
		errs.add("order_id", "must be an order ID")
	}
	return errs
}
