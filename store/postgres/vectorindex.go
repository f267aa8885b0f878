package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Limits of pgvector's HNSW indexes: a vector index holds at most 2,000
// dimensions, a halfvec index at most 4,000. EnsureVectorIndex indexes
// embeddings of up to MaxVectorDim dimensions as vector and larger ones, up
// to MaxIndexDim, as halfvec.
const (
	MaxVectorDim = 2000
	MaxIndexDim  = 4000
)

// embedderID is what an embedder id must look like to be written into
// SQL as a literal.
var embedderID = regexp.MustCompile(`^[a-zA-Z0-9._:/-]{1,100}$`)

// ValidEmbedder reports whether an embedder id is safe to inline in SQL:
// 1 to 100 characters among letters, digits and . _ : / -.
func ValidEmbedder(embedder string) bool { return embedderID.MatchString(embedder) }

// VectorType returns the type an embedding of dim dimensions is indexed
// and searched as: vector(dim) up to MaxVectorDim, else halfvec(dim).
func VectorType(dim int) string {
	if dim > MaxVectorDim {
		return fmt.Sprintf("halfvec(%d)", dim)
	}
	return fmt.Sprintf("vector(%d)", dim)
}

// VectorExpr returns the expression the HNSW index of an embedder of dim
// dimensions is built on, such as "embedding::vector(512)" or
// "embedding::halfvec(3072)". A search uses the index only when it orders
// by exactly this expression with the operator of OpsFor(dim) (<=> for
// cosine distance), for example
//
//	ORDER BY embedding::vector(512) <=> $1::vector(512)
//
// and its WHERE clause repeats the index predicate with the embedder id as
// a literal, embedder = '<id>' (a parameter does not match a partial
// index in a generic plan).
func VectorExpr(dim int) string { return "embedding::" + VectorType(dim) }

// OpsFor returns the HNSW operator class of the index of an embedder of
// dim dimensions: vector_cosine_ops, or halfvec_cosine_ops above
// MaxVectorDim.
func OpsFor(dim int) string {
	if dim > MaxVectorDim {
		return "halfvec_cosine_ops"
	}
	return "vector_cosine_ops"
}

// IndexName returns the name of an embedder's HNSW index: a readable,
// sanitised prefix of the id and a hash of the whole id, within
// PostgreSQL's 63-byte limit on names.
func IndexName(embedder string) string {
	return indexName("embeddings_hnsw_", embedder, embedder, 30)
}

// PrincipleIndexName returns the name of the HNSW index over one
// embedder's vectors of one principle's questions.
func PrincipleIndexName(embedder, principle string) string {
	return indexName("embeddings_hnsw_p_", embedder+"\x00"+principle, principle, 36)
}

// RoleIndexName returns the name of the HNSW index over one embedder's
// vectors of the questions of one principle that may be asked of one role.
func RoleIndexName(embedder, principle, role string) string {
	return indexName("embeddings_hnsw_r_", embedder+"\x00"+principle+"\x00"+role, principle+"_"+role, 36)
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

// EnsureFilterIndexes creates, unless they exist, the partial HNSW indexes
// that filtered question searches walk: one per principle, and one per
// principle and role, over an embedder's vectors:
//
//	CREATE INDEX IF NOT EXISTS <PrincipleIndexName> ON embeddings
//	  USING hnsw ((<VectorExpr(dim)>) <OpsFor(dim)>)
//	  WHERE embedder = '<embedder>' AND principle = '<principle>'
//	CREATE INDEX IF NOT EXISTS <RoleIndexName> ON embeddings
//	  USING hnsw ((<VectorExpr(dim)>) <OpsFor(dim)>)
//	  WHERE embedder = '<embedder>' AND principle = '<principle>' AND '<role>' = ANY(roles)
//
// A search whose WHERE clause repeats a predicate with the same literals
// uses that index. Questions written from one story share their tags, so
// a filter tends to reject whole neighbourhoods of an index at once; an
// index that holds only the rows a role may be asked leaves just the level
// to test, and the iterative scan ends early.
func (db *DB) EnsureFilterIndexes(ctx context.Context, embedder string, dim int, principles, roles []string) error {
	if err := checkIndex(embedder, dim); err != nil {
		return err
	}
	var ixs []hnswIndex
	for _, p := range principles {
		if !ValidEmbedder(p) {
			return fmt.Errorf("postgres: vector index: principle %q is not allowed", p)
		}
		ixs = append(ixs, hnswIndex{PrincipleIndexName(embedder, p), fmt.Sprintf("principle = '%s'", p)})
		for _, r := range roles {
			if !ValidEmbedder(r) {
				return fmt.Errorf("postgres: vector index: role %q is not allowed", r)
			}
			ixs = append(ixs, hnswIndex{RoleIndexName(embedder, p, r), fmt.Sprintf("principle = '%s' AND '%s' = ANY(roles)", p, r)})
		}
	}
	_, err := db.ensureIndexes(ctx, embedder, dim, ixs)
	return err
}

// EnsureVectorIndex creates, unless it exists, the partial HNSW index
// (cosine distance) over one embedder's embeddings of dim dimensions:
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
	name := IndexName(embedder)
	defs, err := db.ensureIndexes(ctx, embedder, dim, []hnswIndex{{name: name}})
	if err != nil {
		return err
	}
	// PostgreSQL prints the expression as ((embedding)::vector(512)).
	if def := defs[name]; !strings.Contains(def, "::"+VectorType(dim)+")") {
		return fmt.Errorf("postgres: vector index of %s: %s exists for another dimension (%s); drop it or use a new embedder id",
			embedder, name, def)
	}
	return nil
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

// ensureIndexes creates those of ixs that do not exist yet and returns the
// definitions of the table's indexes by name. When all exist, as at every
// start but the first, it takes no lock: creating an index, even one that
// exists, locks the table against writes. Otherwise it creates them under
// an advisory lock, so that servers starting together do not collide.
func (db *DB) ensureIndexes(ctx context.Context, embedder string, dim int, ixs []hnswIndex) (map[string]string, error) {
	defs, err := indexDefs(ctx, db.pool)
	if err != nil {
		return nil, fmt.Errorf("postgres: vector indexes of %s: %w", embedder, err)
	}
	var missing []hnswIndex
	for _, ix := range ixs {
		if _, ok := defs[ix.name]; !ok {
			missing = append(missing, ix)
		}
	}
	if len(missing) == 0 {
		return defs, nil
	}
	err = db.writeTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('barraiser.hnsw'))`); err != nil {
			return fmt.Errorf("postgres: vector indexes of %s: lock: %w", embedder, err)
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
	return defs, err
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
