package workflows

import (
	"encoding/json"
	"strings"

	"partnerops/cases"
)

// subjectOf reads a kind's details as D and says what the case is about
// with f: a Process's Subject.
func subjectOf[D any](f func(D) string) func(json.RawMessage) string {
	return func(raw json.RawMessage) string {
		var d D
		if json.Unmarshal(raw, &d) != nil {
			return ""
		}
		return f(d)
	}
}

// joined is the non-empty parts joined by " · ".
func joined(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " · ")
}

// Subject is what a case of kind with these details is about, in a few
// words (the console's subject column, and what text search reads), as
// its process declares; "" when it declares none.
func (c Catalog) Subject(kind cases.Kind, details json.RawMessage) string {
	p, ok := c.Find(kind)
	if !ok || p.Subject == nil {
		return ""
	}
	return p.Subject(details)
}
