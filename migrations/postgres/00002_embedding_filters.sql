-- +goose Up
-- What a filtered question search tests, copied from corpus_entries beside
-- each vector, so that an index scan can test it on the row it has already
-- read instead of joining every candidate; and one partial HNSW index per
-- embedder and principle (created at start by the server, as the embedders
-- are not known here), since a principle holds a sixteenth of the
-- questions, too few for an index over all of them to reach by iterative
-- scanning alone.
ALTER TABLE embeddings
    ADD COLUMN kind      text NOT NULL DEFAULT '',
    ADD COLUMN principle text NOT NULL DEFAULT '',
    ADD COLUMN roles     text[] NOT NULL DEFAULT '{}',
    ADD COLUMN min_rank  int NOT NULL DEFAULT 0,
    ADD COLUMN max_rank  int NOT NULL DEFAULT 0;
UPDATE embeddings e
SET kind = c.kind, principle = c.principle, roles = c.roles, min_rank = c.min_rank, max_rank = c.max_rank
FROM corpus_entries c WHERE c.id = e.entry_id;

-- For exact scans of the few rows a selective filter leaves.
CREATE INDEX embeddings_principle ON embeddings (embedder, principle);

-- Keep vectors in the row, uncompressed, up to a whole page: by default a
-- row over 2 kB (a 512-dimension vector is just over) is compressed or moved
-- out of line, and an exact scan then spends its time decompressing.
ALTER TABLE embeddings SET (toast_tuple_target = 8160);

-- +goose Down
ALTER TABLE embeddings RESET (toast_tuple_target);
DROP INDEX embeddings_principle;
ALTER TABLE embeddings DROP COLUMN kind, DROP COLUMN principle, DROP COLUMN roles,
    DROP COLUMN min_rank, DROP COLUMN max_rank;
