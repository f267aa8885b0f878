-- Initial schema of the embedded SQLite store.
--
-- Timestamps are TEXT in UTC, RFC 3339 with exactly six fractional digits
-- (2006-01-02T15:04:05.000000Z), so that they round-trip exactly and sort
-- in time order as plain strings. JSON columns hold the encoding/json form
-- of the matching agent types. Vectors are little-endian float32 BLOBs.

-- +goose Up
CREATE TABLE owners (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE interviews (
    id                   TEXT PRIMARY KEY,
    owner_id             TEXT NOT NULL REFERENCES owners (id),
    status               TEXT NOT NULL,
    role                 TEXT NOT NULL,
    level                TEXT NOT NULL,
    focus                TEXT NOT NULL DEFAULT '',
    principles           TEXT NOT NULL DEFAULT 'null', -- JSON []agent.PlannedPrinciple
    generation           INTEGER NOT NULL DEFAULT 0,
    prompt_tokens        INTEGER NOT NULL DEFAULT 0,
    cached_prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens    INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE INDEX interviews_owner_created ON interviews (owner_id, created_at);
CREATE INDEX interviews_status ON interviews (status);

CREATE TABLE turns (
    interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    speaker      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    principle    TEXT NOT NULL DEFAULT '',
    follow_up    INTEGER NOT NULL DEFAULT 0,
    probe        TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    client_id    TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    PRIMARY KEY (interview_id, seq)
) WITHOUT ROWID;

CREATE UNIQUE INDEX turns_client_id ON turns (interview_id, client_id) WHERE client_id <> '';

CREATE TABLE debriefs (
    interview_id TEXT PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
    body         TEXT NOT NULL, -- JSON agent.Debrief
    created_at   TEXT NOT NULL
);

CREATE TABLE corpus_entries (
    id   TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE embeddings (
    embedder TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    hash     TEXT NOT NULL,
    dim      INTEGER NOT NULL,
    vector   BLOB NOT NULL, -- dim little-endian float32 values
    PRIMARY KEY (embedder, entry_id)
) WITHOUT ROWID;

CREATE INDEX embeddings_entry ON embeddings (entry_id);

-- +goose Down
DROP TABLE embeddings;
DROP TABLE corpus_entries;
DROP TABLE debriefs;
DROP TABLE turns;
DROP TABLE interviews;
DROP TABLE owners;
