package pgvector

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// openURL returns a pgvector index of the built-in corpus, with the hash
// embedder, on the database at dbURL, and the corpus.
func openURL(t *testing.T, dbURL string) (*Index, *retrieval.Corpus) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	c, err := retrieval.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := New(ctx, db, c, retrieval.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	return ix, c
}

// open returns a pgvector index and the in-memory index over the same
// corpus and embedder, so that the two can be compared.
func open(t *testing.T) (*Index, *retrieval.Memory) {
	t.Helper()
	ix, c := openURL(t, pgtest.URL(t))
	mem, err := retrieval.NewMemory(context.Background(), c, retrieval.Hash{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix, mem
}

// TestSameAnswersAsMemory runs the retrieval-quality queries through both
// retrievers: the principle rankings agree.
func TestSameAnswersAsMemory(t *testing.T) {
	ix, mem := open(t)
	b, err := os.ReadFile("../testdata/queries.json")
	if err != nil {
		t.Fatal(err)
	}
	var qs []struct {
		Query  string   `json:"query"`
		Expect []string `json:"expect"`
	}
	if err := json.Unmarshal(b, &qs); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hits, same := 0, 0
	for _, q := range qs {
		got, err := ix.SearchPrinciples(ctx, q.Query, 3)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := mem.SearchPrinciples(ctx, q.Query, 3)
		if got[0].ID == want[0].ID {
			same++
		}
		for _, m := range got {
			for _, e := range q.Expect {
				if m.ID == e {
					hits++
				}
			}
		}
	}
	if float64(same) < 0.9*float64(len(qs)) {
		t.Errorf("top principle agrees with the in-memory index for %d of %d queries", same, len(qs))
	}
	if float64(hits) < 0.8*float64(len(qs)) {
		t.Errorf("top-3 hits %d of %d", hits, len(qs))
	}
}

// TestFilteredSearchReturnsK: for every principle, role and level, a
// filtered search returns min(k, matching) questions, all of which match,
// and exclusions are honoured.
func TestFilteredSearchReturnsK(t *testing.T) {
	auto, mem := open(t)
	// The small corpus keeps every filtered set under ExactBelow, so Auto
	// compares exactly; Indexed makes the same searches walk the index.
	indexed := *auto
	indexed.Mode = Indexed
	// Auto with no exact threshold walks the index for every filter too.
	never := *auto
	never.ExactBelow = 0
	for _, ix := range []*Index{auto, &indexed, &never} {
		testFilteredSearch(t, ix, mem)
	}
}

func testFilteredSearch(t *testing.T, ix *Index, mem *retrieval.Memory) {
	ctx := context.Background()
	const k = 5
	for _, p := range ix.Principles() {
		for _, r := range agent.Roles {
			for _, l := range agent.Levels {
				f := agent.QuestionFilter{Principle: p.ID, Role: r, Level: l}
				want, _ := mem.SearchQuestions(ctx, p.Description, 100, f)
				got, err := ix.SearchQuestions(ctx, p.Description, k, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != min(k, len(want)) {
					t.Errorf("%s/%s/%s: %d rows, %d match", p.ID, r, l, len(got), len(want))
				}
				for _, q := range got {
					if q.Principles[0] != p.ID || !q.Fits(r, l) {
						t.Errorf("%s does not pass %+v", q.ID, f)
					}
				}
			}
		}
	}
	all, _ := ix.SearchQuestions(ctx, "an outage", 100, agent.QuestionFilter{Principle: "ownership"})
	exclude := map[string]bool{}
	for _, q := range all[1:] {
		exclude[q.ID] = true
	}
	rest, err := ix.SearchQuestions(ctx, "an outage", 5, agent.QuestionFilter{Principle: "ownership", Exclude: exclude})
	if err != nil || len(rest) != 1 || rest[0].ID != all[0].ID {
		t.Errorf("with all but one excluded: %v %v", rest, err)
	}
	// A query with no content words still returns questions.
	if qs, err := ix.SearchQuestions(ctx, "the and of", 3, agent.QuestionFilter{}); err != nil || len(qs) != 3 {
		t.Errorf("stop-word query: %d %v", len(qs), err)
	}
}

// TestSearchUsesFilterIndexes: an indexed search walks the index of the
// principle, role and level it is filtered by (or of the principle alone,
// or of the embedder), and an exact one walks none.
func TestSearchUsesFilterIndexes(t *testing.T) {
	auto, _ := open(t)
	indexed := *auto
	indexed.Mode = Indexed
	ctx := context.Background()
	qv, _, err := auto.embed(ctx, "a payments outage at night")
	if err != nil {
		t.Fatal(err)
	}
	id := auto.embedder.ID()
	for _, c := range []struct {
		name string
		ix   *Index
		f    agent.QuestionFilter
		want string // index the plan names; "" for none
	}{
		{"principle, role and level", &indexed, agent.QuestionFilter{Principle: "ownership", Role: agent.RoleEM, Level: "L6"},
			postgres.LevelIndexName(id, "ownership", "em", 6)},
		{"and exclusions", &indexed, agent.QuestionFilter{Principle: "ownership", Role: agent.RolePM, Level: "L8",
			Exclude: map[string]bool{"own-1": true}}, postgres.LevelIndexName(id, "ownership", "pm", 8)},
		{"principle", &indexed, agent.QuestionFilter{Principle: "dive-deep", Level: "L5"}, postgres.PrincipleIndexName(id, "dive-deep")},
		{"no principle", &indexed, agent.QuestionFilter{Role: agent.RoleSDE}, postgres.IndexName(id)},
		{"few rows, exact", auto, agent.QuestionFilter{Principle: "ownership", Role: agent.RoleEM, Level: "L6"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, ok := c.ix.questionWhere(c.f)
			if !ok {
				t.Fatal("no search")
			}
			s := c.ix.questionSearch(qv, false, 5, w)
			// Planned as searches run: in run's transaction, with its settings.
			var plan []string
			err := c.ix.run(ctx, 5, search{"EXPLAIN " + s.sql, s.args, func(rows pgx.Rows, err error) error {
				plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			}})
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(plan, "\n")
			if c.want != "" && !strings.Contains(text, c.want) || c.want == "" && strings.Contains(text, "hnsw") {
				t.Errorf("plan does not walk %q:\n%s", c.want, text)
			}
		})
	}
}
