package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"partnerops/cases"
)

// Process is the one declaration of a kind of case: everything the rest of
// partnerops knows about it (the worker's registration, the closed
// statuses, the console's queues and SLA pauses, the API's case schema,
// its actions and its schedule) is read from it. Each kind declares its
// own in its own file; declared (registry.go) lists them.
type Process struct {
	Kind     cases.Kind
	Workflow string // the workflow's registered name
	Run      any    // the workflow function
	// Statuses are every status of the kind, in the order the API lists
	// them (needs_attention, which every kind has, is implied).
	Statuses []Status
	// Actions is the kind's action table, as table.static gives it.
	Actions []action
	// The API's schema of a case of the kind: its name, the type of its
	// details, and what the case is.
	Schema      string
	Details     reflect.Type
	Description string
	// Subject says what a case is about in a few words, from its details
	// (subjectOf): the console's subject column and the text search read
	// it. Nil: nothing.
	Subject func(details json.RawMessage) string
	// Schedule, when set, is the Temporal Schedule that starts the kind's
	// cases (the worker makes sure it exists).
	Schedule *Schedule
}

// Party is who a case waits on in a status.
type Party string

// The parties a case can wait on.
const (
	Partner  Party = "partner"  // the partner's admin or members act
	Customer Party = "customer" // the partner's customer acts
	Ops      Party = "ops"      // vendor staff act
	System   Party = "system"   // partnerops itself: a step runs, or a period runs out
)

// Status is one status of a kind.
type Status struct {
	Name string
	// Start: a case may start in it.
	Start bool
	// Final: the case ends in it. Every other status waits on someone.
	Final   bool
	WaitsOn Party
	// PausesSLA: the case's SLA clock stands still in it.
	PausesSLA bool
	// Next are the statuses the process moves the case to by itself from
	// here (checks, deadlines), as the diagrams show them; actions declare
	// their own.
	Next []string
}

// Schedule is a daily Temporal Schedule starting a kind's workflow with
// Input, at Hour in the business time zone; a run the server missed still
// starts up to CatchUp late.
type Schedule struct {
	ID      string
	Hour    int
	CatchUp time.Duration
	Input   any
}

// Catalog is a list of declared processes, and what is derived from it.
type Catalog []Process

// Declared is every process partnerops runs.
func Declared() Catalog { return slices.Clone(declared) }

// Find is the declaration of kind.
func (c Catalog) Find(kind cases.Kind) (Process, bool) {
	i := slices.IndexFunc(c, func(p Process) bool { return p.Kind == kind })
	if i < 0 {
		return Process{}, false
	}
	return c[i], true
}

// Kinds are the declared kinds, in the catalog's order.
func (c Catalog) Kinds() []cases.Kind {
	kinds := make([]cases.Kind, len(c))
	for i, p := range c {
		kinds[i] = p.Kind
	}
	return kinds
}

// Statuses are the names of kind's statuses.
func (c Catalog) Statuses(kind cases.Kind) []string {
	p, _ := c.Find(kind)
	return p.statusNames()
}

func (p Process) statusNames() []string {
	names := make([]string, len(p.Statuses))
	for i, st := range p.Statuses {
		names[i] = st.Name
	}
	return names
}

// status is the declaration of one of p's statuses.
func (p Process) status(name string) (Status, bool) {
	i := slices.IndexFunc(p.Statuses, func(st Status) bool { return st.Name == name })
	if i < 0 {
		return Status{}, false
	}
	return p.Statuses[i], true
}

// Awaiting are the statuses, of every kind, in which a case waits on
// party (the console's queues), as "kind:status": a status name means
// this only in its own kind.
func (c Catalog) Awaiting(party Party) []string {
	var out []string
	for _, p := range c {
		for _, st := range p.Statuses {
			if st.WaitsOn == party {
				out = append(out, string(p.Kind)+":"+st.Name)
			}
		}
	}
	return out
}

// WaitsOn is who a case of kind in status waits on ("" when final).
func (c Catalog) WaitsOn(kind cases.Kind, status string) Party {
	p, _ := c.Find(kind)
	st, _ := p.status(status)
	return st.WaitsOn
}

// PausesSLA reports whether a case of kind in status has its SLA clock stopped.
func (c Catalog) PausesSLA(kind cases.Kind, status string) bool {
	p, _ := c.Find(kind)
	st, _ := p.status(status)
	return st.PausesSLA
}

// Closed reports whether a case of kind in status is finished: one of its
// final statuses, or needs attention (which every kind may end in).
func (c Catalog) Closed(kind cases.Kind, status string) bool {
	if status == StatusNeedsAttention {
		return true
	}
	p, _ := c.Find(kind)
	st, _ := p.status(status)
	return st.Final
}

// Registry is what workflows can be registered on: a worker, a replayer,
// a test environment.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Register puts every process's workflow, and every sweep, on r under its
// registered name.
func (c Catalog) Register(r Registry) {
	for _, p := range c {
		r.RegisterWorkflowWithOptions(p.Run, workflow.RegisterOptions{Name: p.Workflow})
	}
	for name, sweep := range sweeps {
		r.RegisterWorkflowWithOptions(sweep, workflow.RegisterOptions{Name: name})
	}
}

// Register puts every declared process's workflow, and every sweep, on r.
func Register(r Registry) { declared.Register(r) }

// partyRoles are the roles that act for a party.
var partyRoles = map[Party][]string{
	Partner:  cases.PartnerRoles,
	Customer: {cases.RoleCustomer},
	Ops:      cases.StaffRoles,
}

// Check names every flaw of the catalog's declarations: a kind declared
// twice or without a schema, a status in no queue (neither final nor
// waiting on someone) or declared twice, a status waiting on a party that
// has no action in it, an action or a move naming an undeclared status,
// an action taken in a final status or claiming no status.
func (c Catalog) Check() error {
	var errs []error
	flaw := func(p Process, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{p.Kind}, args...)...))
	}
	kinds := map[cases.Kind]bool{}
	for _, p := range c {
		if kinds[p.Kind] {
			flaw(p, "declared twice")
		}
		kinds[p.Kind] = true
		if p.Workflow == "" || p.Run == nil {
			flaw(p, "no workflow")
		}
		if !slices.ContainsFunc(p.Statuses, func(st Status) bool { return st.Start }) {
			flaw(p, "no status it starts in")
		}
		if p.Schema == "" || p.Details == nil || p.Description == "" {
			flaw(p, "no case schema (Schema, Details and Description)")
		}
		declaredStatus := func(name string) bool { _, ok := p.status(name); return ok }
		seen := map[string]bool{}
		for _, st := range p.Statuses {
			switch {
			case seen[st.Name]:
				flaw(p, "status %s declared twice", st.Name)
			case st.Final && st.WaitsOn != "":
				flaw(p, "final status %s waits on %s", st.Name, st.WaitsOn)
			case !st.Final && !slices.Contains([]Party{Partner, Customer, Ops, System}, st.WaitsOn):
				flaw(p, "status %s is in no queue: it is not final and waits on no one (partner, customer, ops or system)", st.Name)
			}
			seen[st.Name] = true
			if roles, ok := partyRoles[st.WaitsOn]; ok && !slices.ContainsFunc(p.Actions, func(a action) bool {
				spec := a.spec()
				return slices.Contains(spec.from, st.Name) && slices.ContainsFunc(spec.roles, func(r string) bool { return slices.Contains(roles, r) })
			}) {
				flaw(p, "status %s waits on %s, who has no action in it", st.Name, st.WaitsOn)
			}
			for _, next := range st.Next {
				if !declaredStatus(next) {
					flaw(p, "status %s moves to undeclared %s", st.Name, next)
				}
			}
		}
		for _, a := range p.Actions {
			spec := a.spec()
			if len(spec.to) == 0 {
				flaw(p, "action %s claims no status", spec.name)
			}
			for _, from := range spec.from {
				if st, ok := p.status(from); !ok || st.Final {
					flaw(p, "action %s is taken in %s, not a declared open status", spec.name, from)
				}
			}
			for _, to := range spec.to {
				if !declaredStatus(to) {
					flaw(p, "action %s claims undeclared %s", spec.name, to)
				}
			}
		}
	}
	return errors.Join(errs...)
}
