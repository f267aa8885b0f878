// Package pgvector searches the corpus with pgvector in PostgreSQL: cosine
// distance over partial HNSW indexes of half-precision vectors (one per
// embedder, per principle, and per principle, role and level), with the
// remaining filters applied during iterative index scans so that a
// filtered query still returns k rows whenever k rows match, and an exact
// comparison when a filter keeps few rows.
package pgvector

import (
	"context"
	"fmt"
	"slices"
	"strconv"

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
	queries  *retrieval.QueryVectors
	// order is the distance to the query $1 by the indexed expression,
	// such as embedding::halfvec(512) <=> $1::vector::halfvec(512); the
	// queries repeat it exactly so that the planner can use the index.
	order string
	where string
	// principles are the corpus's principle ids.
	principles []string
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

// DefaultExactBelow is the default ExactBelow. A row fetched by key and
// compared costs 1.5 to 2 µs, so a hundred cost at most 0.2 ms, the answer
// is exact, and no row is read only to be skipped, as a walk must skip
// the questions an owner has already been asked. With more rows, walking
// the index that holds just the principle's questions for the role and
// level costs less: on 100,000 questions, comparing up to 1,000 rows
// exactly made p99 worse than walking (docs/benchmarks.md).
const DefaultExactBelow = 100

var _ agent.Retriever = (*Index)(nil)

// New embeds the corpus into the store (reusing vectors already stored for
// this embedder), makes sure the embedder's HNSW indexes exist and returns
// the index.
func New(ctx context.Context, db *postgres.DB, c *retrieval.Corpus, e retrieval.Embedder) (*Index, error) {
	if !postgres.ValidEmbedder(e.ID()) {
		return nil, fmt.Errorf("pgvector: embedder id %q is not allowed", e.ID())
	}
	if _, err := retrieval.Embed(ctx, c, e, db); err != nil {
		return nil, err
	}
	var principles, roles []string
	var ranks []int
	for _, p := range c.Principles {
		principles = append(principles, p.ID)
	}
	for _, r := range agent.Roles {
		roles = append(roles, string(r))
	}
	for _, l := range agent.Levels {
		ranks = append(ranks, l.Rank())
	}
	if err := db.EnsureSearchIndexes(ctx, e.ID(), e.Dim(), principles, roles, ranks); err != nil {
		return nil, err
	}
	// The embedder id is written as a literal, never a parameter: only then
	// can the planner match the partial index, even with cached plans.
	return &Index{Catalog: retrieval.NewCatalog(c), pool: db.Pool(), embedder: e, queries: retrieval.NewQueryVectors(e),
		order: fmt.Sprintf("%s <=> $1::vector::%s", postgres.VectorExpr(e.Dim()), postgres.VectorType(e.Dim())),
		where: "e.embedder = '" + e.ID() + "'", principles: principles, EfSearch: 200, ExactBelow: DefaultExactBelow}, nil
}

// SearchPrinciples implements agent.Retriever: every principle's own
// similarity (sixteen rows, exact) and its closest question among the
// nearest questions (by the index), combined as in the in-memory index.
// Scores come from the stored vectors, whatever the order was found by.
func (ix *Index) SearchPrinciples(ctx context.Context, query string, k int) ([]agent.Match, error) {
	qv, zero, err := ix.embed(ctx, query)
	if err != nil {
		return nil, err
	}
	own, best := map[string]float64{}, map[string]float64{}
	if zero {
		return ix.RankPrinciples(own, best, k), nil
	}
	err = ix.run(ctx, questionCandidates,
		search{sql: fmt.Sprintf(`SELECT e.entry_id, 1 - (e.embedding <=> $1) FROM embeddings e
			WHERE %s AND e.entry_id = ANY($2)`, ix.where), args: []any{qv, ix.principles},
			read: func(rows pgx.Rows, err error) error {
				return scores(rows, err, func(id string, s float64) { own[id] = s })
			}},
		search{sql: fmt.Sprintf(`SELECT e.principle, 1 - (e.embedding <=> $1) FROM embeddings e
			WHERE %s AND e.kind = 'question' ORDER BY %s LIMIT %d`, ix.where, ix.distance(ix.Mode == Exact), questionCandidates),
			args: []any{qv},
			read: func(rows pgx.Rows, err error) error {
				return scores(rows, err, func(p string, s float64) { best[p] = max(best[p], s) })
			}})
	if err != nil {
		return nil, fmt.Errorf("pgvector: search principles: %w", err)
	}
	return ix.RankPrinciples(own, best, k), nil
}

// SearchQuestions implements agent.Retriever. When a principle's filter
// keeps fewer than ExactBelow questions (counted in the catalog, which holds
// the same corpus), it compares the query with each of them; otherwise it
// walks the HNSW index that holds the principle's questions for the role
// and level (or the principle's, or the embedder's, when the filter names
// fewer) with strict-order iterative scans, which test the rest of the
// filter (exclusions) on each row as they go, so it returns k rows
// whenever k rows match: such an index holds far fewer rows than the
// scan's limit (hnsw.max_scan_tuples). A filter no question can pass
// returns nothing without embedding the query.
func (ix *Index) SearchQuestions(ctx context.Context, query string, k int, f agent.QuestionFilter) ([]agent.Question, error) {
	w, ok := ix.questionWhere(f)
	if !ok {
		return nil, nil
	}
	qv, zero, err := ix.embed(ctx, query)
	if err != nil {
		return nil, err
	}
	var out []agent.Question
	s := ix.questionSearch(qv, zero, k, w)
	s.read = func(rows pgx.Rows, err error) error {
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, id := range ids {
			if q, ok := ix.Question(id); ok {
				out = append(out, q)
			}
		}
		return err
	}
	if err := ix.run(ctx, k, s); err != nil {
		return nil, fmt.Errorf("pgvector: search questions: %w", err)
	}
	return out, nil
}

// search is one query as SQL, with its arguments and what reads its rows.
type search struct {
	sql  string
	args []any
	read func(pgx.Rows, error) error
}

// where is the WHERE clause of a question search, with its arguments after
// the query vector ($2 on), and whether the search compares exactly.
type where struct {
	sql   string
	args  []any
	exact bool
}

// questionWhere writes the WHERE clause of a search for questions that
// pass f. It reports false when no question can pass f.
func (ix *Index) questionWhere(f agent.QuestionFilter) (where, bool) {
	w := where{sql: ix.where + " AND e.kind = 'question'", exact: ix.Mode == Exact}
	if f.Principle != "" {
		if _, ok := ix.Principle(f.Principle); !ok {
			return where{}, false
		}
		// A literal, like the embedder, so that the principle's own index
		// (and its row estimate) is used.
		w.sql += " AND e.principle = '" + f.Principle + "'"
	}
	// Role and level are literals too: with the principle, they name the
	// index that holds only the questions this role may be asked at this
	// level.
	if f.Role != "" {
		if !f.Role.Valid() {
			return where{}, false
		}
		w.sql += " AND '" + string(f.Role) + "' = ANY(e.roles)"
	}
	if f.Level != "" {
		n := f.Level.Rank()
		if n == 0 {
			return where{}, false
		}
		w.sql += fmt.Sprintf(" AND e.min_rank <= %d AND e.max_rank >= %d", n, n)
	}
	if ix.Mode == Auto && f.Principle != "" && ix.ExactBelow > 0 {
		ids := ix.Matching(f, ix.ExactBelow)
		if len(ids) == 0 {
			return where{}, false
		}
		if len(ids) < ix.ExactBelow {
			// Few enough to compare with each: fetch them by key. The
			// catalog has applied the whole filter, so the SQL is the same
			// for every filter and is planned once per connection.
			return where{sql: ix.where + " AND e.entry_id = ANY($2)", args: []any{ids}, exact: true}, true
		}
	}
	exclude := make([]string, 0, len(f.Exclude))
	for id, ok := range f.Exclude {
		if ok {
			exclude = append(exclude, id)
		}
	}
	w.sql += " AND NOT (e.entry_id = ANY($2))"
	w.args = []any{exclude}
	return w, true
}

// questionSearch writes the search for the k questions closest to qv among
// those w keeps.
func (ix *Index) questionSearch(qv pgv.Vector, zero bool, k int, w where) search {
	args := append([]any{qv}, w.args...)
	if zero {
		// A zero vector has no direction to compare: any k matching rows
		// will do. $1 stays in the query only so that its type is known.
		return search{sql: fmt.Sprintf(`SELECT e.entry_id FROM embeddings e
			WHERE %s AND $1::vector IS NOT NULL ORDER BY e.entry_id LIMIT %d`, w.sql, k), args: args}
	}
	return search{sql: fmt.Sprintf(`SELECT e.entry_id FROM embeddings e
		WHERE %s ORDER BY %s LIMIT %d`, w.sql, ix.distance(w.exact), k), args: args}
}

// distance is the cosine distance of a row to the query $1: by the indexed
// expression, which the index can order by, or for an exact comparison by
// the column itself, which no HNSW index holds (they index a cast of it).
func (ix *Index) distance(exact bool) string {
	if exact {
		return "e.embedding <=> $1"
	}
	return ix.order
}

// run runs the searches ss in one transaction and hands each one's rows
// to its read. The transaction walks HNSW indexes with strict-order
// iterative scans and an ef_search of at least k, and uses generic plans:
// with an index per principle, role and level on the table, planning each
// search anew costs a millisecond or more, and the literals in the SQL
// already name the index to walk. All the statements (begin, settings, the
// searches, commit) go to the server in one round trip. Its errors are
// classified as the store's are (postgres.Fault): a database out of reach
// fails a search with store_unavailable, not as an internal error.
func (ix *Index) run(ctx context.Context, k int, ss ...search) (err error) {
	defer func() { err = postgres.Fault(ctx, err) }()
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(`SELECT set_config('hnsw.iterative_scan', 'strict_order', true), set_config('hnsw.ef_search', $1, true),
		set_config('plan_cache_mode', 'force_generic_plan', true)`, strconv.Itoa(max(ix.EfSearch, k)))
	for _, s := range ss {
		b.Queue(s.sql, s.args...)
	}
	b.Queue("COMMIT")
	br := ix.pool.SendBatch(ctx, b)
	// A failed statement leaves the transaction open; the pool then
	// discards the connection rather than reuse it.
	defer br.Close()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
	for _, s := range ss {
		rows, err := br.Query()
		if err := s.read(rows, err); err != nil {
			return err
		}
	}
	if _, err := br.Exec(); err != nil {
		return err
	}
	return br.Close()
}

func (ix *Index) embed(ctx context.Context, text string) (pgv.Vector, bool, error) {
	v, err := ix.queries.Embed(ctx, text)
	if err != nil {
		return pgv.Vector{}, false, fmt.Errorf("pgvector: %w", err)
	}
	zero := !slices.ContainsFunc(v, func(x float32) bool { return x != 0 })
	return pgv.NewVector(v), zero, nil
}

// scores hands each (id, score) row to add.
func scores(rows pgx.Rows, err error, add func(id string, s float64)) error {
	if err != nil {
		return err
	}
	var id string
	var s float64
	_, err = pgx.ForEachRow(rows, []any{&id, &s}, func() error {
		add(id, s)
		return nil
	})
	return err
}
