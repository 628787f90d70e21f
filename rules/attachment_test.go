package rules

import "testing"

func TestAttachmentTypeFromTheBytes(t *testing.T) {
	for _, tt := range []struct {
		name string
		data string
		want string
		ok   bool
	}{
		{"pdf", "%PDF-1.7\n1 0 obj", "application/pdf", true},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", true},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg", true},
		{"html named .pdf", "<html><script>alert(1)</script>", "text/html; charset=utf-8", false},
		{"gif", "GIF89a\x01\x00", "image/gif", false},
		{"zip", "PK\x03\x04", "application/zip", false},
	} {
		got, ok := AttachmentType([]byte(tt.data))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: AttachmentType = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
