package events

import (
	"encoding/json"
	"fmt"
	"time"

	"partnerops/cases"
)

// Envelope is the JSON body of every delivery (the Standard Webhooks
// shape: type, timestamp, data), the same for a replay.
type Envelope struct {
	ID        string    `json:"id" doc:"The event's ID, also in the webhook-id header; the same on every retry and replay: de-duplicate by it."`
	Type      string    `json:"type" doc:"The event type (see the catalogue)."`
	Timestamp time.Time `json:"timestamp" doc:"When the change happened."`
	PartnerID string    `json:"partner_id"`
	Case      *CaseRef  `json:"case,omitempty" doc:"The case it is about; absent for a record's event."`
	Data      Data      `json:"data"`
}

// CaseRef names a case and the step of it an event is about.
type CaseRef struct {
	Kind cases.Kind `json:"kind"`
	ID   string     `json:"id"`
	Seq  int        `json:"seq" doc:"The case's sequence number after this step: a case's events carry increasing seq."`
}

// Data is what the event says: for a case, the case as the partner's own
// token reads it (GET /v1/cases/{id}) and the step of its timeline; for a
// record, the record.
type Data struct {
	// PreviousStatus is the case's status before the step (null for a new case).
	PreviousStatus *string           `json:"previous_status,omitempty" doc:"The case's status before this step (case.status_changed; absent for a new case)."`
	Case           *CaseView         `json:"case,omitempty"`
	Step           *cases.Event      `json:"step,omitempty" doc:"The step of the case's timeline (GET /v1/cases/{id}/events)."`
	Message        string            `json:"message,omitempty" doc:"The notification the partner got for this step."`
	Renewal        *RenewalShortfall `json:"renewal,omitempty"`
}

// CaseView is a case as its partner reads it, without the caller-specific
// parts (actions, liveness).
type CaseView struct {
	ID         string          `json:"id"`
	Kind       cases.Kind      `json:"kind"`
	PartnerID  string          `json:"partner_id"`
	CustomerID string          `json:"customer_id,omitempty"`
	Status     string          `json:"status"`
	SLA        *cases.SLA      `json:"sla,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	ClosedAt   *time.Time      `json:"closed_at,omitempty"`
	Details    json.RawMessage `json:"details" doc:"The kind's own details, as GET /v1/cases/{id} shows them."`
}

// RenewalShortfall is a resource group the renewal sweep could not renew.
type RenewalShortfall struct {
	ResourceID string `json:"resource_id" doc:"The group's primary resource."`
	CustomerID string `json:"customer_id"`
	Reason     string `json:"reason"`
}

// Raised is an event about to be written: its envelope (without its ID,
// which the store gives it), the change it comes from, and the key that
// orders it among the partner's events.
type Raised struct {
	Envelope Envelope
	// Source names the change: a retried write of it raises nothing new.
	Source string
	// Subject orders delivery: events of one subject never overtake each other.
	Subject string
}

// FromTransition is what a step of a partner's case raises:
// case.status_changed when its status changed (previous is the status
// before it, "" for a new case), and the type of each partner
// notification the catalogue declares. A case of no partner raises none.
func FromTransition(t cases.Transition, previous string) []Raised {
	c := t.Case
	if c.PartnerID == "" {
		return nil
	}
	details := c.Details
	if len(details) == 0 {
		details = json.RawMessage(`{}`)
	}
	view := &CaseView{ID: c.ID, Kind: c.Kind, PartnerID: c.PartnerID, CustomerID: c.CustomerID, Status: c.Status, SLA: c.SLA,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ClosedAt: c.ClosedAt, Details: details}
	step := t.Event
	raise := func(typ string, data Data) Raised {
		data.Case, data.Step = view, &step
		return Raised{
			Envelope: Envelope{Type: typ, Timestamp: step.At, PartnerID: c.PartnerID,
				Case: &CaseRef{Kind: c.Kind, ID: c.ID, Seq: step.Seq}, Data: data},
			Source:  fmt.Sprintf("case:%s:%d", c.ID, step.Seq),
			Subject: "case:" + c.ID,
		}
	}
	var raised []Raised
	if previous != c.Status {
		data := Data{}
		if previous != "" {
			data.PreviousStatus = &previous
		}
		raised = append(raised, raise(StatusChanged, data))
	}
	for _, n := range t.Notifications {
		if n.Audience != cases.AudiencePartner {
			continue
		}
		if typ, ok := byNotice(c.Kind, n.Kind); ok {
			raised = append(raised, raise(typ.Name, Data{Message: n.Message}))
		}
	}
	return raised
}

// FromRenewalShortfall is the event of a group the sweep could not renew
// at asOf for lack of funds.
func FromRenewalShortfall(partnerID string, r RenewalShortfall, asOf time.Time) Raised {
	return Raised{
		Envelope: Envelope{Type: RenewalFailedFunds, Timestamp: asOf, PartnerID: partnerID, Data: Data{Renewal: &r}},
		Source:   fmt.Sprintf("renewal:%s:%s", r.ResourceID, asOf.UTC().Format(time.RFC3339Nano)),
		Subject:  "resource:" + r.ResourceID,
	}
}
