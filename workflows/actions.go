package workflows

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"partnerops/cases"
	"partnerops/rules"
)

// What the console needs to know about a kind's actions, read from its
// action table: the input type a form is built from, and whether the step
// is final (asks for a confirmation).

// ActionInput is the type of the input of a kind's action; false when the
// kind has no such action.
func ActionInput(kind cases.Kind, name string) (reflect.Type, bool) {
	for _, a := range actionTable(kind) {
		if a.spec().name == name {
			return a.inputType(), true
		}
	}
	return nil, false
}

// ActionInputProblems are the fields a kind's action's own rules refuse in
// input (none for an action the kind does not have): the API names them
// with the schema's complaints, so that a request hears of every bad field
// at once, not the schema's first and the rules' after.
func ActionInputProblems(kind cases.Kind, name string, input []byte) rules.FieldErrors {
	for _, a := range actionTable(kind) {
		if a.spec().name == name {
			return a.inputProblems(input)
		}
	}
	return nil
}

// FinalAction reports whether the action can end the case or take a step
// no one can act on afterwards (money moves, the order is handed back): for
// its empty input, or for any choice of a field its input offers choices
// for (enum), it may claim a status that closes the case or that no action
// of the kind's table leaves.
func FinalAction(kind cases.Kind, name string) bool {
	table := actionTable(kind)
	for _, a := range table {
		if a.spec().name != name {
			continue
		}
		for _, in := range inputChoices(a.inputType()) {
			statuses, err := a.claims(in)
			if err != nil {
				continue
			}
			for _, status := range statuses {
				if declared.Closed(kind, status) || !leftBy(table, status) {
					return true
				}
			}
		}
	}
	return false
}

// leftBy reports whether some action of table can be taken in status.
func leftBy(table []action, status string) bool {
	return slices.ContainsFunc(table, func(a action) bool { return slices.Contains(a.spec().from, status) })
}

// inputChoices are inputs of type t as JSON: the empty one, and one per
// choice of each field with an enum tag.
func inputChoices(t reflect.Type) [][]byte {
	choices := [][]byte{[]byte(`{}`)}
	if t.Kind() != reflect.Struct {
		return choices
	}
	for f := range t.Fields() {
		enum, name := f.Tag.Get("enum"), strings.Split(f.Tag.Get("json"), ",")[0]
		if enum == "" || name == "" {
			continue
		}
		for v := range strings.SplitSeq(enum, ",") {
			in, _ := json.Marshal(map[string]string{name: v})
			choices = append(choices, in)
		}
	}
	return choices
}
