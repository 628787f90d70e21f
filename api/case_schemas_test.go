package api

import (
	"reflect"
	"slices"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/workflows"
)

// A process declared here, and nowhere else, has its case schema, its
// statuses among the console's and its partner turn in the partner's queue.
func TestAToyProcessIsDocumented(t *testing.T) {
	toy := workflows.Process{
		Kind: "toy", Workflow: "Toy", Run: func() {},
		Statuses: []workflows.Status{{Name: "toying", Start: true, WaitsOn: workflows.Partner}, {Name: "toyed", Final: true}},
		Schema:   "ToyCase", Details: reflect.TypeFor[struct {
			Toy string `json:"toy"`
		}](), Description: "A toy.",
	}
	catalog := append(workflows.Declared(), toy)
	r := huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)
	registerCaseSchemas(r, catalog)
	schema, ok := r.Map()["ToyCase"]
	if !ok {
		t.Fatal("the toy has no schema")
	}
	if status := schema.AllOf[1].Properties["status"]; !slices.Contains(status.Enum, any("toying")) || !slices.Contains(status.Enum, any(workflows.StatusNeedsAttention)) {
		t.Errorf("the toy's statuses: %v", status.Enum)
	}
	if got := r.Map()[anyCaseSchemaName].Discriminator.Mapping["toy"]; got != "#/components/schemas/ToyCase" {
		t.Errorf("AnyCase maps toy to %q", got)
	}
	for _, p := range workflows.Declared() {
		if _, ok := r.Map()[p.Schema]; !ok {
			t.Errorf("%s has no schema", p.Kind)
		}
	}
	if !slices.Contains(knownStatuses(catalog), "toying") {
		t.Error("the console does not know the toy's statuses")
	}
	if !slices.Contains(catalog.Awaiting(workflows.Partner), "toy:toying") {
		t.Error("the toy's partner turn is not in the partner's queue")
	}
}
