package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MaxIndexDim is the most dimensions an index can hold: pgvector's HNSW
// indexes take up to 4,000 dimensions of halfvec.
const MaxIndexDim = 4000

// layout names the shape of the search indexes and is part of every index
// name's hash: when it changes, a server finds none of the indexes it needs
// by name, builds them, and drops the embedder's indexes of the older
// layout (see EnsureSearchIndexes).
const layout = "halfvec-level"

// embedderID is what an embedder id must look like to be written into
// SQL as a literal.
var embedderID = regexp.MustCompile(`^[a-zA-Z0-9._:/-]{1,100}$`)

// ValidEmbedder reports whether an embedder id is safe to inline in SQL:
// 1 to 100 characters among letters, digits and . _ : / -.
func ValidEmbedder(embedder string) bool { return embedderID.MatchString(embedder) }

// VectorType returns the type an embedding of dim dimensions is indexed
// and searched as, halfvec(dim): half-precision vectors make an index half
// the size, and a walk of it touches half the pages, for distances within
// about 0.1% of the stored single-precision ones.
func VectorType(dim int) string { return fmt.Sprintf("halfvec(%d)", dim) }

// VectorExpr returns the expression the HNSW indexes of an embedder of dim
// dimensions are built on, such as "embedding::halfvec(512)". A search uses
// an index only when it orders by exactly this expression with <=> (cosine
// distance, OpsFor), for example
//
//	ORDER BY embedding::halfvec(512) <=> $1::vector::halfvec(512)
//
// and its WHERE clause repeats the index predicate with the embedder id
// (and principle, role and level) as literals: a parameter does not match
// a partial index in a generic plan.
func VectorExpr(dim int) string { return "embedding::" + VectorType(dim) }

// OpsFor returns the HNSW operator class of the indexes of an embedder of
// dim dimensions, halfvec_cosine_ops.
func OpsFor(dim int) string { return "halfvec_cosine_ops" }

// IndexName returns the name of an embedder's HNSW index: a readable,
// sanitised prefix of the id and a hash of the whole id, within
// PostgreSQL's 63-byte limit on names.
func IndexName(embedder string) string {
	return indexName("embeddings_hnsw_", embedder+"\x00"+layout, embedder, 30)
}

// PrincipleIndexName returns the name of the HNSW index over one
// embedder's vectors of one principle's questions.
func PrincipleIndexName(embedder, principle string) string {
	return indexName("embeddings_hnsw_p_", embedder+"\x00"+principle+"\x00"+layout, principle, 36)
}

// LevelIndexName returns the name of the HNSW index over one embedder's
// vectors of the questions of one principle that may be asked of one role
// at the level of the given rank (4 for L4).
func LevelIndexName(embedder, principle, role string, rank int) string {
	return indexName("embeddings_hnsw_l_", fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%s", embedder, principle, role, rank, layout),
		fmt.Sprintf("%s_%s_l%d", principle, role, rank), 36)
}

// indexName is prefix, label sanitised and cut to at most n bytes, and a
// hash of key.
func indexName(prefix, key, label string, n int) string {
	sum := sha256.Sum256([]byte(key))
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(label))
	if len(clean) > n {
		clean = clean[:n]
	}
	return prefix + clean + "_" + hex.EncodeToString(sum[:4])
}

// EnsureSearchIndexes creates, unless they exist, the partial HNSW indexes
// that an embedder's searches walk, and drops the embedder's HNSW indexes
// that are not among them (those of an older layout):
//
//   - the embedder's own, over all its vectors (EnsureVectorIndex);
//   - one per principle:
//     WHERE embedder = '<embedder>' AND principle = '<principle>';
//   - one per principle, role and level rank:
//     WHERE embedder = '<embedder>' AND principle = '<principle>'
//     AND '<role>' = ANY(roles) AND min_rank <= <rank> AND max_rank >= <rank>.
//
// A search whose WHERE clause repeats a predicate with the same literals
// uses that index. Questions written from one story share their tags, so a
// filter that the index does not hold tends to reject whole neighbourhoods
// of it at once, and the iterative scan reads far past k rows; with an
// index per principle, role and level, an interview's search has only the
// questions already asked left to skip.
func (db *DB) EnsureSearchIndexes(ctx context.Context, embedder string, dim int, principles, roles []string, ranks []int) error {
	if err := checkIndex(embedder, dim); err != nil {
		return err
	}
	ixs := []hnswIndex{{name: IndexName(embedder)}}
	for _, p := range principles {
		if !ValidEmbedder(p) {
			return fmt.Errorf("postgres: vector index: principle %q is not allowed", p)
		}
		ixs = append(ixs, hnswIndex{PrincipleIndexName(embedder, p), fmt.Sprintf("principle = '%s'", p)})
		for _, r := range roles {
			if !ValidEmbedder(r) {
				return fmt.Errorf("postgres: vector index: role %q is not allowed", r)
			}
			for _, n := range ranks {
				ixs = append(ixs, hnswIndex{LevelIndexName(embedder, p, r, n),
					fmt.Sprintf("principle = '%s' AND '%s' = ANY(roles) AND min_rank <= %d AND max_rank >= %d", p, r, n, n)})
			}
		}
	}
	_, err := db.ensureIndexes(ctx, embedder, dim, ixs, true)
	return err
}

// EnsureVectorIndex creates, unless it exists, the partial HNSW index
// (cosine distance) over all of one embedder's embeddings of dim
// dimensions:
//
//	CREATE INDEX IF NOT EXISTS <IndexName> ON embeddings
//	  USING hnsw ((<VectorExpr(dim)>) <OpsFor(dim)>) WHERE embedder = '<embedder>'
//
// It holds an advisory lock while it does, so that servers starting
// together do not collide, and fails when the embedder id is not
// ValidEmbedder, dim is outside 1..MaxIndexDim, or the embedder's index
// exists for another dimension (drop it, or give the embedder a new id).
// Building the index blocks writes to embeddings until it is done.
func (db *DB) EnsureVectorIndex(ctx context.Context, embedder string, dim int) error {
	if err := checkIndex(embedder, dim); err != nil {
		return err
	}
	_, err := db.ensureIndexes(ctx, embedder, dim, []hnswIndex{{name: IndexName(embedder)}}, false)
	return err
}

// checkIndex refuses an embedder id that may not be written into SQL and a
// dimension no HNSW index can hold.
func checkIndex(embedder string, dim int) error {
	if !ValidEmbedder(embedder) {
		return fmt.Errorf("postgres: vector index: embedder id %q is not allowed", embedder)
	}
	if dim < 1 || dim > MaxIndexDim {
		return fmt.Errorf("postgres: vector index of %s: dimension %d is outside 1..%d", embedder, dim, MaxIndexDim)
	}
	return nil
}

// hnswIndex is one partial HNSW index over an embedder's vectors: its name
// and, unless empty, what else its rows pass, as SQL.
type hnswIndex struct{ name, where string }

// ensureIndexes creates those of ixs that do not exist yet and, when
// prune is set, drops the embedder's other HNSW indexes. When there is
// nothing to do, as at every start but the first, it takes no lock:
// creating an index, even one that exists, locks the table against writes.
// Otherwise it works under an advisory lock, so that servers starting
// together do not collide. It fails when the embedder's own index exists
// for another dimension.
func (db *DB) ensureIndexes(ctx context.Context, embedder string, dim int, ixs []hnswIndex, prune bool) (map[string]string, error) {
	defs, err := indexDefs(ctx, db.pool)
	if err != nil {
		return nil, fmt.Errorf("postgres: vector indexes of %s: %w", embedder, err)
	}
	if err := checkDim(defs, embedder, dim, false); err != nil {
		return nil, err
	}
	missing, stale := plan(defs, embedder, ixs, prune)
	if len(missing) > 0 || len(stale) > 0 {
		err = db.writeTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('barraiser.hnsw'))`); err != nil {
				return fmt.Errorf("postgres: vector indexes of %s: lock: %w", embedder, err)
			}
			// Another server may have done part of the work meanwhile.
			if defs, err = indexDefs(ctx, tx); err != nil {
				return err
			}
			missing, stale = plan(defs, embedder, ixs, prune)
			for _, name := range stale {
				if _, err := tx.Exec(ctx, "DROP INDEX IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
					return fmt.Errorf("postgres: drop vector index %s of %s: %w", name, embedder, err)
				}
			}
			for _, ix := range missing {
				ddl := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON embeddings USING hnsw ((%s) %s) WHERE embedder = '%s'`,
					ix.name, VectorExpr(dim), OpsFor(dim), embedder)
				if ix.where != "" {
					ddl += " AND " + ix.where
				}
				if _, err := tx.Exec(ctx, ddl); err != nil {
					return fmt.Errorf("postgres: vector index %s of %s: %w", ix.name, embedder, err)
				}
			}
			defs, err = indexDefs(ctx, tx)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return defs, checkDim(defs, embedder, dim, true)
}

// checkDim fails when the embedder's own index exists for another
// dimension than dim, or, if must is set, does not exist.
func checkDim(defs map[string]string, embedder string, dim int, must bool) error {
	name := IndexName(embedder)
	def, ok := defs[name]
	// PostgreSQL prints the expression as ((embedding)::halfvec(512)).
	if ok && !strings.Contains(def, "::"+VectorType(dim)+")") {
		return fmt.Errorf("postgres: vector index of %s: %s exists for another dimension (%s); drop it or use a new embedder id",
			embedder, name, def)
	}
	if !ok && must {
		return fmt.Errorf("postgres: vector index of %s: %s was not created", embedder, name)
	}
	return nil
}

// plan returns those of ixs that are not among the existing indexes defs
// and, when prune is set, the names of the embedder's HNSW indexes that
// are not in ixs.
func plan(defs map[string]string, embedder string, ixs []hnswIndex, prune bool) (missing []hnswIndex, stale []string) {
	want := map[string]bool{}
	for _, ix := range ixs {
		want[ix.name] = true
		if _, ok := defs[ix.name]; !ok {
			missing = append(missing, ix)
		}
	}
	if prune {
		for name, def := range defs {
			if !want[name] && strings.HasPrefix(name, "embeddings_hnsw_") && strings.Contains(def, " USING hnsw ") &&
				strings.Contains(def, "embedder = '"+embedder+"'::text") {
				stale = append(stale, name)
			}
		}
		slices.Sort(stale)
	}
	return missing, stale
}

// indexDefs returns the definitions of the embeddings table's indexes by
// name.
func indexDefs(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = 'embeddings'`)
	if err != nil {
		return nil, err
	}
	defs := map[string]string{}
	var name, def string
	_, err = pgx.ForEachRow(rows, []any{&name, &def}, func() error {
		defs[name] = def
		return nil
	})
	return defs, err
}
