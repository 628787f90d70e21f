package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/s3blob" // s3:// buckets: AWS S3 and S3-compatible object stores

	"partnerops/cases"
	"partnerops/rules"
)

// Refusals of an attachment: nothing is stored.
var (
	ErrAttachmentTooLarge  = errors.New("an attachment is at most 10 MB") // rules.MaxAttachmentBytes
	ErrAttachmentType      = errors.New("an attachment is a PDF, JPEG or PNG file, by its bytes")
	ErrTooManyAttachments  = errors.New("a case has at most 5 attachments") // rules.MaxAttachmentsPerCase
	ErrAttachmentsNotTaken = errors.New("only certification cases take attachments")
)

// Attachment is a file attached to a case: a certification's business
// licence scan and other materials.
type Attachment struct {
	ID          string    `db:"id" json:"id" example:"att_0190b6b2-5b6c-7c1e-9c4a-3f1a2b3c4d5e"`
	CaseID      string    `db:"case_id" json:"case_id"`
	Name        string    `db:"name" json:"name" doc:"The file's name as uploaded" example:"business-licence.pdf"`
	ContentType string    `db:"content_type" json:"content_type" doc:"Sniffed from the bytes" enum:"application/pdf,image/jpeg,image/png"`
	Size        int64     `db:"size" json:"size" doc:"Bytes"`
	UploadedBy  string    `db:"uploaded_by" json:"uploaded_by" doc:"Who uploaded it"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	StorageKey  string    `db:"storage_key" json:"-"`
}

// Blobs holds the bytes of attachments: PostgreSQL's attachment_blobs
// (PostgresBlobs, the default: nothing more to run) or an object store
// (BucketBlobs).
type Blobs interface {
	// put stores data under key, in tx when the bytes are PostgreSQL's.
	put(ctx context.Context, tx *sqlx.Tx, key string, data []byte) error
	get(ctx context.Context, db sqlx.QueryerContext, key string) ([]byte, error)
	// remove undoes a put whose row was not written.
	remove(ctx context.Context, key string)
}

// OpenBlobs opens where attachments' bytes are kept: PostgreSQL when url is
// empty, else the object store the URL names (s3://bucket?region=…&endpoint=…
// for an S3-compatible one). close releases it.
func OpenBlobs(ctx context.Context, url string) (b Blobs, close func() error, err error) {
	if url == "" {
		return PostgresBlobs{}, func() error { return nil }, nil
	}
	bucket, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, nil, fmt.Errorf("open the attachment store: %w", err)
	}
	return BucketBlobs{Bucket: bucket}, bucket.Close, nil
}

// PostgresBlobs keeps the bytes in PostgreSQL, written in the same
// transaction as the attachment's row.
type PostgresBlobs struct{}

func (PostgresBlobs) put(ctx context.Context, tx *sqlx.Tx, key string, data []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO attachment_blobs (storage_key, data) VALUES ($1, $2)`, key, data)
	return err
}

func (PostgresBlobs) get(ctx context.Context, db sqlx.QueryerContext, key string) ([]byte, error) {
	var data []byte
	err := sqlx.GetContext(ctx, db, &data, `SELECT data FROM attachment_blobs WHERE storage_key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return data, err
}

func (PostgresBlobs) remove(context.Context, string) {} // rolled back with the row

// BucketBlobs keeps the bytes in an object store (gocloud.dev/blob).
type BucketBlobs struct{ Bucket *blob.Bucket }

func (b BucketBlobs) put(ctx context.Context, _ *sqlx.Tx, key string, data []byte) error {
	return b.Bucket.WriteAll(ctx, key, data, nil)
}

func (b BucketBlobs) get(ctx context.Context, _ sqlx.QueryerContext, key string) ([]byte, error) {
	return b.Bucket.ReadAll(ctx, key)
}

func (b BucketBlobs) remove(ctx context.Context, key string) {
	_ = b.Bucket.Delete(context.WithoutCancel(ctx), key)
}

// AddAttachment attaches data to a certification case as a, refusing a
// file too large (ErrAttachmentTooLarge), not a PDF, JPEG or PNG by its
// bytes (ErrAttachmentType), one over the case's limit
// (ErrTooManyAttachments) or a case of another kind: a refused file
// stores nothing. The case's row is locked while it counts, so two
// uploads at once cannot both take the last place.
func (s *Store) AddAttachment(ctx context.Context, blobs Blobs, a Attachment, data []byte) (Attachment, error) {
	if len(data) > rules.MaxAttachmentBytes {
		return Attachment{}, ErrAttachmentTooLarge
	}
	contentType, ok := rules.AttachmentType(data)
	if !ok || len(data) == 0 {
		return Attachment{}, ErrAttachmentType
	}
	a.ID, a.ContentType, a.Size = NewID("att"), contentType, int64(len(data))
	a.StorageKey = "attachments/" + a.CaseID + "/" + a.ID
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var kind string
		err := tx.GetContext(ctx, &kind, `SELECT kind FROM cases WHERE id = $1 FOR UPDATE`, a.CaseID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case kind != string(cases.KindCertification):
			return ErrAttachmentsNotTaken
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM case_attachments WHERE case_id = $1`, a.CaseID); err != nil {
			return err
		}
		if n >= rules.MaxAttachmentsPerCase {
			return ErrTooManyAttachments
		}
		if err := blobs.put(ctx, tx, a.StorageKey, data); err != nil {
			return fmt.Errorf("store the attachment's bytes: %w", err)
		}
		err = tx.GetContext(ctx, &a.CreatedAt, `INSERT INTO case_attachments (id, case_id, name, content_type, size, storage_key, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at`,
			a.ID, a.CaseID, a.Name, a.ContentType, a.Size, a.StorageKey, a.UploadedBy)
		if err != nil {
			blobs.remove(ctx, a.StorageKey)
		}
		return err
	})
	return a, err
}

// Attachments lists a case's attachments, oldest first.
func (s *Store) Attachments(ctx context.Context, caseID string) ([]Attachment, error) {
	out := []Attachment{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, case_id, name, content_type, size, storage_key, uploaded_by, created_at
		FROM case_attachments WHERE case_id = $1 ORDER BY created_at, id`, caseID)
	return out, err
}

// AttachmentContent is one of a case's attachments and its bytes.
func (s *Store) AttachmentContent(ctx context.Context, blobs Blobs, caseID, id string) (Attachment, []byte, error) {
	var a Attachment
	err := s.db.GetContext(ctx, &a, `SELECT id, case_id, name, content_type, size, storage_key, uploaded_by, created_at
		FROM case_attachments WHERE case_id = $1 AND id = $2`, caseID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, nil, ErrNotFound
	}
	if err != nil {
		return Attachment{}, nil, err
	}
	data, err := blobs.get(ctx, s.db, a.StorageKey)
	return a, data, err
}
