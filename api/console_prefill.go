package api

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"partnerops/cases"
	"partnerops/workflows"
)

// An action whose input is a part of the case's details starts from what
// the case holds: resubmit takes again the business information (or the
// opportunity) the case shows, so the partner corrects what the checks or
// the reviewer named instead of typing it all again. Which part is derived
// from the declaration: the details field whose Go type is the action's
// input type.

// prefillValues is the part of details an action's form starts from, or
// nil when the action's input is no part of the case's details.
func prefillValues(kind cases.Kind, action string, details map[string]any) map[string]any {
	in, ok := workflows.ActionInput(kind, action)
	p, declared := workflows.Declared().Find(kind)
	if !ok || !declared || p.Details == nil {
		return nil
	}
	t := p.Details
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.Type == in {
			part, _ := details[strings.Split(f.Tag.Get("json"), ",")[0]].(map[string]any)
			return part
		}
	}
	return nil
}

// prefill sets each field's value from values (the JSON the case holds),
// as the form shows and sends it back: dates as days in loc, lists a line
// per item, numbers as written.
func prefill(fields []formField, values map[string]any, loc *time.Location) {
	for i := range fields {
		f := &fields[i]
		v, ok := values[f.Name[strings.LastIndex(f.Name, ".")+1:]]
		if !ok || v == nil {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if f.Control == "group" {
				prefill(f.Fields, x, loc)
			}
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil && f.Control == "date" {
				f.Value = t.In(loc).Format(time.DateOnly)
			} else {
				f.Value = x
			}
		case float64:
			f.Value = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			if x {
				f.Value = "yes"
			}
		case []any:
			var lines []string
			for _, item := range x {
				if s, ok := item.(string); ok {
					lines = append(lines, s)
				}
			}
			f.Value = strings.Join(lines, "\n")
		}
	}
}
