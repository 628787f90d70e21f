package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
)

// An action's form is built from its input's schema (the one Huma derives
// from the Go type the workflow decodes): a field per property, choices
// for enums, a text area for reasons and messages, a fieldset for a nested
// object. Its answer is turned back into the JSON the API's action route
// takes.

// formField is one field of an action's form.
type formField struct {
	Name     string // dotted path: contact.email
	Label    string // the field's own name, shown as its label
	Control  string // text, textarea, choice, number, checkbox, lines, date, group
	Choices  []string
	Required bool
	Doc      string
	Value    string
	Error    string
	Fields   []formField // of a group
}

// actionForm is one action the viewer may take, as a form.
type actionForm struct {
	Name      string
	Label     string // the action's name, shown as its label
	Final     bool   // asks for a confirmation
	Fields    []formField
	Confirm   string // the confirmation's error
	Confirmed bool   // the confirmation was ticked (kept when the form comes back)
	Error     string // the action's error not about one field
}

var (
	formRegistry = huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)
	// formsMu guards the registry, which is not safe for concurrent use
	formsMu sync.Mutex
)

// formFields are the fields of the input type t, new for each form.
func formFields(t reflect.Type) []formField {
	formsMu.Lock()
	defer formsMu.Unlock()
	return fieldsOf(formRegistry.Schema(t, true, ""), "")
}

func resolved(s *huma.Schema) *huma.Schema {
	if s != nil && s.Ref != "" {
		return formRegistry.SchemaFromRef(s.Ref)
	}
	return s
}

func fieldsOf(s *huma.Schema, prefix string) []formField {
	s = resolved(s)
	if s == nil {
		return nil
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	// the required first, in the schema's order of requirement, then the rest by name
	slices.SortStableFunc(names, func(a, b string) int {
		ia, ib := slices.Index(s.Required, a), slices.Index(s.Required, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	var fields []formField
	for _, name := range names {
		p := resolved(s.Properties[name])
		f := formField{Name: prefix + name, Label: name, Required: slices.Contains(s.Required, name), Doc: p.Description}
		switch {
		case p.Type == huma.TypeObject:
			f.Control, f.Fields = "group", fieldsOf(p, f.Name+".")
		case len(p.Enum) > 0:
			f.Control = "choice"
			for _, e := range p.Enum {
				f.Choices = append(f.Choices, fmt.Sprint(e))
			}
		case p.Type == huma.TypeInteger || p.Type == huma.TypeNumber:
			f.Control = "number"
		case p.Type == huma.TypeBoolean:
			f.Control = "checkbox"
		case p.Format == "date-time":
			f.Control = "date"
		case p.Type == huma.TypeArray:
			f.Control = "lines"
		case isProse(name):
			f.Control = "textarea"
		default:
			f.Control = "text"
		}
		fields = append(fields, f)
	}
	return fields
}

// isProse: reasons and messages are written in a text area.
func isProse(name string) bool {
	return slices.ContainsFunc([]string{"reason", "message", "note", "comment", "description"}, func(w string) bool {
		return strings.Contains(name, w)
	})
}

// inputOf reads the form's answer into the action's JSON input, keeping
// what was typed in fields (to show the form again) and naming the values
// that cannot be what the schema says (a number that is not one). A date
// ("2027-01-15", as the date picker sends it) is the end of that day in the
// business time zone loc, as deadlines are; an RFC 3339 instant is taken
// as it is.
func inputOf(fields []formField, value func(string) string, loc *time.Location) ([]byte, rules.FieldErrors) {
	var errs rules.FieldErrors
	var walk func(fields []formField) map[string]any
	walk = func(fields []formField) map[string]any {
		obj := map[string]any{}
		for i := range fields {
			f := &fields[i]
			key := f.Name[strings.LastIndex(f.Name, ".")+1:]
			if f.Control == "group" {
				obj[key] = walk(f.Fields)
				continue
			}
			f.Value = value(f.Name)
			raw := strings.TrimSpace(f.Value)
			switch {
			case f.Control == "checkbox":
				obj[key] = raw != ""
			case raw == "":
				// absent: the workflow's rules name it if it is required
			case f.Control == "number":
				n, err := strconv.ParseInt(raw, 10, 64)
				if err != nil {
					errs = append(errs, rules.FieldError{Field: f.Name, Message: "must be a whole number"})
					continue
				}
				obj[key] = n
			case f.Control == "date":
				if day, err := time.ParseInLocation(time.DateOnly, raw, loc); err == nil {
					obj[key] = day.Add(24*time.Hour - time.Second).Format(time.RFC3339)
				} else if _, err := time.Parse(time.RFC3339, raw); err == nil {
					obj[key] = raw
				} else {
					errs = append(errs, rules.FieldError{Field: f.Name, Message: "must be a date such as 2027-01-15"})
				}
			case f.Control == "lines":
				var lines []string
				for l := range strings.Lines(raw) {
					if l = strings.TrimSpace(l); l != "" {
						lines = append(lines, l)
					}
				}
				obj[key] = lines
			default:
				obj[key] = f.Value
			}
		}
		return obj
	}
	body, _ := json.Marshal(walk(fields)) // maps of strings, numbers and bools always marshal
	return body, errs
}

// withErrors puts each field error beside its field; those of no field are
// returned.
func withErrors(fields []formField, errs rules.FieldErrors) rules.FieldErrors {
	var rest rules.FieldErrors
	for _, e := range errs {
		if !placeError(fields, e) {
			rest = append(rest, e)
		}
	}
	return rest
}

func placeError(fields []formField, e rules.FieldError) bool {
	for i := range fields {
		if fields[i].Name == e.Field && fields[i].Control != "group" {
			fields[i].Error = e.Message
			return true
		}
		if placeError(fields[i].Fields, e) {
			return true
		}
	}
	return false
}
