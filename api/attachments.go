package api

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// A certification case's materials: the business licence scan and
// others, uploaded as multipart/form-data by the partner (or by ops for
// it), read by ops and by the partner whose case it is.
var (
	caseMaterialRoles = append(slices.Clone(cases.StaffRoles), cases.PartnerRoles...)
	attachToCase      = policy{Verb: act, Object: objCase, Roles: caseMaterialRoles}
	readMaterials     = policy{Verb: read, Object: objCase, Roles: caseMaterialRoles}
)

type attachmentForm struct {
	File huma.FormFile `form:"file" required:"true" doc:"The file: PDF, JPEG or PNG (judged by its bytes), at most 10 MB"`
}

type uploadAttachmentInput struct {
	CasePath
	RawBody huma.MultipartFormFiles[attachmentForm]
}

type attachmentPath struct {
	CasePath
	AttachmentID string `path:"attachment_id" maxLength:"64" doc:"The attachment's ID" example:"att_01J9Z3"`
}

type attachmentList struct {
	Attachments []store.Attachment `json:"attachments"`
}

// attachmentContent is an attachment's bytes, always a download: a file
// the partner sent is never shown as a page of this site.
type attachmentContent struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) attachmentRoutes() {
	register(s, huma.Operation{
		OperationID: "uploadAttachment", Method: http.MethodPost, Path: "/v1/cases/{case_id}/attachments", Tags: []string{"certifications"},
		Summary: "Attach a file to a certification case",
		Description: fmt.Sprintf("multipart/form-data with the file in the field `file`: a PDF, JPEG or PNG (by its bytes, whatever its name "+
			"says), at most %d MB, at most %d to a case. A refused file stores nothing.", rules.MaxAttachmentBytes>>20, rules.MaxAttachmentsPerCase),
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  MaxUploadBytes,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, attachToCase, s.uploadAttachment)
	register(s, huma.Operation{
		OperationID: "listAttachments", Method: http.MethodGet, Path: "/v1/cases/{case_id}/attachments", Tags: []string{"certifications"},
		Summary: "A certification case's attachments", Description: "Oldest first.",
	}, readMaterials, s.listAttachments)
	register(s, huma.Operation{
		OperationID: "downloadAttachment", Method: http.MethodGet, Path: "/v1/cases/{case_id}/attachments/{attachment_id}", Tags: []string{"certifications"},
		Summary:     "Download an attachment",
		Description: "The file's bytes, as a download (`Content-Disposition: attachment` with its original name).",
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
			"application/pdf": {Schema: binarySchema}, "image/jpeg": {Schema: binarySchema}, "image/png": {Schema: binarySchema},
		}}},
	}, readMaterials, s.downloadAttachment)
}

var binarySchema = &huma.Schema{Type: huma.TypeString, Format: "binary"}

// uploadAttachment serves POST /v1/cases/{id}/attachments.
func (s *Server) uploadAttachment(ctx context.Context, in *uploadAttachmentInput) (*bodyOf[store.Attachment], error) {
	row, err := s.visibleCase(ctx, in.CaseID, attachToCase)
	if err != nil {
		return nil, err
	}
	file := in.RawBody.Data().File
	data, err := io.ReadAll(io.LimitReader(file, rules.MaxAttachmentBytes+1))
	if err != nil {
		return nil, badRequest("the file could not be read: " + err.Error())
	}
	a, err := s.store.AddAttachment(ctx, s.blobs, store.Attachment{
		CaseID: row.ID, Name: attachmentName(file.Filename), UploadedBy: principalOf(ctx).Name,
	}, data)
	if err != nil {
		return nil, err
	}
	return &bodyOf[store.Attachment]{Body: a}, nil
}

// attachmentName is the name a file was sent with, without any folder,
// as one line of valid text of at most 200 bytes ("attachment" if none).
func attachmentName(sent string) string {
	name := strings.ToValidUTF8(path.Base(strings.ReplaceAll(sent, `\`, "/")), "")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		return "attachment"
	}
	return name
}

// listAttachments serves GET /v1/cases/{id}/attachments.
func (s *Server) listAttachments(ctx context.Context, in *CasePath) (*bodyOf[attachmentList], error) {
	row, err := s.visibleCase(ctx, in.CaseID, readMaterials)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Attachments(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	return &bodyOf[attachmentList]{Body: attachmentList{Attachments: list}}, nil
}

// downloadAttachment serves GET /v1/cases/{id}/attachments/{attachment_id}.
func (s *Server) downloadAttachment(ctx context.Context, in *attachmentPath) (*attachmentContent, error) {
	row, err := s.visibleCase(ctx, in.CaseID, readMaterials)
	if err != nil {
		return nil, err
	}
	a, data, err := s.store.AttachmentContent(ctx, s.blobs, row.ID, in.AttachmentID)
	if err != nil {
		return nil, err
	}
	return &attachmentContent{ContentType: a.ContentType, ContentDisposition: disposition("attachment", a.Name), Body: data}, nil
}

// disposition is a Content-Disposition naming the file (RFC 6266; a name
// beyond ASCII is encoded as RFC 5987 says).
func disposition(kind, name string) string {
	if d := mime.FormatMediaType(kind, map[string]string{"filename": name}); d != "" {
		return d
	}
	return kind
}

// attachmentFile serves GET /console/cases/{id}/attachments/{attachment_id}:
// shown in the case page (a PDF or an image of the type its bytes were
// judged to be, never a page of this site: nosniff and a sandbox), or
// downloaded with its original name with ?download=1.
func (s *Server) attachmentFile(c *fiber.Ctx, v *viewer) error {
	row, err := s.visibleCase(v.ctx, c.Params("case_id"), readMaterials)
	if err != nil {
		return s.consoleError(c, v, err)
	}
	a, data, err := s.store.AttachmentContent(v.ctx, s.blobs, row.ID, c.Params("attachment_id"))
	if err != nil {
		return s.consoleError(c, v, err)
	}
	kind := "inline"
	if c.Query("download") != "" {
		kind = "attachment"
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, disposition(kind, a.Name))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set("Content-Security-Policy", "sandbox")
	return c.Send(data)
}
