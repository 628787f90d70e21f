package api

import (
	"encoding/json"
	"slices"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/workflows"
)

// actionInputs holds the schema of every action's input, generated from
// its Go type in the case's action table the way Huma generates the
// schemas of the API's own bodies: an action's input is checked like any
// other body (unknown fields, types, every bad field at once) before the
// workflow is asked.
type actionInputs struct {
	mu       sync.Mutex
	registry huma.Registry
}

var actionSchemas = &actionInputs{registry: huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)}

// problems names every field of input that the action's input type does
// not take, and then every other field its rules refuse.
func (a *actionInputs) problems(kind cases.Kind, action string, input json.RawMessage) rules.FieldErrors {
	t, ok := workflows.ActionInput(kind, action)
	if !ok {
		return nil
	}
	var parsed any
	if err := json.Unmarshal(input, &parsed); err != nil {
		return rules.FieldErrors{{Field: "body", Message: "must be a JSON object with the action's fields"}}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	schema := a.registry.Schema(t, true, "")
	for _, s := range a.registry.Map() {
		s.PrecomputeMessages()
	}
	res := &huma.ValidateResult{}
	pb := huma.NewPathBuffer([]byte{}, 0)
	pb.Push("body")
	huma.Validate(a.registry, schema, pb, huma.ModeWriteToServer, parsed, res)
	fields := schemaFields(res.Errors, nil)
	for _, f := range workflows.ActionInputProblems(kind, action, input) {
		if !slices.ContainsFunc(fields, func(seen rules.FieldError) bool { return seen.Field == f.Field }) {
			fields = append(fields, f)
		}
	}
	return fields
}
