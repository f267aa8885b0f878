package retrieval

import (
	"context"
	"fmt"
	"sync"
)

// queryMemory is how many recent queries QueryVectors remembers.
const queryMemory = 32

// QueryVectors embeds search queries and remembers the last few. Planning
// an interview searches with the same focus for every principle it picks,
// and an embedder behind an API would otherwise be called each time.
type QueryVectors struct {
	embedder Embedder
	mu       sync.Mutex
	recent   []recentQuery // oldest first
}

type recentQuery struct {
	text string
	v    []float32
}

// NewQueryVectors returns a QueryVectors over e.
func NewQueryVectors(e Embedder) *QueryVectors { return &QueryVectors{embedder: e} }

// Embed returns the vector of text, from memory when text was among the
// last queries. Callers must not modify the vector.
func (q *QueryVectors) Embed(ctx context.Context, text string) ([]float32, error) {
	q.mu.Lock()
	for _, r := range q.recent {
		if r.text == text {
			q.mu.Unlock()
			return r.v, nil
		}
	}
	q.mu.Unlock()
	vs, err := q.embedder.Embed(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("retrieval: embed query: %w", err)
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("retrieval: embedder returned %d vectors for 1 query", len(vs))
	}
	q.mu.Lock()
	if len(q.recent) == queryMemory {
		q.recent = q.recent[1:]
	}
	q.recent = append(q.recent, recentQuery{text, vs[0]})
	q.mu.Unlock()
	return vs[0], nil
}
