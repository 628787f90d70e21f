package api

import (
	"reflect"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/workflows"
)

// A case answer is documented by its kind (AnyCase): each declared
// process has a schema of its own (workflows.Process) naming its
// statuses, its actions and its details.

// withNeedsAttention adds needs_attention, which every kind may end in
// (workflows.StatusNeedsAttention), to a kind's statuses.
func withNeedsAttention(statuses []string) []string {
	if slices.Contains(statuses, workflows.StatusNeedsAttention) {
		return statuses
	}
	return append(slices.Clip(statuses), workflows.StatusNeedsAttention)
}

// anyCaseSchemaName names a case of any kind, told apart by kind.
const anyCaseSchemaName = "AnyCase"

// registerCaseSchemas adds AnyCase and the schema of each process of
// catalog to r.
func registerCaseSchemas(r huma.Registry, catalog workflows.Catalog) {
	plain := r.Schema(reflect.TypeFor[cases.Case](), true, "")
	anyCase := &huma.Schema{
		Description:   "A case of any kind, told apart by kind.",
		Discriminator: &huma.Discriminator{PropertyName: "kind", Mapping: map[string]string{}},
	}
	for _, p := range catalog {
		ref := "#/components/schemas/" + p.Schema
		anyCase.OneOf = append(anyCase.OneOf, &huma.Schema{Ref: ref})
		anyCase.Discriminator.Mapping[string(p.Kind)] = ref
		r.Map()[p.Schema] = &huma.Schema{Description: p.Description, AllOf: []*huma.Schema{plain, {
			Type: huma.TypeObject,
			Properties: map[string]*huma.Schema{
				"kind":    enumSchema([]cases.Kind{p.Kind}, ""),
				"status":  enumSchema(withNeedsAttention(catalog.Statuses(p.Kind)), ""),
				"details": r.Schema(p.Details, true, ""),
				"actions": {Type: huma.TypeArray, Items: enumSchema(workflows.ActionNames(p.Kind), "")},
			},
		}}}
	}
	r.Map()[anyCaseSchemaName] = anyCase
}
