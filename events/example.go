package events

import (
	"encoding/json"
	"time"

	"partnerops/cases"
)

// exampleAt is the time of the docs' examples.
var exampleAt = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

// caseExample is the data of a docs example: a case of kind in status,
// moved there by the step event, with the partner's message.
func caseExample(kind cases.Kind, status, event, message string) Data {
	return Data{
		Case: &CaseView{ID: "cas_0195f3c2-7a4e-7b1a-9c1e-3f2d1e0a9b8c", Kind: kind, PartnerID: "prt_0195f3c2-1111-7000-8000-000000000001",
			Status: status, CreatedAt: exampleAt.Add(-time.Hour), UpdatedAt: exampleAt, Details: json.RawMessage(`{}`)},
		Step:    &cases.Event{Seq: 3, Type: event, Status: status, Actor: cases.System, At: exampleAt},
		Message: message,
	}
}

// Example is the envelope a partner would receive for t.
func (t Type) Example() Envelope {
	e := Envelope{ID: "evt_0195f3c2-9d0e-7c3b-8a2f-5b6c7d8e9f00", Type: t.Name, Timestamp: exampleAt,
		PartnerID: "prt_0195f3c2-1111-7000-8000-000000000001", Data: t.ExampleData}
	if c := t.ExampleData.Case; c != nil {
		e.Case = &CaseRef{Kind: c.Kind, ID: c.ID, Seq: t.ExampleData.Step.Seq}
	}
	return e
}
