package workflows

import (
	"fmt"
	"slices"
	"strings"
)

// Diagram is the process's transitions as a Mermaid state diagram: where
// a case starts, the actions (labelled) and the process's own moves
// (unlabelled) between its statuses, where it ends, and who each status
// waits on (its class). needs_attention, which any step may end in, is
// left out.
//
// An action is drawn from each status it is taken in to each it may
// claim, except between two statuses it is both taken in and claims: such
// an action (extend) keeps the case where it is.
func (p Process) Diagram() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	seen := map[string]bool{}
	line := func(format string, args ...any) {
		l := fmt.Sprintf(format, args...)
		if !seen[l] {
			seen[l] = true
			b.WriteString("    " + l + "\n")
		}
	}
	for _, st := range p.Statuses {
		if st.Start {
			line("[*] --> %s", st.Name)
		}
	}
	for _, a := range p.Actions {
		spec := a.spec()
		for _, from := range spec.from {
			for _, to := range spec.to {
				if to == from || !slices.Contains(spec.from, to) || !slices.Contains(spec.to, from) {
					line("%s --> %s: %s", from, to, spec.name)
				}
			}
		}
	}
	for _, st := range p.Statuses {
		for _, next := range st.Next {
			line("%s --> %s", st.Name, next)
		}
		if st.Final {
			line("%s --> [*]", st.Name)
		}
	}
	parties := map[Party][]string{}
	for _, st := range p.Statuses {
		if !st.Final {
			parties[st.WaitsOn] = append(parties[st.WaitsOn], st.Name)
		}
	}
	for _, party := range []Party{Partner, Customer, Ops, System} {
		if names := parties[party]; len(names) > 0 {
			line("classDef %s %s", party, partyStyle[party])
			line("class %s %s", strings.Join(names, ","), party)
		}
	}
	return b.String()
}

// partyStyle is how the diagrams colour the statuses waiting on each party.
var partyStyle = map[Party]string{
	Partner:  "fill:#fde68a,stroke:#b45309",
	Customer: "fill:#fbcfe8,stroke:#be185d",
	Ops:      "fill:#bfdbfe,stroke:#1d4ed8",
	System:   "fill:#e5e7eb,stroke:#6b7280",
}

// partyName is a party in a sentence.
var partyName = map[Party]string{Partner: "the partner", Customer: "the customer", Ops: "ops"}

// Diagrams are the catalog's diagrams as a Markdown section: one heading,
// legend and Mermaid diagram per kind.
func (c Catalog) Diagrams() string {
	var b strings.Builder
	for _, p := range c {
		fmt.Fprintf(&b, "### %s\n\n", p.Kind)
		var waits []string
		for _, party := range []Party{Partner, Customer, Ops} {
			var names []string
			for _, st := range p.Statuses {
				if st.WaitsOn == party {
					names = append(names, st.Name)
				}
			}
			if len(names) > 0 {
				waits = append(waits, fmt.Sprintf("on %s: %s", partyName[party], strings.Join(names, ", ")))
			}
		}
		if len(waits) > 0 {
			fmt.Fprintf(&b, "Waiting %s.", strings.Join(waits, "; "))
		}
		var paused []string
		for _, st := range p.Statuses {
			if st.PausesSLA {
				paused = append(paused, st.Name)
			}
		}
		if len(paused) > 0 {
			fmt.Fprintf(&b, " The SLA clock stops in %s.", strings.Join(paused, ", "))
		}
		fmt.Fprintf(&b, "\n\n```mermaid\n%s```\n\n", p.Diagram())
	}
	return b.String()
}
