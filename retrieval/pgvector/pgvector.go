// Package pgvector searches the corpus with pgvector in PostgreSQL: cosine
// distance over one partial HNSW index per embedder, with filters applied
// during iterative index scans so that a filtered query still returns k rows
// whenever k rows match.
package pgvector

import (
	"context"
	"fmt"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgv "github.com/pgvector/pgvector-go"
)

// questionCandidates is how many nearest questions the principle search
// reads to find each principle's closest question.
const questionCandidates = 64

// Index is an agent.Retriever backed by pgvector. The corpus texts and
// vectors live in the corpus_entries and embeddings tables.
type Index struct {
	*retrieval.Catalog
	pool     *pgxpool.Pool
	embedder retrieval.Embedder
	// expr is the indexed expression, such as embedding::vector(512); the
	// queries repeat it exactly so that the planner can use the index.
	expr  string
	where string
	// EfSearch is the HNSW candidate list size (hnsw.ef_search).
	EfSearch int
	// Exact turns the index off: every search is an exact scan. It is the
	// reference that measures the index's recall.
	Exact bool
}

var _ agent.Retriever = (*Index)(nil)

// New embeds the corpus into the store (reusing vectors already stored for
// this embedder), makes sure the embedder's HNSW index exists and returns
// the index.
func New(ctx context.Context, db *postgres.DB, c *retrieval.Corpus, e retrieval.Embedder) (*Index, error) {
	if !postgres.ValidEmbedder(e.ID()) {
		return nil, fmt.Errorf("pgvector: embedder id %q is not allowed", e.ID())
	}
	if _, err := retrieval.Embed(ctx, c, e, db); err != nil {
		return nil, err
	}
	if err := db.EnsureVectorIndex(ctx, e.ID(), e.Dim()); err != nil {
		return nil, err
	}
	// The embedder id is written as a literal, never a parameter: only then
	// can the planner match the partial index, even with cached plans.
	return &Index{Catalog: retrieval.NewCatalog(c), pool: db.Pool(), embedder: e, expr: postgres.VectorExpr(e.Dim()),
		where: "e.embedder = '" + e.ID() + "'", EfSearch: 100}, nil
}

// SearchPrinciples implements agent.Retriever: every principle's own
// similarity (sixteen rows, exact) and its closest question among the
// nearest questions (by the index), combined as in the in-memory index.
func (ix *Index) SearchPrinciples(ctx context.Context, query string, k int) ([]agent.Match, error) {
	qv, zero, err := ix.embed(ctx, query)
	if err != nil {
		return nil, err
	}
	own, best := map[string]float64{}, map[string]float64{}
	if zero {
		return ix.RankPrinciples(own, best, k), nil
	}
	var ids []string
	for _, p := range ix.Principles() {
		ids = append(ids, p.ID)
	}
	err = pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		if err := ix.setScan(ctx, tx, questionCandidates); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT e.entry_id, 1 - (%s <=> $1) FROM embeddings e
			WHERE %s AND e.entry_id = ANY($2)`, ix.expr, ix.where), qv, ids)
		if err := collect(rows, err, own); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, fmt.Sprintf(`SELECT c.principle, 1 - d FROM (
				SELECT e.entry_id, %s <=> $1 AS d FROM embeddings e
				JOIN corpus_entries c0 ON c0.id = e.entry_id AND c0.kind = 'question'
				WHERE %s ORDER BY %s <=> $1 LIMIT %d) n
			JOIN corpus_entries c ON c.id = n.entry_id`, ix.expr, ix.where, ix.expr, questionCandidates), qv)
		return collectMax(rows, err, best)
	})
	if err != nil {
		return nil, fmt.Errorf("pgvector: search principles: %w", err)
	}
	return ix.RankPrinciples(own, best, k), nil
}

// SearchQuestions implements agent.Retriever. The filter is applied while
// the HNSW index is scanned iteratively (pgvector 0.8), so the query returns
// k rows whenever k rows match, in strict distance order.
func (ix *Index) SearchQuestions(ctx context.Context, query string, k int, f agent.QuestionFilter) ([]agent.Question, error) {
	qv, zero, err := ix.embed(ctx, query)
	if err != nil {
		return nil, err
	}
	exclude := make([]string, 0, len(f.Exclude))
	for id, ok := range f.Exclude {
		if ok {
			exclude = append(exclude, id)
		}
	}
	order := fmt.Sprintf("%s <=> $1", ix.expr)
	if zero {
		// A zero vector has no direction to compare; $1 stays in the query
		// only so that its type is known.
		order = "e.entry_id, $1::vector IS NULL"
	}
	sql := fmt.Sprintf(`SELECT e.entry_id FROM embeddings e
		JOIN corpus_entries c ON c.id = e.entry_id
		WHERE %s AND c.kind = 'question'
		  AND ($2 = '' OR c.principle = $2)
		  AND ($3 = '' OR $3 = ANY(c.roles))
		  AND ($4 = 0 OR (c.min_rank <= $4 AND c.max_rank >= $4))
		  AND NOT (e.entry_id = ANY($5))
		ORDER BY %s LIMIT $6`, ix.where, order)
	var out []agent.Question
	err = pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		if err := ix.setScan(ctx, tx, k); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, sql, qv, f.Principle, string(f.Role), f.Level.Rank(), exclude, k)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			if q, ok := ix.Question(id); ok {
				out = append(out, q)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pgvector: search questions: %w", err)
	}
	return out, nil
}

// setScan turns on strict-order iterative index scans for this
// transaction, or turns the index off for an exact search.
func (ix *Index) setScan(ctx context.Context, tx pgx.Tx, k int) error {
	sql := fmt.Sprintf("SET LOCAL hnsw.iterative_scan = strict_order; SET LOCAL hnsw.ef_search = %d", max(ix.EfSearch, k))
	if ix.Exact {
		sql = "SET LOCAL enable_indexscan = off"
	}
	_, err := tx.Exec(ctx, sql)
	return err
}

func (ix *Index) embed(ctx context.Context, text string) (pgv.Vector, bool, error) {
	vs, err := ix.embedder.Embed(ctx, []string{text})
	if err != nil {
		return pgv.Vector{}, false, fmt.Errorf("pgvector: embed query: %w", err)
	}
	zero := true
	for _, x := range vs[0] {
		if x != 0 {
			zero = false
			break
		}
	}
	return pgv.NewVector(vs[0]), zero, nil
}

func collect(rows pgx.Rows, err error, into map[string]float64) error {
	if err != nil {
		return err
	}
	var id string
	var s float64
	_, err = pgx.ForEachRow(rows, []any{&id, &s}, func() error {
		into[id] = s
		return nil
	})
	return err
}

func collectMax(rows pgx.Rows, err error, into map[string]float64) error {
	if err != nil {
		return err
	}
	var id string
	var s float64
	_, err = pgx.ForEachRow(rows, []any{&id, &s}, func() error {
		if s > into[id] {
			into[id] = s
		}
		return nil
	})
	return err
}
