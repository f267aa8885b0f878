-- Initial schema of the PostgreSQL store.
--
-- Timestamps are timestamptz (microsecond precision); the store writes them
-- in UTC truncated to the microsecond so that they round-trip exactly. JSON
-- columns hold the encoding/json form of the matching agent types. Ids are
-- compared byte-wise (COLLATE "C") wherever their order matters, so that
-- lists sort the same whatever the database's collation.
--
-- Embeddings have no vector index here: each embedder gets its own partial
-- HNSW index on embedding cast to its dimension (see EnsureSearchIndexes in
-- store/postgres).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE owners (
    id         text PRIMARY KEY,
    created_at timestamptz NOT NULL
);

CREATE TABLE interviews (
    id                   text PRIMARY KEY,
    owner_id             text NOT NULL REFERENCES owners (id),
    status               text NOT NULL,
    role                 text NOT NULL,
    level                text NOT NULL,
    focus                text NOT NULL DEFAULT '',
    principles           jsonb NOT NULL, -- []agent.PlannedPrinciple, null when nil
    generation           bigint NOT NULL DEFAULT 0,
    prompt_tokens        bigint NOT NULL DEFAULT 0,
    cached_prompt_tokens bigint NOT NULL DEFAULT 0,
    completion_tokens    bigint NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE INDEX interviews_owner_created ON interviews (owner_id, created_at DESC, id COLLATE "C");
CREATE INDEX interviews_status ON interviews (status);

CREATE TABLE turns (
    interview_id text NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    seq          int NOT NULL,
    speaker      text NOT NULL,
    kind         text NOT NULL,
    principle    text NOT NULL DEFAULT '',
    follow_up    int NOT NULL DEFAULT 0,
    probe        text NOT NULL DEFAULT '',
    text         text NOT NULL,
    client_id    text NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    PRIMARY KEY (interview_id, seq)
);

CREATE UNIQUE INDEX turns_client_id ON turns (interview_id, client_id) WHERE client_id <> '';

CREATE TABLE debriefs (
    interview_id text PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
    body         jsonb NOT NULL, -- agent.Debrief
    created_at   timestamptz NOT NULL
);

CREATE TABLE corpus_entries (
    id        text PRIMARY KEY,
    kind      text NOT NULL, -- principle or question
    text      text NOT NULL,
    hash      text NOT NULL,
    principle text NOT NULL DEFAULT '',
    roles     text[] NOT NULL DEFAULT '{}',
    min_rank  int NOT NULL DEFAULT 0,
    max_rank  int NOT NULL DEFAULT 0
);

CREATE TABLE embeddings (
    embedder  text NOT NULL,
    entry_id  text NOT NULL REFERENCES corpus_entries (id) ON DELETE CASCADE,
    hash      text NOT NULL,
    dim       int NOT NULL,
    embedding vector NOT NULL,
    -- pgvector refuses NaN and infinite values. A vector holding any is
    -- stored in embedding with those values as 0 and, here, bit for bit
    -- (dim little-endian float32); raw is NULL for every other vector.
    raw       bytea,
    PRIMARY KEY (embedder, entry_id)
);

-- For the cascade from corpus_entries, which the primary key cannot serve.
CREATE INDEX embeddings_entry ON embeddings (entry_id);

-- +goose Down
DROP TABLE embeddings;
DROP TABLE corpus_entries;
DROP TABLE debriefs;
DROP TABLE turns;
DROP TABLE interviews;
DROP TABLE owners;
