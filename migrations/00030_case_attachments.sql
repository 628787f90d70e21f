-- +goose Up
-- A certification's materials: the business licence scan and others.
-- The row says what the file is; its bytes are in attachment_blobs (the
-- default) or in an object store (PARTNEROPS_ATTACHMENTS_URL), under
-- storage_key.
CREATE TABLE case_attachments (
    id           text PRIMARY KEY,
    case_id      text NOT NULL REFERENCES cases (id),
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size > 0),
    storage_key  text NOT NULL UNIQUE,
    uploaded_by  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_attachments_by_case ON case_attachments (case_id, created_at);

CREATE TABLE attachment_blobs (
    storage_key text PRIMARY KEY,
    data        bytea NOT NULL
);

-- +goose Down
DROP TABLE attachment_blobs;
DROP TABLE case_attachments;
