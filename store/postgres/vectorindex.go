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
	sum := sha256.Sum256([]byte(embedder))
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(embedder))
	if len(clean) > 30 {
		clean = clean[:30]
	}
	return "embeddings_hnsw_" + clean + "_" + hex.EncodeToString(sum[:4])
}

// PrincipleIndexName returns the name of the HNSW index over one
// embedder's vectors of one principle's questions.
func PrincipleIndexName(embedder, principle string) string {
	return partialIndexName("embeddings_hnsw_p_", embedder+"\x00"+principle, principle)
}

// RoleIndexName returns the name of the HNSW index over one embedder's
// vectors of the questions of one principle that may be asked of one role.
func RoleIndexName(embedder, principle, role string) string {
	return partialIndexName("embeddings_hnsw_r_", embedder+"\x00"+principle+"\x00"+role, principle+"_"+role)
}

// partialIndexName is prefix, a readable part of label and a hash of key,
// within PostgreSQL's 63-byte limit on names.
func partialIndexName(prefix, key, label string) string {
	sum := sha256.Sum256([]byte(key))
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(label))
	if n := 63 - len(prefix) - 9; len(clean) > n {
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
	if !ValidEmbedder(embedder) {
		return fmt.Errorf("postgres: vector index: embedder id %q is not allowed", embedder)
	}
	if dim < 1 || dim > MaxIndexDim {
		return fmt.Errorf("postgres: vector index of %s: dimension %d is outside 1..%d", embedder, dim, MaxIndexDim)
	}
	for _, id := range append(append([]string{}, principles...), roles...) {
		if !ValidEmbedder(id) {
			return fmt.Errorf("postgres: vector index: principle or role %q is not allowed", id)
		}
	}
	index := func(name, where string) string {
		return fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON embeddings USING hnsw ((%s) %s) WHERE embedder = '%s' AND %s`,
			name, VectorExpr(dim), OpsFor(dim), embedder, where)
	}
	return db.writeTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('barraiser.hnsw'))`); err != nil {
			return fmt.Errorf("postgres: filter indexes of %s: lock: %w", embedder, err)
		}
		for _, p := range principles {
			ddl := []string{index(PrincipleIndexName(embedder, p), fmt.Sprintf("principle = '%s'", p))}
			for _, r := range roles {
				ddl = append(ddl, index(RoleIndexName(embedder, p, r), fmt.Sprintf("principle = '%s' AND '%s' = ANY(roles)", p, r)))
			}
			for _, d := range ddl {
				if _, err := tx.Exec(ctx, d); err != nil {
					return fmt.Errorf("postgres: filter index of %s/%s: %w", embedder, p, err)
				}
			}
		}
		return nil
	})
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
	if !ValidEmbedder(embedder) {
		return fmt.Errorf("postgres: vector index: embedder id %q is not allowed", embedder)
	}
	if dim < 1 || dim > MaxIndexDim {
		return fmt.Errorf("postgres: vector index of %s: dimension %d is outside 1..%d", embedder, dim, MaxIndexDim)
	}
	name := IndexName(embedder)
	ddl := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON embeddings USING hnsw ((%s) %s) WHERE embedder = '%s'`,
		name, VectorExpr(dim), OpsFor(dim), embedder)
	return db.writeTx(ctx, func(tx pgx.Tx) error {
		// The same lock as the pgvector retriever's, which creates the
		// same index under the same name.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('barraiser.hnsw'))`); err != nil {
			return fmt.Errorf("postgres: vector index of %s: lock: %w", embedder, err)
		}
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("postgres: vector index of %s: %w", embedder, err)
		}
		var def string
		if err := tx.QueryRow(ctx, `SELECT indexdef FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename = 'embeddings' AND indexname = $1`, name).Scan(&def); err != nil {
			return fmt.Errorf("postgres: vector index of %s: %w", embedder, err)
		}
		// PostgreSQL prints the expression as ((embedding)::vector(512)).
		if !strings.Contains(def, "::"+VectorType(dim)+")") {
			return fmt.Errorf("postgres: vector index of %s: %s exists for another dimension (%s); drop it or use a new embedder id",
				embedder, name, def)
		}
		return nil
	})
}
