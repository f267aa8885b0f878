// Package retrieval finds principles and questions by meaning. It holds the
// corpus, the embedders that turn text into vectors and the in-memory vector
// index of the embedded mode.
package retrieval

import "context"

// Embedder turns texts into vectors of a fixed dimension.
type Embedder interface {
	// ID names the embedder and its version; cached vectors are kept per ID,
	// so a change of embedder re-embeds the corpus.
	ID() string
	// Dim is the length of every vector Embed returns; at most 2,000 so
	// that pgvector's HNSW index can hold it.
	Dim() int
	// Embed returns one vector per text.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}
