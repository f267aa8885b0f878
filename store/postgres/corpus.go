package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// SyncCorpus makes the stored corpus equal to entries in one transaction:
// it upserts every entry (leaving unchanged rows alone) and deletes the
// entries not listed, whose embeddings, of every embedder, go with them.
// It holds a transaction-level advisory lock, so that processes starting
// together sync one after the other instead of deadlocking.
func (db *DB) SyncCorpus(ctx context.Context, entries []agent.CorpusEntry) (err error) {
	defer faultOf(ctx, &err)
	ids := make([]string, len(entries)) // never nil: nil would be NULL
	for i, e := range entries {
		ids[i] = e.ID
	}
	return db.writeTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('barraiser.corpus'))`); err != nil {
			return fmt.Errorf("postgres: sync corpus: lock: %w", err)
		}
		var b pgx.Batch
		for _, e := range entries {
			roles := e.Roles
			if roles == nil {
				roles = []string{}
			}
			b.Queue(`INSERT INTO corpus_entries AS c (id, kind, text, hash, principle, roles, min_rank, max_rank)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, text = excluded.text, hash = excluded.hash,
					principle = excluded.principle, roles = excluded.roles, min_rank = excluded.min_rank,
					max_rank = excluded.max_rank
				WHERE (c.kind, c.text, c.hash, c.principle, c.roles, c.min_rank, c.max_rank)
					IS DISTINCT FROM (excluded.kind, excluded.text, excluded.hash, excluded.principle,
						excluded.roles, excluded.min_rank, excluded.max_rank)`,
				e.ID, e.Kind, e.Text, e.Hash, e.Principle, roles, e.MinRank, e.MaxRank)
		}
		b.Queue(`DELETE FROM corpus_entries WHERE id <> ALL ($1::text[])`, ids)
		// A retagged question's vectors take the new tags along.
		b.Queue(`UPDATE embeddings e SET kind = c.kind, principle = c.principle, roles = c.roles,
				min_rank = c.min_rank, max_rank = c.max_rank
			FROM corpus_entries c
			WHERE c.id = e.entry_id AND (e.kind, e.principle, e.roles, e.min_rank, e.max_rank)
				IS DISTINCT FROM (c.kind, c.principle, c.roles, c.min_rank, c.max_rank)`)
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("postgres: sync corpus: %w", err)
		}
		return nil
	})
}

// Embeddings returns an embedder's stored vectors keyed by entry id; the
// map is empty, not nil, when there are none.
func (db *DB) Embeddings(ctx context.Context, embedder string) (_ map[string]agent.Embedding, err error) {
	defer faultOf(ctx, &err)
	rows, err := db.pool.Query(ctx, `SELECT entry_id, hash, dim, embedding, raw FROM embeddings WHERE embedder = $1`,
		embedder)
	if err != nil {
		return nil, fmt.Errorf("postgres: embeddings of %s: %w", embedder, err)
	}
	defer rows.Close()
	out := map[string]agent.Embedding{}
	for rows.Next() {
		var (
			e   agent.Embedding
			dim int
			vec pgvector.Vector
			raw []byte
		)
		if err := rows.Scan(&e.EntryID, &e.Hash, &dim, &vec, &raw); err != nil {
			return nil, fmt.Errorf("postgres: embeddings of %s: %w", embedder, err)
		}
		e.Vector = vec.Slice()
		if raw != nil {
			if e.Vector, err = codec.DecodeFloat32s(raw); err != nil {
				return nil, fmt.Errorf("postgres: embedding %s of %s: %w", e.EntryID, embedder, err)
			}
		}
		if len(e.Vector) != dim {
			return nil, fmt.Errorf("postgres: embedding %s of %s has %d values, want %d", e.EntryID, embedder, len(e.Vector), dim)
		}
		out[e.EntryID] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: embeddings of %s: %w", embedder, err)
	}
	return out, nil
}

// SaveEmbeddings upserts vectors for an embedder of dimension dim, in one
// transaction. Every vector must have dim values and belong to an entry of
// the stored corpus (SyncCorpus first).
//
// Vectors are stored bit for bit, NaN payloads and negative zeros
// included. pgvector refuses NaN and infinite values, so a vector that
// holds any is kept exactly in the raw column and searched with those
// values as 0.
func (db *DB) SaveEmbeddings(ctx context.Context, embedder string, dim int, es []agent.Embedding) (err error) {
	defer faultOf(ctx, &err)
	for _, e := range es {
		if len(e.Vector) != dim {
			return fmt.Errorf("postgres: save embeddings of %s: entry %s has %d values, want %d",
				embedder, e.EntryID, len(e.Vector), dim)
		}
	}
	if len(es) == 0 {
		return nil
	}
	// In id order, so that two processes saving the same vectors lock
	// their rows in the same order rather than deadlock.
	es = slices.SortedFunc(slices.Values(es), func(a, b agent.Embedding) int { return strings.Compare(a.EntryID, b.EntryID) })
	return db.writeTx(ctx, func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, e := range es {
			vec, raw := searchable(e.Vector)
			// The filter columns are copied from the entry; an entry not in
			// the corpus fails the foreign key.
			b.Queue(`INSERT INTO embeddings (embedder, entry_id, hash, dim, embedding, raw, kind, principle, roles, min_rank, max_rank)
				SELECT $1, $2, $3, $4, $5, $6, COALESCE(c.kind, ''), COALESCE(c.principle, ''), COALESCE(c.roles, '{}'),
					COALESCE(c.min_rank, 0), COALESCE(c.max_rank, 0)
				FROM (SELECT 1) one LEFT JOIN corpus_entries c ON c.id = $2
				ON CONFLICT (embedder, entry_id) DO UPDATE SET hash = excluded.hash, dim = excluded.dim,
					embedding = excluded.embedding, raw = excluded.raw, kind = excluded.kind,
					principle = excluded.principle, roles = excluded.roles, min_rank = excluded.min_rank,
					max_rank = excluded.max_rank`,
				embedder, e.EntryID, e.Hash, dim, pgvector.NewVector(vec), raw)
		}
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("postgres: save embeddings of %s: %w", embedder, err)
		}
		return nil
	})
}
