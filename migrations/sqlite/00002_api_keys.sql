-- API keys and the single-use WebSocket tickets handed out to key holders.
--
-- Only the SHA-256 of a key's secret is kept, as a BLOB. A key's name is
-- unique among the keys still in force, so a revoked key's name can be
-- given to a new one. Timestamps follow 00001_init.sql; NULL in
-- last_used_at or revoked_at means never used or never revoked.
--
-- Tickets live for a minute and are deleted when redeemed or once expired.
-- They carry no foreign keys: the server checks the interview and the key
-- before it hands one out, and a row outlives neither by long.

-- +goose Up
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    owner_id     TEXT NOT NULL REFERENCES owners (id),
    secret_hash  BLOB NOT NULL, -- SHA-256 of the secret
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

CREATE TABLE ws_tickets (
    hash         BLOB PRIMARY KEY, -- SHA-256 of the ticket's text
    interview_id TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) WITHOUT ROWID;

-- For the purge of expired tickets.
CREATE INDEX ws_tickets_expires ON ws_tickets (expires_at);

-- +goose Down
DROP TABLE ws_tickets;
DROP TABLE api_keys;
