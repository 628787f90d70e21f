package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

// Partners attach their certification's materials and read them back;
// ops download them with their original name. Every refused upload (too
// large, not a PDF/JPEG/PNG by its bytes whatever its name, one too many,
// another partner's case) answers its 4xx problem and stores nothing.
func TestAttachmentUploads(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	app := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	token := func(role, partnerID string) string {
		_, tok, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: role + " " + partnerID, Role: role, PartnerID: partnerID})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	a, err := st.CreatePartner(ctx, "Orchid Digital", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreatePartner(ctx, "Nimbus", "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	adminA, adminB, ops := token(cases.RoleAdmin, a.ID), token(cases.RoleAdmin, b.ID), token(cases.RoleOps, "")
	at := time.Now().UTC().Truncate(time.Microsecond)
	c := cases.Case{ID: store.NewID("cas"), Kind: cases.KindCertification, PartnerID: a.ID, Status: "in_review",
		CreatedAt: at, UpdatedAt: at, Details: json.RawMessage(`{"submissions": 1}`)}
	if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")

	upload := func(tok, name string, data []byte) *http.Response {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("file", name)
		_, _ = part.Write(data)
		_ = w.Close()
		req := httptest.NewRequest(http.MethodPost, "/v1/cases/"+c.ID+"/attachments", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	stored := func() int {
		t.Helper()
		list, err := st.Attachments(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	resp := upload(adminA, "营业执照.pdf", pdf)
	var got store.Attachment
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %+v %v", resp.StatusCode, got, err)
	}
	if got.ContentType != "application/pdf" || got.Name != "营业执照.pdf" || got.UploadedBy != "admin "+a.ID {
		t.Errorf("uploaded %+v", got)
	}

	refused := []struct {
		name   string
		tok    string
		file   string
		data   []byte
		status int
		typ    string
	}{
		{"too large", adminA, "big.pdf", append(bytes.Clone(pdf), make([]byte, rules.MaxAttachmentBytes)...), http.StatusRequestEntityTooLarge, "attachment-too-large"},
		{"html named .pdf", adminA, "licence.pdf", []byte("<html><body><script>alert(1)</script></body></html>"), http.StatusUnsupportedMediaType, "attachment-type"},
		{"another partner's case", adminB, "licence.pdf", pdf, http.StatusNotFound, "not-found"},
	}
	for _, tt := range refused {
		resp := upload(tt.tok, tt.file, tt.data)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.typ) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, resp.StatusCode, body, tt.status, tt.typ)
		}
		if n := stored(); n != 1 {
			t.Errorf("%s: %d attachments stored, want 1", tt.name, n)
		}
	}
	for i := 1; i < rules.MaxAttachmentsPerCase; i++ {
		if resp := upload(ops, "scan.pdf", pdf); resp.StatusCode != http.StatusCreated {
			t.Fatalf("attachment %d: %d", i+1, resp.StatusCode)
		}
	}
	resp = upload(adminA, "sixth.pdf", pdf)
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "too-many-attachments") {
		t.Errorf("a sixth attachment: %d %s", resp.StatusCode, body)
	}
	if n := stored(); n != rules.MaxAttachmentsPerCase {
		t.Errorf("%d attachments stored, want %d", n, rules.MaxAttachmentsPerCase)
	}

	get := func(tok, path string) *http.Response {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = get(ops, "/v1/cases/"+c.ID+"/attachments/"+got.ID)
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(data, pdf) || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Content-Disposition") != "attachment; filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := get(adminB, "/v1/cases/"+c.ID+"/attachments"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another partner lists the attachments: %d", resp.StatusCode)
	}
	if resp := get(adminA, "/v1/cases/"+c.ID+"/attachments"); resp.StatusCode != http.StatusOK {
		t.Errorf("the partner lists its attachments: %d", resp.StatusCode)
	}
}
