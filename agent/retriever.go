package agent

import "context"

// Retriever finds principles and questions. The embedded adapter searches an
// in-memory index; the PostgreSQL adapter searches with pgvector.
type Retriever interface {
	// Principles returns every principle in canonical order.
	Principles() []Principle
	// Principle returns one principle by id.
	Principle(id string) (Principle, bool)
	// Question returns one question of the bank by id.
	Question(id string) (Question, bool)
	// Questions returns the whole question bank.
	Questions() []Question
	// Probes returns the generic bar-raiser probes.
	Probes() []Probe
	// SearchPrinciples returns up to k principles closest to query, best first.
	SearchPrinciples(ctx context.Context, query string, k int) ([]Match, error)
	// SearchQuestions returns up to k questions closest to query that pass f,
	// best first.
	SearchQuestions(ctx context.Context, query string, k int, f QuestionFilter) ([]Question, error)
}

// Match is a search hit: an id and its cosine similarity to the query.
type Match struct {
	ID    string
	Score float64
}

// QuestionFilter narrows a question search. Zero values match everything.
type QuestionFilter struct {
	Principle string
	Role      Role
	Level     Level
	// Exclude lists question ids to leave out.
	Exclude map[string]bool
}

// CorpusEntry is one principle or question as it was embedded. Hash is a
// digest of Text, so an entry is re-embedded only when its text changes.
type CorpusEntry struct {
	ID   string
	Kind string // "principle" or "question"
	Text string
	Hash string
	// For questions, what a filtered search needs: the primary principle,
	// the roles and the level range as ranks (4 for L4 … 8 for L8).
	Principle string
	Roles     []string
	MinRank   int
	MaxRank   int
}

// Embedding is the vector one embedder produced for a corpus entry.
type Embedding struct {
	EntryID string
	Hash    string // the CorpusEntry.Hash the vector was computed from
	Vector  []float32
}

// EmbeddingStore persists the corpus and the embeddings of each embedder so
// that a restart does not embed the corpus again.
type EmbeddingStore interface {
	// SyncCorpus makes the stored corpus equal to entries.
	SyncCorpus(ctx context.Context, entries []CorpusEntry) error
	// Embeddings returns an embedder's stored vectors keyed by entry id.
	Embeddings(ctx context.Context, embedder string) (map[string]Embedding, error)
	// SaveEmbeddings upserts vectors for an embedder of dimension dim.
	SaveEmbeddings(ctx context.Context, embedder string, dim int, es []Embedding) error
}
