package rules

import "testing"

func TestTextProblem(t *testing.T) {
	for _, c := range []struct {
		text      string
		multiline bool
		ok        bool
	}{
		{"Acme Solutions", false, true},
		{"line one\nline two\tend", true, true},
		{"line one\nline two", false, false},
		{"A\x00B", true, false},
		{"\x1b[31mred", true, false},
		{"bad \xff\xfe bytes", true, false},
		{"replaced \ufffd", false, false},
	} {
		if got := TextProblem(c.text, c.multiline) == ""; got != c.ok {
			t.Errorf("TextProblem(%q, %v) accepts: %v, want %v", c.text, c.multiline, got, c.ok)
		}
	}
	if NormalizeText("Cafe\u0301") != "Caf\u00e9" {
		t.Error("not NFC")
	}
}
