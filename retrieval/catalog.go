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
	// byPrinciple lists each principle's questions (those whose first
	// principle it is) in corpus order.
	byPrinciple map[string][]agent.Question
	// byFilter lists the ids of the questions that pass each principle,
	// role and level, in corpus order: what an interview searches.
	byFilter map[filterKey][]string
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
		byPrinciple: map[string][]agent.Question{}, byFilter: map[filterKey][]string{}}
	for _, p := range c.Principles {
		cat.principles[p.ID] = p
	}
	for _, q := range c.Questions {
		cat.questions[q.ID] = q
		cat.byPrinciple[q.Principles[0]] = append(cat.byPrinciple[q.Principles[0]], q)
		// Each role once, even if the question lists it twice.
		for _, r := range agent.Roles {
			for _, l := range agent.Levels {
				if q.Fits(r, l) {
					k := filterKey{q.Principles[0], r, l}
					cat.byFilter[k] = append(cat.byFilter[k], q.ID)
				}
			}
		}
	}
	return cat
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
// stopping after limit of them. It reads only f.Principle's questions when
// f names a principle, and when f also names a role and a level, only the
// questions that pass those.
func (c *Catalog) Matching(f agent.QuestionFilter, limit int) []string {
	if f.Principle != "" && f.Role != "" && f.Level != "" {
		var ids []string
		for _, id := range c.byFilter[filterKey{f.Principle, f.Role, f.Level}] {
			if len(ids) >= limit {
				break
			}
			if !f.Exclude[id] {
				ids = append(ids, id)
			}
		}
		return ids
	}
	qs := c.corpus.Questions
	if f.Principle != "" {
		qs = c.byPrinciple[f.Principle]
	}
	var ids []string
	for _, q := range qs {
		if len(ids) >= limit {
			break
		}
		if matches(q, f) {
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
