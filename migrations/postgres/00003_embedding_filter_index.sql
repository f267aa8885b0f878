-- +goose Up
-- Everything a filtered question search tests, in one B-tree, so that the
-- rows a filter keeps can be listed by an index-only scan. When they are
-- few, the search compares the query with just those rows instead of
-- walking the HNSW index past the many rows the filter rejects.
CREATE INDEX embeddings_filter ON embeddings (embedder, principle, kind)
    INCLUDE (entry_id, roles, min_rank, max_rank);

-- +goose Down
DROP INDEX embeddings_filter;
