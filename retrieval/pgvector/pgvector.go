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
	// Mode chooses between the index and an exact scan.
	Mode Mode
	// ExactBelow is the number of matching rows under which Auto compares
	// the query with each of them.
	ExactBelow int
}

// Mode is how a search finds its nearest rows.
type Mode int

// The search modes. Auto, the default, compares the query with each
// matching row when a principle's filter keeps fewer than ExactBelow rows,
// and walks the index otherwise; Indexed always walks the index and Exact
// always scans, for measuring the two.
const (
	Auto Mode = iota
	Indexed
	Exact
)

// DefaultExactBelow is the default ExactBelow: listing the matching rows
// takes an index-only scan, and comparing a few hundred vectors costs less
// than walking the index past the rows the filter rejects.
const DefaultExactBelow = 1000

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
	var ids []string
	for _, p := range c.Principles {
		ids = append(ids, p.ID)
	}
	if err := db.EnsurePrincipleIndexes(ctx, e.ID(), e.Dim(), ids); err != nil {
		return nil, err
	}
	// The embedder id is written as a literal, never a parameter: only then
	// can the planner match the partial index, even with cached plans.
	return &Index{Catalog: retrieval.NewCatalog(c), pool: db.Pool(), embedder: e, expr: postgres.VectorExpr(e.Dim()),
		where: "e.embedder = '" + e.ID() + "'", EfSearch: 200, ExactBelow: DefaultExactBelow}, nil
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
		if err := ix.setScan(ctx, tx, questionCandidates, ix.Mode == Exact); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT e.entry_id, 1 - (%s <=> $1) FROM embeddings e
			WHERE %s AND e.entry_id = ANY($2) %s`, ix.expr, ix.where, planTag(ix.Mode == Exact)), qv, ids)
		if err := collect(rows, err, own); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, fmt.Sprintf(`SELECT e.principle, 1 - (%s <=> $1) FROM embeddings e
			WHERE %s AND e.kind = 'question' ORDER BY %s <=> $1 LIMIT %d %s`, ix.expr, ix.where, ix.expr, questionCandidates,
			planTag(ix.Mode == Exact)), qv)
		return collectMax(rows, err, best)
	})
	if err != nil {
		return nil, fmt.Errorf("pgvector: search principles: %w", err)
	}
	return ix.RankPrinciples(own, best, k), nil
}

// SearchQuestions implements agent.Retriever. It walks the principle's HNSW
// index (or the embedder's, without a principle) with strict-order
// iterative scans, which test the role, level and exclusions on each row as
// they go, so it returns k rows whenever k rows match: a principle's index
// holds far fewer rows than the scan's limit (hnsw.max_scan_tuples).
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
	where := ix.where + " AND e.kind = 'question'"
	if f.Principle != "" {
		if _, ok := ix.Principle(f.Principle); !ok {
			return nil, nil
		}
		// A literal, like the embedder, so that the principle's own index
		// (and its row estimate) is used.
		where += " AND e.principle = '" + f.Principle + "'"
	}
	where += ` AND ($2 = '' OR $2 = ANY(e.roles))
		AND ($3 = 0 OR (e.min_rank <= $3 AND e.max_rank >= $3))
		AND NOT (e.entry_id = ANY($4))`
	order := fmt.Sprintf("%s <=> $1", ix.expr)
	if zero {
		// A zero vector has no direction to compare; $1 stays in the query
		// only so that its type is known.
		order = "e.entry_id, $1::vector IS NULL"
	}
	args := []any{qv, string(f.Role), f.Level.Rank(), exclude}
	var out []agent.Question
	err = pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		exact := ix.Mode == Exact
		query := fmt.Sprintf(`SELECT e.entry_id FROM embeddings e WHERE %s ORDER BY %s LIMIT %d %s`, where, order, k, planTag(exact))
		if ix.Mode == Auto && f.Principle != "" {
			// List the matching rows from the filter index alone; if they
			// are few, compare the query with each of them.
			rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT e.entry_id FROM embeddings e WHERE %s AND $1::vector IS NOT NULL LIMIT %d`,
				where, ix.ExactBelow), args...)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			if len(ids) < ix.ExactBelow {
				exact = true
				query = fmt.Sprintf(`SELECT e.entry_id FROM embeddings e WHERE %s AND e.entry_id = ANY($2) ORDER BY %s LIMIT %d %s`,
					ix.where, order, k, planTag(true))
				args = []any{qv, ids}
			}
		}
		if err := ix.setScan(ctx, tx, k, exact); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, query, args...)
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

// planTag marks a query's text with how it must be planned. Prepared
// statements are cached per text, and a plan made with the index turned off
// (or on) must never serve the other mode: an index plan run without
// iterative scans returns too few rows.
func planTag(exact bool) string {
	if exact {
		return "/* exact */"
	}
	return "/* indexed */"
}

// setScan turns on strict-order iterative index scans for this
// transaction, or, for an exact search, turns plain index scans off: the
// HNSW index can serve no other kind, while B-tree lookups of the filtered
// rows still run as bitmap scans.
func (ix *Index) setScan(ctx context.Context, tx pgx.Tx, k int, exact bool) error {
	sql := fmt.Sprintf("SET LOCAL hnsw.iterative_scan = strict_order; SET LOCAL hnsw.ef_search = %d", max(ix.EfSearch, k))
	if exact {
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
