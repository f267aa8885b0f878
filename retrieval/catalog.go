package retrieval

import (
	"sort"

	"github.com/barraiser/barraiser/agent"
)

// Catalog answers the lookups every retriever shares: principles, questions
// and probes by id, from the corpus in memory. The vector search is the
// part that differs between the in-memory index and pgvector.
type Catalog struct {
	corpus     *Corpus
	principles map[string]agent.Principle
	questions  map[string]agent.Question
	// Positions in corpus.Questions, in corpus order: of every question,
	// of each principle's (those whose first principle it is), and of
	// those that pass each principle, role and level (what an interview
	// searches).
	all         []int
	byPrinciple map[string][]int
	byFilter    map[filterKey][]int
}

// filterKey is a filter that names a principle, a role and a level.
type filterKey struct {
	principle string
	role      agent.Role
	level     agent.Level
}

// NewCatalog indexes a corpus by id.
func NewCatalog(c *Corpus) *Catalog {
	cat := &Catalog{corpus: c, principles: map[string]agent.Principle{}, questions: map[string]agent.Question{},
		byPrinciple: map[string][]int{}, byFilter: map[filterKey][]int{}}
	for _, p := range c.Principles {
		cat.principles[p.ID] = p
	}
	for i, q := range c.Questions {
		cat.questions[q.ID] = q
		cat.all = append(cat.all, i)
		cat.byPrinciple[q.Principles[0]] = append(cat.byPrinciple[q.Principles[0]], i)
		// Each role once, even if the question lists it twice.
		for _, r := range agent.Roles {
			for _, l := range agent.Levels {
				if q.Fits(r, l) {
					k := filterKey{q.Principles[0], r, l}
					cat.byFilter[k] = append(cat.byFilter[k], i)
				}
			}
		}
	}
	return cat
}

// candidates returns the positions in the corpus of the questions f can
// pass, in corpus order: those that pass its principle, role and level
// when it names all three, else its principle's, else all. The caller
// still tests each with matches.
func (c *Catalog) candidates(f agent.QuestionFilter) []int {
	switch {
	case f.Principle != "" && f.Role != "" && f.Level != "":
		return c.byFilter[filterKey{f.Principle, f.Role, f.Level}]
	case f.Principle != "":
		return c.byPrinciple[f.Principle]
	}
	return c.all
}

// Principles implements agent.Retriever.
func (c *Catalog) Principles() []agent.Principle { return c.corpus.Principles }

// Principle implements agent.Retriever.
func (c *Catalog) Principle(id string) (agent.Principle, bool) {
	p, ok := c.principles[id]
	return p, ok
}

// Question implements agent.Retriever.
func (c *Catalog) Question(id string) (agent.Question, bool) {
	q, ok := c.questions[id]
	return q, ok
}

// Questions implements agent.Retriever.
func (c *Catalog) Questions() []agent.Question { return c.corpus.Questions }

// Matching returns the ids of the questions that pass f, in corpus order,
// stopping after limit of them. It reads only the questions f can pass
// (see candidates).
func (c *Catalog) Matching(f agent.QuestionFilter, limit int) []string {
	var ids []string
	for _, i := range c.candidates(f) {
		if len(ids) >= limit {
			break
		}
		if q := c.corpus.Questions[i]; matches(q, f) {
			ids = append(ids, q.ID)
		}
	}
	return ids
}

// Probes implements agent.Retriever.
func (c *Catalog) Probes() []agent.Probe { return c.corpus.Probes }

// Weights of a principle's score: its own description, and its closest
// question, so that a query that reads like a story finds the principle
// whose questions ask for that story.
const (
	ownWeight      = 0.6
	questionWeight = 0.4
)

// RankPrinciples combines each principle's similarity to the query (own)
// with that of its closest question (best) and returns the top k, best
// first, ties in canonical order.
func (c *Catalog) RankPrinciples(own, best map[string]float64, k int) []agent.Match {
	ms := make([]agent.Match, 0, len(c.corpus.Principles))
	for _, p := range c.corpus.Principles {
		ms = append(ms, agent.Match{ID: p.ID, Score: ownWeight*own[p.ID] + questionWeight*best[p.ID]})
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Score > ms[j].Score })
	return ms[:min(k, len(ms))]
}
