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

// layout names the shape of the search indexes. It is part of every index
// name's hash and of the comment each index is created with: when it
// changes, a server finds none of the indexes it needs by name, builds
// them, and then drops the embedder's indexes of the older layout (see
// EnsureSearchIndexes).
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
// about 0.1% of the stored single-precision ones. A component beyond
// ±65,504, halfvec's range, cannot be indexed (storing such a vector
// fails); embedding models stay far inside it, most with unit vectors.
func VectorType(dim int) string { return fmt.Sprintf("halfvec(%d)", dim) }

// VectorExpr returns the expression the HNSW indexes of an embedder of dim
// dimensions are built on, such as "embedding::halfvec(512)". A search uses
// an index only when it orders by exactly this expression with <=> (cosine
// distance), for example
//
//	ORDER BY embedding::halfvec(512) <=> $1::vector::halfvec(512)
//
// and its WHERE clause repeats the index predicate with the embedder id
// (and principle, role and level) as literals: a parameter does not match
// a partial index in a generic plan.
func VectorExpr(dim int) string { return "embedding::" + VectorType(dim) }

// opClass is the HNSW operator class of the search indexes: cosine
// distance (<=>) over halfvec.
const opClass = "halfvec_cosine_ops"

// IndexName returns the name of an embedder's HNSW index: a readable,
// sanitised prefix of the id and a hash of the whole id and the layout,
// within PostgreSQL's 63-byte limit on names.
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
// that an embedder's searches walk, and then drops the embedder's HNSW
// indexes of an older layout (concurrently: searches go on meanwhile):
//
//   - the embedder's own, over all its vectors:
//     WHERE embedder = '<embedder>';
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
	return db.ensureIndexes(ctx, embedder, dim, ixs)
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

// index is an existing index of the embeddings table: its definition and
// its comment, which for a search index names its layout (layoutComment).
type index struct{ def, comment string }

// layoutComment is the comment every search index is created with. An
// index of this embedder without it is of an older layout; one with it
// that a server does not want serves another corpus (servers of the same
// release with different principles), and is kept.
const layoutComment = "barraiser search index, layout " + layout

// advisoryKey is the key of the advisory lock under which servers create
// and drop search indexes.
const advisoryKey = "hashtext('barraiser.hnsw')"

// ensureIndexes creates those of ixs that do not exist yet, then drops the
// embedder's HNSW indexes of an older layout. When nothing needs to
// be created, as at every start but the first, it takes no lock: creating an
// index, even one that exists, locks the table against writes. Otherwise
// it works under an advisory lock, so that servers starting together do
// not collide. It fails when the embedder's own index exists for another
// dimension.
func (db *DB) ensureIndexes(ctx context.Context, embedder string, dim int, ixs []hnswIndex) error {
	have, err := indexes(ctx, db.pool)
	if err != nil {
		return fmt.Errorf("postgres: vector indexes of %s: %w", embedder, err)
	}
	if err := checkDim(have, embedder, dim); err != nil {
		return err
	}
	// Indexes built meanwhile by other servers carry layoutComment, so
	// stale, computed now, holds only indexes of an older layout.
	missing, stale := plan(have, embedder, ixs)
	if len(missing) > 0 {
		err = db.writeTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock("+advisoryKey+")"); err != nil {
				return fmt.Errorf("postgres: vector indexes of %s: lock: %w", embedder, err)
			}
			// Another server may have built some of them meanwhile.
			if have, err = indexes(ctx, tx); err != nil {
				return err
			}
			if err := checkDim(have, embedder, dim); err != nil {
				return err
			}
			missing, _ = plan(have, embedder, ixs)
			for _, ix := range missing {
				ddl := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON embeddings USING hnsw ((%s) %s) WHERE embedder = '%s'`,
					ix.name, VectorExpr(dim), opClass, embedder)
				if ix.where != "" {
					ddl += " AND " + ix.where
				}
				if _, err := tx.Exec(ctx, ddl); err != nil {
					return fmt.Errorf("postgres: vector index %s of %s: %w", ix.name, embedder, err)
				}
				if _, err := tx.Exec(ctx, fmt.Sprintf("COMMENT ON INDEX %s IS '%s'", ix.name, layoutComment)); err != nil {
					return fmt.Errorf("postgres: vector index %s of %s: %w", ix.name, embedder, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(stale) > 0 {
		return db.dropIndexes(ctx, embedder, stale)
	}
	return nil
}

// dropIndexes drops the named indexes concurrently and in turn, so that
// searches and writes go on meanwhile (a plain DROP INDEX would block even
// reads of the table until it commits), under the advisory lock held for
// the session.
func (db *DB) dropIndexes(ctx context.Context, embedder string, names []string) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: drop vector indexes of %s: %w", embedder, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock("+advisoryKey+")"); err != nil {
		return fmt.Errorf("postgres: drop vector indexes of %s: lock: %w", embedder, err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+advisoryKey+")"); err != nil {
			// The lock would outlive the call: close the session instead.
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	for _, name := range names {
		if _, err := conn.Exec(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("postgres: drop vector index %s of %s: %w", name, embedder, err)
		}
	}
	return nil
}

// checkDim fails when the embedder's own index exists for another
// dimension than dim.
func checkDim(have map[string]index, embedder string, dim int) error {
	name := IndexName(embedder)
	// PostgreSQL prints the expression as ((embedding)::halfvec(512)).
	if ix, ok := have[name]; ok && !strings.Contains(ix.def, "::"+VectorType(dim)+")") {
		return fmt.Errorf("postgres: vector index of %s: %s exists for another dimension (%s); drop it or use a new embedder id",
			embedder, name, ix.def)
	}
	return nil
}

// plan returns those of ixs that are not among the existing indexes, and
// the names of the embedder's HNSW indexes of an older layout: not in ixs,
// and without layoutComment.
func plan(have map[string]index, embedder string, ixs []hnswIndex) (missing []hnswIndex, stale []string) {
	want := map[string]bool{}
	for _, ix := range ixs {
		want[ix.name] = true
		if _, ok := have[ix.name]; !ok {
			missing = append(missing, ix)
		}
	}
	for name, ix := range have {
		if !want[name] && ix.comment != layoutComment && strings.HasPrefix(name, "embeddings_hnsw_") &&
			strings.Contains(ix.def, " USING hnsw ") && strings.Contains(ix.def, "embedder = '"+embedder+"'::text") {
			stale = append(stale, name)
		}
	}
	slices.Sort(stale)
	return missing, stale
}

// indexes returns the embeddings table's indexes by name.
func indexes(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) (map[string]index, error) {
	rows, err := q.Query(ctx, `SELECT c.relname, pg_get_indexdef(c.oid), COALESCE(obj_description(c.oid, 'pg_class'), '')
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = to_regclass(quote_ident(current_schema()) || '.embeddings')`)
	if err != nil {
		return nil, err
	}
	have := map[string]index{}
	var name string
	var ix index
	_, err = pgx.ForEachRow(rows, []any{&name, &ix.def, &ix.comment}, func() error {
		have[name] = ix
		return nil
	})
	return have, err
}
