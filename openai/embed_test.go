package openai_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/openai"
	"github.com/barraiser/barraiser/openai/openaitest"
	"github.com/barraiser/barraiser/retrieval"
)

var _ retrieval.Embedder = (*openai.Embedder)(nil)

func newEmbedder(t *testing.T, srv *openaitest.Server, dim int) *openai.Embedder {
	t.Helper()
	e, err := openai.NewEmbedder(openai.Config{BaseURL: srv.BaseURL(), EmbeddingModel: "embed-test", EmbeddingDim: dim,
		Timeout: 2 * time.Second, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestNewEmbedder(t *testing.T) {
	for _, cfg := range []openai.Config{{EmbeddingDim: 8}, {EmbeddingModel: "m"}, {EmbeddingModel: "m", EmbeddingDim: 3072}} {
		if _, err := openai.NewEmbedder(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestEmbedBatches: 150 texts go in requests of 64, 64 and 22, with the
// dimension asked for, and come back in order.
func TestEmbedBatches(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	e := newEmbedder(t, srv, 16)
	if e.ID() != "openai:embed-test:16" || e.Dim() != 16 {
		t.Errorf("ID %q, Dim %d", e.ID(), e.Dim())
	}
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = fmt.Sprintf("text number %d", i)
	}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors", len(vecs))
	}
	for i, v := range vecs {
		if fmt.Sprint(v) != fmt.Sprint(openaitest.Vector(texts[i], 16)) {
			t.Fatalf("vector %d is not the one of its text", i)
		}
	}
	reqs := srv.EmbeddingRequests()
	var sizes []string
	for _, r := range reqs {
		sizes = append(sizes, fmt.Sprint(len(r.Input)))
		if r.Dimensions != 16 || r.Model != "embed-test" {
			t.Errorf("request %+v", r)
		}
	}
	if strings.Join(sizes, ",") != "64,64,22" {
		t.Errorf("batches %s", sizes)
	}
	if vecs, err := e.Embed(context.Background(), nil); err != nil || len(vecs) != 0 || srv.EmbedCount() != 3 {
		t.Errorf("no texts: %v, %v, %d requests", vecs, err, srv.EmbedCount())
	}
}

// TestEmbedChecksDim: vectors of the wrong length are an error, not retried.
func TestEmbedChecksDim(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	srv.SetEmbed(func(req openaitest.EmbeddingRequest) openaitest.Reply {
		var vs [][]float32
		for _, t := range req.Input {
			vs = append(vs, openaitest.Vector(t, 8))
		}
		return openaitest.Reply{Vectors: vs}
	})
	e := newEmbedder(t, srv, 16)
	_, err := e.Embed(context.Background(), []string{"a", "b"})
	if err == nil || !strings.Contains(err.Error(), "8 values, want 16") {
		t.Errorf("err %v", err)
	}
	if srv.EmbedCount() != 1 {
		t.Errorf("%d requests", srv.EmbedCount())
	}
}

// TestEmbedRetries: the embeddings share the retry policy.
func TestEmbedRetries(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	var n atomic.Int64
	srv.SetEmbed(func(req openaitest.EmbeddingRequest) openaitest.Reply {
		switch n.Add(1) {
		case 1:
			return openaitest.Reply{Status: 429, RetryAfter: "0"}
		case 2:
			return openaitest.Reply{Vectors: [][]float32{make([]float32, 4)}} // one vector for two texts
		}
		return openaitest.Reply{}
	})
	e := newEmbedder(t, srv, 4)
	vecs, err := e.Embed(context.Background(), []string{"a", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || srv.EmbedCount() != 3 {
		t.Errorf("%d vectors after %d requests", len(vecs), srv.EmbedCount())
	}
	if s := e.Stats(); s.Calls != 1 || s.Retries != 2 || s.Failures != 0 {
		t.Errorf("stats %+v", s)
	}
	if in := srv.EmbeddingRequests()[2].Input; in[1] != " " {
		t.Errorf("empty text sent as %q", in[1])
	}
}
