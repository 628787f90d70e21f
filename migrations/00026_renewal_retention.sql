-- Renewal through the retention period: auto-renewal retries a group short
-- of funds daily until the last day its (expired or frozen) resources are
-- retained, then releases them; every failed attempt notifies the customer
-- and its partner, at most once a day (a notification about a resource).

-- +goose Up
CREATE INDEX resources_auto_renew_retained ON resources (expires_at, id)
    WHERE primary_id IS NULL AND auto_renew_unit IS NOT NULL AND status IN ('expired', 'frozen') AND billing = 'period';
CREATE INDEX resources_retained_expiry ON resources (expires_at, id) WHERE status IN ('expired', 'frozen') AND billing = 'period';

ALTER TABLE notifications
    DROP CONSTRAINT notifications_subject,
    ADD COLUMN resource_id text REFERENCES resources (id),
    -- one subject: a case step, a renewal, a resource, or a webhook
    -- endpoint (00020's, which this keeps)
    ADD CONSTRAINT notifications_subject CHECK (
        (case_id IS NOT NULL AND event_seq IS NOT NULL AND num_nonnulls(renewal_id, resource_id, webhook_endpoint_id) = 0)
        OR (case_id IS NULL AND event_seq IS NULL AND num_nonnulls(renewal_id, resource_id, webhook_endpoint_id) = 1));

-- +goose Down
DELETE FROM notifications WHERE resource_id IS NOT NULL;
ALTER TABLE notifications
    DROP CONSTRAINT notifications_subject,
    DROP COLUMN resource_id,
    ADD CONSTRAINT notifications_subject CHECK (
        (case_id IS NOT NULL AND event_seq IS NOT NULL AND renewal_id IS NULL AND webhook_endpoint_id IS NULL)
        OR (case_id IS NULL AND event_seq IS NULL AND renewal_id IS NOT NULL AND webhook_endpoint_id IS NULL)
        OR (case_id IS NULL AND event_seq IS NULL AND renewal_id IS NULL AND webhook_endpoint_id IS NOT NULL));
DROP INDEX resources_retained_expiry;
DROP INDEX resources_auto_renew_retained;
