package retrieval

import (
	"context"
	"slices"
	"testing"

	"github.com/barraiser/barraiser/agent"
)

// TestMatching: the catalog lists exactly the questions a filtered search
// may return, in corpus order, and stops at the limit.
func TestMatching(t *testing.T) {
	c, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	cat := NewCatalog(c)
	mem, err := NewMemory(context.Background(), c, Hash{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	someAsked := map[string]bool{c.Questions[0].ID: true, c.Questions[1].ID: true}
	var filters []agent.QuestionFilter
	for _, p := range c.Principles {
		for _, r := range append([]agent.Role{""}, agent.Roles...) {
			for _, l := range append([]agent.Level{""}, agent.Levels...) {
				filters = append(filters, agent.QuestionFilter{Principle: p.ID, Role: r, Level: l, Exclude: someAsked},
					agent.QuestionFilter{Principle: p.ID, Role: r, Level: l})
			}
		}
	}
	filters = append(filters, agent.QuestionFilter{}, agent.QuestionFilter{Role: agent.RoleEM, Level: "L4"},
		agent.QuestionFilter{Principle: c.Principles[0].ID, Role: "cto", Level: "L5"},
		agent.QuestionFilter{Principle: c.Principles[0].ID, Role: agent.RoleEM, Level: "L9"})
	for _, f := range filters {
		got := cat.Matching(f, len(c.Questions))
		qs, _ := mem.SearchQuestions(context.Background(), "ownership of an outage", len(c.Questions), f)
		var want []string
		for _, q := range c.Questions {
			if slices.ContainsFunc(qs, func(m agent.Question) bool { return m.ID == q.ID }) {
				want = append(want, q.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v: Matching lists %d questions, the search passes %d", f, len(got), len(want))
		}
		if len(want) > 2 {
			if short := cat.Matching(f, 2); !slices.Equal(short, want[:2]) {
				t.Errorf("%+v: with a limit of 2: %v", f, short)
			}
		}
	}
}

// TestMatchingRepeatedRole: a question that lists a role twice is listed
// once.
func TestMatchingRepeatedRole(t *testing.T) {
	q := agent.Question{ID: "q", Text: "Tell me about a time.", Principles: []string{"ownership"},
		Roles: []agent.Role{agent.RoleSDE, agent.RoleSDE}, MinLevel: "L4", MaxLevel: "L6"}
	cat := NewCatalog(&Corpus{Questions: []agent.Question{q}})
	got := cat.Matching(agent.QuestionFilter{Principle: "ownership", Role: agent.RoleSDE, Level: "L5"}, 10)
	if !slices.Equal(got, []string{"q"}) {
		t.Errorf("Matching = %v, want [q]", got)
	}
}
