package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/rules"
	"partnerops/store"
)

var (
	pdf = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
)

// s3Blobs is an S3-compatible object store started in this process
// (gofakes3), opened by URL as production opens its own.
func s3Blobs(t *testing.T) (store.Blobs, *s3mem.Backend) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("partnerops-attachments"); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(server.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	blobs, closeBlobs, err := store.OpenBlobs(context.Background(),
		"s3://partnerops-attachments?region=us-east-1&use_path_style=true&endpoint="+server.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeBlobs() })
	return blobs, backend
}

// Both backends keep what is attached and give it back; each refusal
// (too large, not a PDF/JPEG/PNG by its bytes, one too many, a case of
// another kind) stores nothing, neither a row nor bytes.
func TestAttachmentsInEitherBackend(t *testing.T) {
	ctx := context.Background()
	pgBlobs, _, err := store.OpenBlobs(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s3, s3Backend := s3Blobs(t)
	for name, blobs := range map[string]store.Blobs{"postgresql": pgBlobs, "s3": s3} {
		t.Run(name, func(t *testing.T) {
			st, url := testdb.New(t)
			c, _ := newCase(t, st)
			if _, _, err := st.OpenCase(ctx, store.NewCase{Case: c, Workflow: "Certification", Input: map[string]string{}}, nil); err != nil {
				t.Fatal(err)
			}
			stored := func() (rows, blobRows int) {
				t.Helper()
				db, err := sql.Open("postgres", url)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if err := db.QueryRowContext(ctx, `SELECT count(*) FROM case_attachments`).Scan(&rows); err != nil {
					t.Fatal(err)
				}
				if err := db.QueryRowContext(ctx, `SELECT count(*) FROM attachment_blobs`).Scan(&blobRows); err != nil {
					t.Fatal(err)
				}
				if name == "s3" {
					objects, err := s3Backend.ListBucket("partnerops-attachments", nil, gofakes3.ListBucketPage{})
					if err != nil {
						t.Fatal(err)
					}
					blobRows = len(objects.Contents)
				}
				return rows, blobRows
			}
			a, err := st.AddAttachment(ctx, blobs, store.Attachment{CaseID: c.ID, Name: "licence.pdf", UploadedBy: "admin"}, pdf)
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != "application/pdf" || a.Size != int64(len(pdf)) {
				t.Errorf("attached %+v", a)
			}
			got, data, err := st.AttachmentContent(ctx, blobs, c.ID, a.ID)
			if err != nil || !bytes.Equal(data, pdf) || got.Name != "licence.pdf" {
				t.Fatalf("read back %+v %q %v", got, data, err)
			}

			other := c
			other.ID, other.Kind = store.NewID("cas"), cases.KindOpportunity
			if _, _, err := st.OpenCase(ctx, store.NewCase{Case: other, Workflow: "Opportunity", Input: map[string]string{}}, nil); err != nil {
				t.Fatal(err)
			}
			refused := []struct {
				name string
				id   string
				data []byte
				want error
			}{
				{"too large", c.ID, append(bytes.Clone(pdf), make([]byte, rules.MaxAttachmentBytes)...), store.ErrAttachmentTooLarge},
				{"html named .pdf", c.ID, []byte("<html><script>alert(1)</script></html>"), store.ErrAttachmentType},
				{"empty", c.ID, nil, store.ErrAttachmentType},
				{"an opportunity", other.ID, pdf, store.ErrAttachmentsNotTaken},
				{"no such case", "cas_nope", pdf, store.ErrNotFound},
			}
			for _, tt := range refused {
				if _, err := st.AddAttachment(ctx, blobs, store.Attachment{CaseID: tt.id, Name: "x.pdf", UploadedBy: "admin"}, tt.data); !errors.Is(err, tt.want) {
					t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
				}
			}
			for range rules.MaxAttachmentsPerCase - 1 {
				if _, err := st.AddAttachment(ctx, blobs, store.Attachment{CaseID: c.ID, Name: "scan.png", UploadedBy: "admin"}, png); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.AddAttachment(ctx, blobs, store.Attachment{CaseID: c.ID, Name: "sixth.png", UploadedBy: "admin"}, png); !errors.Is(err, store.ErrTooManyAttachments) {
				t.Errorf("a sixth attachment: %v, want ErrTooManyAttachments", err)
			}
			rows, blobRows := stored()
			if rows != rules.MaxAttachmentsPerCase || blobRows != rules.MaxAttachmentsPerCase {
				t.Errorf("stored %d rows and %d blobs, want %d of each: a refusal stored something", rows, blobRows, rules.MaxAttachmentsPerCase)
			}
			list, err := st.Attachments(ctx, c.ID)
			if err != nil || len(list) != rules.MaxAttachmentsPerCase || list[0].ID != a.ID {
				t.Errorf("Attachments = %+v, %v", list, err)
			}
		})
	}
}
