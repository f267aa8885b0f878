package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// SyncCorpus makes the stored corpus equal to entries in one transaction:
// it upserts every entry, deletes the entries not listed, and deletes the
// embeddings (of every embedder) of the entries it deleted. A read-only
// store only checks that it holds entries already, and fails with
// EREADONLY when it does not.
func (db *DB) SyncCorpus(ctx context.Context, entries []agent.CorpusEntry) (err error) {
	defer faultOf(&err)
	if db.readOnly {
		return db.corpusStored(ctx, entries)
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	keep, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("sqlite: sync corpus: %w", err)
	}
	return db.writeTx(ctx, func(tx *cachedTx) error {
		upsert, err := tx.PrepareContext(ctx, `INSERT INTO corpus_entries (id, kind, text, hash) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, text = excluded.text, hash = excluded.hash
			WHERE corpus_entries.kind IS NOT excluded.kind OR corpus_entries.text IS NOT excluded.text
				OR corpus_entries.hash IS NOT excluded.hash`)
		if err != nil {
			return fmt.Errorf("sqlite: sync corpus: %w", err)
		}
		defer upsert.Close()
		for _, e := range entries {
			if _, err := upsert.ExecContext(ctx, e.ID, e.Kind, e.Text, e.Hash); err != nil {
				return fmt.Errorf("sqlite: sync corpus: upsert %s: %w", e.ID, err)
			}
		}
		// keep is a JSON array of the ids to keep; json_each lists them.
		for _, q := range []string{
			`DELETE FROM corpus_entries WHERE id NOT IN (SELECT value FROM json_each(?))`,
			`DELETE FROM embeddings WHERE entry_id NOT IN (SELECT value FROM json_each(?))`,
		} {
			if _, err := tx.ExecContext(ctx, q, string(keep)); err != nil {
				return fmt.Errorf("sqlite: sync corpus: %w", err)
			}
		}
		return nil
	})
}

// Embeddings returns an embedder's stored vectors keyed by entry id; the
// map is empty, not nil, when there are none.
func (db *DB) Embeddings(ctx context.Context, embedder string) (_ map[string]agent.Embedding, err error) {
	defer faultOf(&err)
	rows, err := db.r.QueryContext(ctx, `SELECT entry_id, hash, dim, vector FROM embeddings WHERE embedder = ?`, embedder)
	if err != nil {
		return nil, fmt.Errorf("sqlite: embeddings of %s: %w", embedder, err)
	}
	defer rows.Close()
	out := map[string]agent.Embedding{}
	for rows.Next() {
		var (
			e    agent.Embedding
			dim  int
			blob []byte
		)
		if err := rows.Scan(&e.EntryID, &e.Hash, &dim, &blob); err != nil {
			return nil, fmt.Errorf("sqlite: embeddings of %s: %w", embedder, err)
		}
		if e.Vector, err = codec.DecodeFloat32s(blob); err != nil {
			return nil, fmt.Errorf("sqlite: embedding %s of %s: %w", e.EntryID, embedder, err)
		}
		if len(e.Vector) != dim {
			return nil, fmt.Errorf("sqlite: embedding %s of %s has %d values, want %d", e.EntryID, embedder, len(e.Vector), dim)
		}
		out[e.EntryID] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: embeddings of %s: %w", embedder, err)
	}
	return out, nil
}

// SaveEmbeddings upserts vectors for an embedder of dimension dim, in one
// transaction. Every vector must have dim values.
func (db *DB) SaveEmbeddings(ctx context.Context, embedder string, dim int, es []agent.Embedding) (err error) {
	defer faultOf(&err)
	for _, e := range es {
		if len(e.Vector) != dim {
			return fmt.Errorf("sqlite: save embeddings of %s: entry %s has %d values, want %d",
				embedder, e.EntryID, len(e.Vector), dim)
		}
	}
	return db.writeTx(ctx, func(tx *cachedTx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO embeddings (embedder, entry_id, hash, dim, vector)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (embedder, entry_id) DO UPDATE SET hash = excluded.hash, dim = excluded.dim,
				vector = excluded.vector`)
		if err != nil {
			return fmt.Errorf("sqlite: save embeddings of %s: %w", embedder, err)
		}
		defer st.Close()
		for _, e := range es {
			if _, err := st.ExecContext(ctx, embedder, e.EntryID, e.Hash, dim, codec.EncodeFloat32s(e.Vector)); err != nil {
				return fmt.Errorf("sqlite: save embedding %s of %s: %w", e.EntryID, embedder, err)
			}
		}
		return nil
	})
}

// corpusStored returns nil when the stored corpus is entries exactly, and
// else EREADONLY, for SyncCorpus on a read-only store.
func (db *DB) corpusStored(ctx context.Context, entries []agent.CorpusEntry) error {
	rows, err := db.r.QueryContext(ctx, `SELECT id, kind, text, hash FROM corpus_entries`)
	if err != nil {
		return fmt.Errorf("sqlite: read corpus: %w", err)
	}
	defer rows.Close()
	stored := map[string]agent.CorpusEntry{}
	for rows.Next() {
		var e agent.CorpusEntry
		if err := rows.Scan(&e.ID, &e.Kind, &e.Text, &e.Hash); err != nil {
			return fmt.Errorf("sqlite: read corpus: %w", err)
		}
		stored[e.ID] = e
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: read corpus: %w", err)
	}
	same := len(stored) == len(entries)
	for _, e := range entries {
		if s, ok := stored[e.ID]; !ok || s.Kind != e.Kind || s.Text != e.Text || s.Hash != e.Hash {
			same = false
			break
		}
	}
	if !same {
		e := errReadOnly()
		e.Message = "The read-only store holds another version of the question corpus than this build, and cannot be updated."
		return e
	}
	return nil
}
