package rules

import "net/http"

// A certification's materials (the business licence scan and others) are
// PDF, JPEG or PNG files of at most MaxAttachmentBytes, at most
// MaxAttachmentsPerCase to a case.
const (
	MaxAttachmentBytes    = 10 << 20
	MaxAttachmentsPerCase = 5
)

// attachmentTypes are the types an attachment may be, by its bytes.
var attachmentTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// AttachmentType is the type of an attachment's bytes, sniffed from the
// bytes themselves (never from the file's name or the type its sender
// claims), and whether an attachment may be of that type.
func AttachmentType(data []byte) (string, bool) {
	sniffed := http.DetectContentType(data)
	return sniffed, attachmentTypes[sniffed]
}
