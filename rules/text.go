package rules

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text rules hold for every string the API takes, whatever its field: no
// NUL byte (PostgreSQL refuses it), valid UTF-8 (nothing is stored as
// U+FFFD in place of what was sent), no control characters (escape
// sequences, bells…). Free text (a reason, a message, a memo) may keep
// line breaks and tabs; any other string is one line.

// TextProblem returns "" when s is acceptable text, else a message to
// follow the field's name. multiline allows line breaks and tabs.
func TextProblem(s string, multiline bool) string {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError):
		return "must be valid UTF-8 text"
	case strings.ContainsRune(s, 0):
		return "may not contain a NUL character"
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !(multiline && allowedInFreeText(r)) }):
		if multiline {
			return "may not contain control characters other than line breaks and tabs"
		}
		return "may not contain control characters or line breaks"
	}
	return ""
}

func allowedInFreeText(r rune) bool { return r == '\n' || r == '\t' || r == '\r' }

// NormalizeText is s in Unicode normal form C, so that the same text typed
// on two keyboards is stored, compared and searched as the same string.
func NormalizeText(s string) string { return norm.NFC.String(s) }

// freeTextFields are the names of the fields that hold free text: prose a
// person writes, which may run over several lines.
var freeTextFields = []string{"reason", "lost_reason", "message", "memo", "note", "notes", "description", "comment", "comments", "address"}

// IsFreeText says whether a field of this name (the last element of its
// JSON path) holds free text.
func IsFreeText(name string) bool { return slices.Contains(freeTextFields, name) }

// PrintableText is s with what TextProblem refuses in a free text taken
// out: for text the system writes itself from what it did not choose (an
// error's message).
func PrintableText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) && !allowedInFreeText(r) {
			return -1
		}
		return r
	}, s)
}
