package retrieval

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
)

func loadCorpus(t testing.TB) *Corpus {
	t.Helper()
	c, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCorpusShape(t *testing.T) {
	c := loadCorpus(t)
	if len(c.Questions) < 192 {
		t.Errorf("%d questions, want at least 192", len(c.Questions))
	}
	perPrinciple := map[string]int{}
	icFor, mgrFor := map[string]int{}, map[string]int{}
	for _, q := range c.Questions {
		p := q.Principles[0]
		perPrinciple[p]++
		if q.Fits(agent.RoleSDE, "L4") {
			icFor[p]++
		}
		if q.Fits(agent.RoleEM, "L6") {
			mgrFor[p]++
		}
	}
	for _, id := range PrincipleIDs {
		if perPrinciple[id] < 12 {
			t.Errorf("%s has %d questions, want at least 12", id, perPrinciple[id])
		}
		if icFor[id] == 0 || mgrFor[id] == 0 {
			t.Errorf("%s: %d questions for an L4 engineer, %d for an L6 manager; want both", id, icFor[id], mgrFor[id])
		}
	}
	for _, p := range c.Principles {
		if len(p.Probes) == 0 || len(p.StanceCues) == 0 || len(p.Keywords) == 0 {
			t.Errorf("%s lacks probes, stance cues or keywords", p.ID)
		}
	}
	// The generic probes cover the standard bar-raiser questions.
	gaps := map[agent.Gap]int{}
	for _, p := range c.Probes {
		gaps[p.Gap]++
	}
	for _, g := range agent.AllGaps {
		if gaps[g] == 0 {
			t.Errorf("no generic probe for %s", g)
		}
	}
}

// TestQuestionTagsAreHonest checks the level tags of questions whose subject
// only fits senior people: hiring, growing managers, running organisations.
func TestQuestionTagsAreHonest(t *testing.T) {
	c := loadCorpus(t)
	seniorOnly := []string{"managers who", "manager who", "your managers", "an organization", "your organization", "multiple teams", "several teams", "org-wide", "hiring bar", "headcount", "direct reports"}
	for _, q := range c.Questions {
		lower := strings.ToLower(q.Text)
		for _, w := range seniorOnly {
			if strings.Contains(lower, w) && q.MinLevel.Rank() < 5 {
				t.Errorf("%s mentions %q but is tagged from %s: %s", q.ID, w, q.MinLevel, q.Text)
			}
		}
		if q.Audience == "manager" {
			for _, r := range q.Roles {
				if r == agent.RoleSDE && q.MinLevel == "L4" {
					t.Errorf("%s is for managers but tagged for L4 engineers", q.ID)
				}
			}
		}
	}
}

// TestNoNearDuplicateQuestions compares every pair of questions by the
// overlap of their terms and by the cosine of their vectors.
func TestNoNearDuplicateQuestions(t *testing.T) {
	c := loadCorpus(t)
	vs, err := Hash{}.Embed(context.Background(), texts(c.Questions))
	if err != nil {
		t.Fatal(err)
	}
	sets := make([]map[string]bool, len(c.Questions))
	for i, q := range c.Questions {
		sets[i] = map[string]bool{}
		for _, w := range terms(q.Text) {
			if !weak[w] {
				sets[i][w] = true
			}
		}
	}
	for i := range c.Questions {
		for j := i + 1; j < len(c.Questions); j++ {
			if jac := jaccard(sets[i], sets[j]); jac > 0.5 {
				t.Errorf("near-duplicates (term overlap %.2f): %s %q and %s %q", jac, c.Questions[i].ID, c.Questions[i].Text, c.Questions[j].ID, c.Questions[j].Text)
			}
			if cos := dot(vs[i], vs[j]); cos > 0.85 {
				t.Errorf("near-duplicates (cosine %.2f): %s and %s", cos, c.Questions[i].ID, c.Questions[j].ID)
			}
		}
	}
}

func texts(qs []agent.Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Text
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

type query struct {
	Query  string   `json:"query"`
	Expect []string `json:"expect"`
}

func loadQueries(t testing.TB) []query {
	t.Helper()
	b, err := os.ReadFile("testdata/queries.json")
	if err != nil {
		t.Fatal(err)
	}
	var qs []query
	if err := json.Unmarshal(b, &qs); err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestRetrievalQuality asks for principles with stories that never name
// them and requires an expected principle in the top three for at least 80%.
func TestRetrievalQuality(t *testing.T) {
	c := loadCorpus(t)
	qs := loadQueries(t)
	if len(qs) < 30 {
		t.Fatalf("%d queries, want at least 30", len(qs))
	}
	// No query may use a word of any principle's name.
	banned := map[string]bool{}
	for _, p := range c.Principles {
		for _, w := range terms(p.Name) {
			banned[w] = true
		}
	}
	for _, w := range []string{"and", "be", "a", "the", "to", "of", "on"} {
		delete(banned, stem(w))
	}
	m, err := NewMemory(context.Background(), c, Hash{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for _, q := range qs {
		for _, w := range terms(q.Query) {
			if banned[w] {
				t.Errorf("query %q uses %q from a principle's name", q.Query, w)
			}
		}
		ms, err := m.SearchPrinciples(context.Background(), q.Query, 3)
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, hit := range ms {
			for _, want := range q.Expect {
				ok = ok || hit.ID == want
			}
		}
		if ok {
			hits++
		} else {
			t.Logf("miss: %q expected %v, got %s, %s, %s", q.Query, q.Expect, ms[0].ID, ms[1].ID, ms[2].ID)
		}
	}
	rate := float64(hits) / float64(len(qs))
	t.Logf("top-3 hit rate %.1f%% (%d/%d)", 100*rate, hits, len(qs))
	if rate < 0.8 {
		t.Errorf("top-3 hit rate %.1f%%, want at least 80%%", 100*rate)
	}
}

// TestFiltersChangeRetrieval shows that role and level narrow the questions
// retrieved for the same principle and query.
func TestFiltersChangeRetrieval(t *testing.T) {
	c := loadCorpus(t)
	m, err := NewMemory(context.Background(), c, Hash{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	differ := 0
	for _, p := range c.Principles {
		query := p.Name + ". " + p.Description
		junior, _ := m.SearchQuestions(ctx, query, 5, agent.QuestionFilter{Principle: p.ID, Role: agent.RoleSDE, Level: "L4"})
		senior, _ := m.SearchQuestions(ctx, query, 5, agent.QuestionFilter{Principle: p.ID, Role: agent.RoleEM, Level: "L7"})
		if len(junior) == 0 || len(senior) == 0 {
			t.Errorf("%s: %d questions for an L4 engineer, %d for an L7 manager", p.ID, len(junior), len(senior))
			continue
		}
		for _, q := range junior {
			if !q.Fits(agent.RoleSDE, "L4") || q.Principles[0] != p.ID {
				t.Errorf("%s does not pass the L4 sde filter", q.ID)
			}
		}
		for _, q := range senior {
			if !q.Fits(agent.RoleEM, "L7") {
				t.Errorf("%s does not pass the L7 em filter", q.ID)
			}
		}
		if junior[0].ID != senior[0].ID {
			differ++
		}
	}
	if differ < len(c.Principles)/2 {
		t.Errorf("the top question changed with role and level for only %d of %d principles", differ, len(c.Principles))
	}
	// Excluding asked questions returns others while any remain.
	all, _ := m.SearchQuestions(ctx, "an outage", 100, agent.QuestionFilter{Principle: "ownership"})
	exclude := map[string]bool{}
	for _, q := range all[:len(all)-1] {
		exclude[q.ID] = true
	}
	rest, _ := m.SearchQuestions(ctx, "an outage", 5, agent.QuestionFilter{Principle: "ownership", Exclude: exclude})
	if len(rest) != 1 || rest[0].ID != all[len(all)-1].ID {
		t.Errorf("with all but one excluded got %v", rest)
	}
}

func TestHashEmbedder(t *testing.T) {
	e := Hash{}
	vs, _ := e.Embed(context.Background(), []string{"our service had an outage at night", "an incident paged me overnight", "we cut the cloud bill in half", ""})
	if len(vs[0]) != e.Dim() || e.Dim() > 2000 {
		t.Fatalf("dimension %d", len(vs[0]))
	}
	if a, b := dot(vs[0], vs[1]), dot(vs[0], vs[2]); a <= b {
		t.Errorf("outage~incident %.3f should beat outage~cost %.3f", a, b)
	}
	again, _ := e.Embed(context.Background(), []string{"our service had an outage at night"})
	for i := range again[0] {
		if again[0][i] != vs[0][i] {
			t.Fatal("embedder is not deterministic")
		}
	}
	for _, x := range vs[3] {
		if x != 0 {
			t.Fatal("empty text should embed to the zero vector")
		}
	}
}

func TestStem(t *testing.T) {
	tests := map[string]string{"owned": "own", "owning": "own", "owns": "own", "outages": "outage", "investigated": "investigat", "policies": "policy"}
	for in, want := range tests {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}
