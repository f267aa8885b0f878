package openai

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
)

// EmbedBatch is the most texts sent in one embeddings request.
const EmbedBatch = 64

// MaxEmbeddingDim is the largest dimension pgvector's HNSW index can hold.
const MaxEmbeddingDim = 2000

// Embedder turns texts into vectors through an OpenAI-compatible embeddings
// endpoint; it implements retrieval.Embedder. It is safe for concurrent use.
type Embedder struct {
	c     *caller
	model string
	dim   int
}

// NewEmbedder returns an Embedder for cfg.EmbeddingModel with vectors of
// cfg.EmbeddingDim values, which is passed to the API as "dimensions" and
// checked on every vector returned.
func NewEmbedder(cfg Config) (*Embedder, error) {
	if strings.TrimSpace(cfg.EmbeddingModel) == "" {
		return nil, errors.New("openai: new embedder: no embedding model configured")
	}
	if cfg.EmbeddingDim <= 0 || cfg.EmbeddingDim > MaxEmbeddingDim {
		return nil, fmt.Errorf("openai: new embedder: dimension %d is not from 1 to %d", cfg.EmbeddingDim, MaxEmbeddingDim)
	}
	return &Embedder{c: newCaller(cfg), model: cfg.EmbeddingModel, dim: cfg.EmbeddingDim}, nil
}

// ID is "openai:<model>:<dim>".
func (e *Embedder) ID() string { return "openai:" + e.model + ":" + strconv.Itoa(e.dim) }

// Dim is the length of every vector.
func (e *Embedder) Dim() int { return e.dim }

// Stats returns the counts of calls (batches), failed calls and retries.
func (e *Embedder) Stats() Stats { return e.c.count.stats() }

// Embed returns one vector per text, asking for at most EmbedBatch texts per
// request. Each batch has the Model's deadline and retry policy.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += EmbedBatch {
		batch := texts[start:min(start+EmbedBatch, len(texts))]
		vecs, err := e.embedBatch(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("openai: embed texts %d to %d of %d: %w", start+1, start+len(batch), len(texts), err)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (e *Embedder) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	input := make([]string, len(batch))
	for i, t := range batch {
		if strings.TrimSpace(t) == "" {
			t = " " // the API refuses empty inputs
		}
		input[i] = t
	}
	req := goopenai.EmbeddingRequest{
		Input:          input,
		Model:          goopenai.EmbeddingModel(e.model),
		EncodingFormat: goopenai.EmbeddingEncodingFormatFloat,
		Dimensions:     e.dim,
	}
	var vecs [][]float32
	err := e.c.do(ctx, "embed", func(ctx context.Context) error {
		resp, err := e.c.client.CreateEmbeddings(ctx, req)
		if err != nil {
			return err
		}
		vecs, err = e.order(resp.Data, len(batch))
		return err
	})
	return vecs, err
}

// order puts the returned vectors in input order by their index and checks
// that there is exactly one of the right length per input.
func (e *Embedder) order(data []goopenai.Embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, badOutput(fmt.Sprintf("%d vectors for %d texts", len(data), n), nil)
	}
	out := make([][]float32, n)
	for _, d := range data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, badOutput(fmt.Sprintf("bad or repeated vector index %d", d.Index), nil)
		}
		if len(d.Embedding) != e.dim {
			return nil, fmt.Errorf("vector %d has %d values, want %d", d.Index, len(d.Embedding), e.dim)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}
