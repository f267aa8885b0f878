package retrieval

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestQueryVectorsRemembersRecent: a query asked again is not embedded
// again, and gets the same vector, until queryMemory newer queries have
// pushed it out.
func TestQueryVectorsRemembersRecent(t *testing.T) {
	ctx := context.Background()
	e := &countingEmbedder{Embedder: Hash{}, id: Hash{}.ID()}
	q := NewQueryVectors(e)
	embed := func(text string) []float32 {
		t.Helper()
		v, err := q.Embed(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first := embed("a payments outage at night")
	if again := embed("a payments outage at night"); e.n != 1 || !slices.Equal(first, again) {
		t.Fatalf("the same query twice: %d embeddings, same vector %v", e.n, slices.Equal(first, again))
	}
	for i := range queryMemory {
		embed(fmt.Sprintf("query %d", i))
	}
	if embed("a payments outage at night"); e.n != 2+queryMemory {
		t.Errorf("after %d newer queries: %d embeddings, want %d", queryMemory, e.n, 2+queryMemory)
	}
}
