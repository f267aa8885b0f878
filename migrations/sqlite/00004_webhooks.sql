-- Webhooks: an API key may name a URL that receives its debriefs, and an
-- outbox of the deliveries still to send.
--
-- webhook_secret signs the deliveries. It is stored as is, not hashed like
-- the key's own secret, because the server needs its value to compute the
-- HMAC of every delivery. Both columns are NULL for a key without a webhook.
--
-- A delivery is written in the transaction that saves its debrief. body is
-- the JSON event, sent unchanged on every attempt. status is pending,
-- delivered or failed; while pending, next_attempt_at is when it is due,
-- or the end of the lease of the worker that claimed it. attempts counts
-- claims and fences a worker whose lease ran out. Timestamps follow
-- 00001_init.sql.

-- +goose Up
ALTER TABLE api_keys ADD COLUMN webhook_url TEXT;
ALTER TABLE api_keys ADD COLUMN webhook_secret TEXT;

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    key_id          TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    interview_id    TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    finished_at     TEXT
);

-- The workers' claim reads the pending deliveries in due order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_interview ON webhook_deliveries (interview_id);

-- SaveDebrief looks up the key that owns an interview.
CREATE INDEX api_keys_owner ON api_keys (owner_id);

-- +goose Down
DROP INDEX api_keys_owner;
DROP TABLE webhook_deliveries;
ALTER TABLE api_keys DROP COLUMN webhook_secret;
ALTER TABLE api_keys DROP COLUMN webhook_url;
