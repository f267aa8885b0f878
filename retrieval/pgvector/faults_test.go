package pgvector

import (
	"context"
	"testing"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
)

// TestSearchWithDatabaseGone searches through a proxy to PostgreSQL, then
// cuts it: both searches fail as store_unavailable with a wait to retry
// after, as the store's own queries do, rather than as internal errors.
func TestSearchWithDatabaseGone(t *testing.T) {
	ctx := context.Background()
	proxy, dbURL := pgtest.NewProxy(t, pgtest.URL(t))
	ix, _ := openURL(t, dbURL)
	searches := []struct {
		name string
		do   func() error
	}{
		{"principles", func() error {
			_, err := ix.SearchPrinciples(ctx, "a launch that slipped", 2)
			return err
		}},
		{"questions", func() error {
			_, err := ix.SearchQuestions(ctx, "a launch that slipped", 3, agent.QuestionFilter{Principle: "ownership"})
			return err
		}},
		{"questions, exact", func() error {
			ix.Mode = Exact
			defer func() { ix.Mode = Auto }()
			_, err := ix.SearchQuestions(ctx, "a launch that slipped", 3, agent.QuestionFilter{})
			return err
		}},
	}
	for _, s := range searches {
		if err := s.do(); err != nil {
			t.Fatalf("search %s with the database up: %v", s.name, err)
		}
	}
	proxy.Cut()
	for _, s := range searches {
		err := s.do()
		if code := agent.ErrorCode(err); code != agent.ESTOREUNAVAILABLE {
			t.Errorf("search %s with the database gone = %v (code %s), want %s", s.name, err, code, agent.ESTOREUNAVAILABLE)
		}
		if d := agent.ErrorRetryAfter(err); d != postgres.UnavailableRetryAfter {
			t.Errorf("search %s with the database gone suggests waiting %s, want %s", s.name, d, postgres.UnavailableRetryAfter)
		}
	}
}
