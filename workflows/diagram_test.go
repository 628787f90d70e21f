package workflows

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated diagrams in docs/processes.md")

// The generated part of docs/processes.md lies between these lines.
const (
	diagramsBegin = "<!-- BEGIN GENERATED from the declarations (go test ./workflows -run TestProcessDiagrams -update); do not edit -->\n"
	diagramsEnd   = "<!-- END GENERATED -->\n"
	processesDoc  = "../docs/processes.md"
)

// TestProcessDiagrams fails when docs/processes.md does not show the
// declared processes as they are.
func TestProcessDiagrams(t *testing.T) {
	raw, err := os.ReadFile(processesDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	begin, end := strings.Index(doc, diagramsBegin), strings.Index(doc, diagramsEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s has no generated section (%q ... %q)", processesDoc, diagramsBegin, diagramsEnd)
	}
	want := diagramsBegin + "\n" + Declared().Diagrams() + diagramsEnd
	got := doc[begin : end+len(diagramsEnd)]
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("the diagrams in %s are stale: run `go test ./workflows -run TestProcessDiagrams -update`", processesDoc)
	}
	if err := os.WriteFile(processesDoc, []byte(doc[:begin]+want+doc[end+len(diagramsEnd):]), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiagramDrawsActionsAndMoves(t *testing.T) {
	d := certificationProcess.Diagram()
	for _, want := range []string{
		"[*] --> checking", "in_review --> certified: approve", "ticket_open --> rejected: resolve",
		"checking --> in_review\n", "rejected --> expired\n", "certified --> [*]", "class rejected,ticket_awaiting_partner partner",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("the certification's diagram lacks %q:\n%s", want, d)
		}
	}
	// extend keeps the case where it is, and takes a lapsed one back
	s := incentiveSettlementProcess.Diagram()
	for _, want := range []string{"awaiting_invoice --> awaiting_invoice: extend", "lapsed --> awaiting_invoice: extend"} {
		if !strings.Contains(s, want) {
			t.Errorf("the settlement's diagram lacks %q", want)
		}
	}
	if strings.Contains(s, "awaiting_invoice --> awaiting_application: extend") {
		t.Error("extend is drawn between two statuses it keeps")
	}
}
