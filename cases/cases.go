// Package cases holds the one shape every long-running process shares: the
// case as callers see it, its timeline events, the notifications a step
// sends, and the transition that carries all three to the read model.
// Workflows build these values; activities store them; the API shows them.
package cases

import (
	"encoding/json"
	"time"
)

// Kind names a process.
type Kind string

// The kinds of process partnerops runs.
const (
	KindCertification       Kind = "certification"
	KindCustomerAssociation Kind = "customer_association"
	KindIncentiveSettlement Kind = "incentive_settlement"
	KindOpportunity         Kind = "opportunity"
	KindPartnerExit         Kind = "partner_exit"
	KindPartnerPayment      Kind = "partner_payment"
	KindRenewalRun          Kind = "renewal_run"
)

// SignalObligationsChanged is the signal that tells a partner's running
// exit case that one of its obligations may have cleared (a customer
// dissociated, a withdrawal, a member removed, another case of the
// partner closed): a blocked exit checks again at once.
const SignalObligationsChanged = "obligations_changed"

// Actor is who took a step: a principal, or the system itself.
type Actor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Name string `json:"name"`
}

// Roles an actor can have: those of principals, and the system's own.
const (
	RoleAdmin      = "admin"      // a partner's company account
	RoleMember     = "member"     // a partner's personal account
	RoleCustomer   = "customer"   // a partner's sub-customer
	RoleOps        = "ops"        // vendor staff handling cases
	RoleSupervisor = "supervisor" // vendor staff receiving escalations
	RoleSystem     = "system"     // partnerops itself
)

// System is the actor of automatic steps (checks, deadlines).
var System = Actor{ID: "system", Role: RoleSystem, Name: "partnerops"}

// SLA is a case's deadline and whether it was missed.
type SLA struct {
	DueAt    time.Time `json:"due_at"`
	Breached bool      `json:"breached"`
}

// Case is one running or finished process.
type Case struct {
	ID         string          `json:"id" db:"id"`
	Kind       Kind            `json:"kind" db:"kind"`
	PartnerID  string          `json:"partner_id" db:"partner_id"`
	CustomerID string          `json:"customer_id,omitempty" db:"customer_id"`
	Status     string          `json:"status" db:"status"`
	SLA        *SLA            `json:"sla,omitempty" db:"-"`
	CreatedAt  time.Time       `json:"created_at" db:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at" db:"updated_at"`
	Details    json.RawMessage `json:"details" db:"details"`
	// ClosedAt is when the case's process took its last step; from then on
	// the read model holds all of it.
	ClosedAt *time.Time `json:"closed_at,omitempty" db:"-"`
	// Actions the caller may take now; filled for the caller asking.
	Actions []string `json:"actions" db:"-"`
	// Live says the answer comes from the running process itself; when
	// false it comes from the read model, current as of AsOf (the process
	// is closed, or could not answer in time).
	Live bool       `json:"live" db:"-"`
	AsOf *time.Time `json:"as_of,omitempty" db:"-"`
	// AssigneeID is the staff member working the case ("" for none); only
	// staff are shown it. The read model keeps it, not the process.
	AssigneeID string `json:"assignee_id,omitempty" db:"-"`
}

// Event is one entry of a case's timeline.
type Event struct {
	Seq    int            `json:"seq"`
	Type   string         `json:"type"`
	Status string         `json:"status"`
	Actor  Actor          `json:"actor"`
	Detail map[string]any `json:"detail,omitempty"`
	At     time.Time      `json:"at"`
}

// Audiences a notification can go to.
const (
	AudiencePartner    = "partner"
	AudienceCustomer   = "customer"
	AudienceOps        = "ops"
	AudienceSupervisor = "supervisor"
)

// Notification is a message a step sends.
type Notification struct {
	Audience string `json:"audience"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
}

// Transition is one step of a case as the read model records it, all at once:
// the case's new state, the event that moved it there and what it notifies.
// Event.Seq orders transitions, so a retried or late write of an older state
// changes nothing.
type Transition struct {
	Case          Case           `json:"case"`
	WorkflowID    string         `json:"workflow_id"`
	RunID         string         `json:"run_id"`
	Event         Event          `json:"event"`
	Notifications []Notification `json:"notifications,omitempty"`
	// Subject is what the case is about, as its process declares it: the
	// activity that records the transition fills it in (never the
	// workflow, so it is not part of the workflow's history).
	Subject string `json:"-"`
}
