-- +goose Up
-- API keys and the single-use WebSocket tickets handed out to key holders.
--
-- Only the SHA-256 of a key's secret is kept. A key's name is unique among
-- the keys still in force, so a revoked key's name can be given to a new
-- one. NULL in last_used_at or revoked_at means never used or never
-- revoked.
CREATE TABLE api_keys (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    owner_id     text NOT NULL REFERENCES owners (id),
    secret_hash  bytea NOT NULL, -- SHA-256 of the secret
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

-- Tickets live for a minute and are deleted when redeemed or once expired.
-- They carry no foreign keys: the server checks the interview and the key
-- before it hands one out, and a row outlives neither by long.
CREATE TABLE ws_tickets (
    hash         bytea PRIMARY KEY, -- SHA-256 of the ticket's text
    interview_id text NOT NULL,
    owner_id     text NOT NULL,
    key_id       text NOT NULL,
    expires_at   timestamptz NOT NULL
);

-- For the purge of expired tickets.
CREATE INDEX ws_tickets_expires ON ws_tickets (expires_at);

-- +goose Down
DROP TABLE ws_tickets;
DROP TABLE api_keys;
