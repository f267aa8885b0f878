-- +goose Up
-- Webhooks: an API key may name a URL that receives its debriefs, and an
-- outbox of the deliveries still to send.
--
-- webhook_secret signs the deliveries. It is stored as is, not hashed like
-- the key's own secret, because the server needs its value to compute the
-- HMAC of every delivery. Both columns are NULL for a key without a webhook.
ALTER TABLE api_keys ADD COLUMN webhook_url text, ADD COLUMN webhook_secret text;

-- A delivery is written in the transaction that saves its debrief. body is
-- the JSON event as text, so that every attempt sends the same bytes.
-- status is pending, delivered or failed; while pending, next_attempt_at is
-- when it is due, or the end of the lease of the worker that claimed it.
-- attempts counts claims and fences a worker whose lease ran out.
CREATE TABLE webhook_deliveries (
    id              text PRIMARY KEY,
    key_id          text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    interview_id    text NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    last_status     int NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    finished_at     timestamptz
);

-- The workers' claim reads the pending deliveries in due order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_interview ON webhook_deliveries (interview_id);

-- SaveDebrief looks up the key that owns an interview.
CREATE INDEX api_keys_owner ON api_keys (owner_id);

-- +goose Down
DROP INDEX api_keys_owner;
DROP TABLE webhook_deliveries;
ALTER TABLE api_keys DROP COLUMN webhook_secret, DROP COLUMN webhook_url;
