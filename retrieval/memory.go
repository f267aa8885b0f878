package retrieval

import (
	"context"
	"fmt"
	"sort"

	"github.com/barraiser/barraiser/agent"
)

// Memory is the embedded mode's retriever: the corpus and its vectors in
// memory, searched exactly by cosine similarity. The corpus is a few hundred
// entries, so an exact scan is both the simplest and the fastest index.
type Memory struct {
	*Catalog
	queries *QueryVectors
	pvec    map[string][]float32
	// qvec holds the questions with their vectors, in corpus order (the
	// catalog's positions index it).
	qvec []qvec
}

type qvec struct {
	q agent.Question
	v []float32
}

var _ agent.Retriever = (*Memory)(nil)

// NewMemory embeds the corpus, reusing the vectors cached in store for this
// embedder and embedding only entries that are new or whose text changed,
// and returns the index. store may be nil, which embeds everything.
func NewMemory(ctx context.Context, c *Corpus, e Embedder, store agent.EmbeddingStore) (*Memory, error) {
	vecs, err := Embed(ctx, c, e, store)
	if err != nil {
		return nil, err
	}
	m := &Memory{Catalog: NewCatalog(c), queries: NewQueryVectors(e), pvec: map[string][]float32{}}
	for _, p := range c.Principles {
		m.pvec[p.ID] = vecs[p.ID]
	}
	for _, q := range c.Questions {
		m.qvec = append(m.qvec, qvec{q, vecs[q.ID]})
	}
	return m, nil
}

// Embed returns a vector for every corpus entry, keyed by id. Vectors cached
// in store under the embedder's ID are reused when the entry's text hash
// matches; the rest are embedded and saved.
func Embed(ctx context.Context, c *Corpus, e Embedder, store agent.EmbeddingStore) (map[string][]float32, error) {
	entries := c.Entries()
	cached := map[string]agent.Embedding{}
	if store != nil {
		if err := store.SyncCorpus(ctx, entries); err != nil {
			return nil, fmt.Errorf("retrieval: sync corpus: %w", err)
		}
		var err error
		if cached, err = store.Embeddings(ctx, e.ID()); err != nil {
			return nil, fmt.Errorf("retrieval: load embeddings: %w", err)
		}
	}
	out := make(map[string][]float32, len(entries))
	var todo []agent.CorpusEntry
	for _, en := range entries {
		if c, ok := cached[en.ID]; ok && c.Hash == en.Hash && len(c.Vector) == e.Dim() {
			out[en.ID] = c.Vector
			continue
		}
		todo = append(todo, en)
	}
	const batch = 64
	for i := 0; i < len(todo); i += batch {
		part := todo[i:min(i+batch, len(todo))]
		texts := make([]string, len(part))
		for j, en := range part {
			texts[j] = en.Text
		}
		vs, err := e.Embed(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("retrieval: embed: %w", err)
		}
		if len(vs) != len(part) {
			return nil, fmt.Errorf("retrieval: embedder returned %d vectors for %d texts", len(vs), len(part))
		}
		es := make([]agent.Embedding, len(part))
		for j, en := range part {
			if len(vs[j]) != e.Dim() {
				return nil, fmt.Errorf("retrieval: embedder returned dimension %d, want %d", len(vs[j]), e.Dim())
			}
			out[en.ID] = vs[j]
			es[j] = agent.Embedding{EntryID: en.ID, Hash: en.Hash, Vector: vs[j]}
		}
		if store != nil {
			if err := store.SaveEmbeddings(ctx, e.ID(), e.Dim(), es); err != nil {
				return nil, fmt.Errorf("retrieval: save embeddings: %w", err)
			}
		}
	}
	return out, nil
}

// SearchPrinciples implements agent.Retriever. A principle scores by its own
// description and by its closest question, so a query that reads like a
// story finds the principle whose questions ask for that story.
func (m *Memory) SearchPrinciples(ctx context.Context, query string, k int) ([]agent.Match, error) {
	qv, err := m.embed(ctx, query)
	if err != nil {
		return nil, err
	}
	own := map[string]float64{}
	best := map[string]float64{}
	for _, e := range m.qvec {
		s := qv.dot(e.v)
		p := e.q.Principles[0]
		if s > best[p] {
			best[p] = s
		}
	}
	for id, v := range m.pvec {
		own[id] = qv.dot(v)
	}
	return m.RankPrinciples(own, best, k), nil
}

// SearchQuestions implements agent.Retriever.
func (m *Memory) SearchQuestions(ctx context.Context, query string, k int, f agent.QuestionFilter) ([]agent.Question, error) {
	qv, err := m.embed(ctx, query)
	if err != nil {
		return nil, err
	}
	type hit struct {
		q agent.Question
		s float64
	}
	var hits []hit
	for _, i := range m.candidates(f) {
		if e := m.qvec[i]; matches(e.q, f) {
			hits = append(hits, hit{e.q, qv.dot(e.v)})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].s > hits[j].s })
	out := make([]agent.Question, 0, min(k, len(hits)))
	for i := 0; i < len(hits) && i < k; i++ {
		out = append(out, hits[i].q)
	}
	return out, nil
}

// matches applies a filter to one question.
func matches(q agent.Question, f agent.QuestionFilter) bool {
	if f.Principle != "" && q.Principles[0] != f.Principle {
		return false
	}
	if f.Exclude[q.ID] {
		return false
	}
	return q.Fits(f.Role, f.Level)
}

func (m *Memory) embed(ctx context.Context, text string) (queryVec, error) {
	v, err := m.queries.Embed(ctx, text)
	if err != nil {
		return queryVec{}, err
	}
	return prepare(v), nil
}

func dot(a, b []float32) float64 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return float64(s0 + s1 + s2 + s3)
}

// queryVec is a query vector prepared for many dot products. The local
// embedder's vectors are sparse (a short query touches a few dozen of 512
// dimensions), so only the non-zero entries are multiplied.
type queryVec struct {
	dense []float32
	idx   []int32
	val   []float32
}

func prepare(v []float32) queryVec {
	q := queryVec{dense: v}
	for i, x := range v {
		if x != 0 {
			q.idx = append(q.idx, int32(i))
			q.val = append(q.val, x)
		}
	}
	return q
}

// dot returns the dot product of the query with b.
func (q queryVec) dot(b []float32) float64 {
	if len(q.idx) > len(q.dense)/2 {
		return dot(q.dense, b)
	}
	var s float32
	for k, i := range q.idx {
		s += q.val[k] * b[i]
	}
	return float64(s)
}
