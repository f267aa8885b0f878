package retrieval

import (
	"context"
	"testing"

	"github.com/barraiser/barraiser/store/sqlite"
)

// countingEmbedder wraps an embedder and counts the texts it embeds.
type countingEmbedder struct {
	Embedder
	id string
	n  int
}

func (c *countingEmbedder) ID() string { return c.id }

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.n += len(texts)
	return c.Embedder.Embed(ctx, texts)
}

// TestEmbeddingsAreCached embeds the corpus into a real store, then shows
// that a restart embeds nothing, a changed entry is embedded alone, and a
// different embedder embeds everything again.
func TestEmbeddingsAreCached(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := loadCorpus(t)
	total := len(c.Entries())
	tests := []struct {
		name   string
		id     string
		change func()
		want   int
	}{
		{"first start embeds everything", "hash-a", func() {}, total},
		{"restart embeds nothing", "hash-a", func() {}, 0},
		{"a changed question is embedded alone", "hash-a", func() { c.Questions[0].Text += " Be specific." }, 1},
		{"another embedder embeds everything", "hash-b", func() {}, total},
	}
	for _, tt := range tests {
		tt.change()
		e := &countingEmbedder{Embedder: Hash{}, id: tt.id}
		if _, err := NewMemory(ctx, c, e, db); err != nil {
			t.Fatal(err)
		}
		if e.n != tt.want {
			t.Errorf("%s: embedded %d texts, want %d", tt.name, e.n, tt.want)
		}
	}
}
