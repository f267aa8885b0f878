-- +goose Up
-- Searches now count a filter's rows in the corpus the server holds, and no
-- longer list them from this index.
DROP INDEX IF EXISTS embeddings_filter;

-- +goose Down
CREATE INDEX embeddings_filter ON embeddings (embedder, principle, kind)
    INCLUDE (entry_id, roles, min_rank, max_rank);
