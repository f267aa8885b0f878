package retrieval

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/barraiser/barraiser/agent"
)

//go:embed corpus/*.json
var corpusFS embed.FS

// Corpus is the knowledge the interviewer draws on: the principles, the
// question bank and the generic bar-raiser probes.
type Corpus struct {
	Principles []agent.Principle
	Questions  []agent.Question
	Probes     []agent.Probe
}

// LoadCorpus reads the corpus embedded in the binary and validates it.
func LoadCorpus() (*Corpus, error) {
	c := &Corpus{}
	for name, dst := range map[string]any{"principles.json": &c.Principles, "questions.json": &c.Questions, "probes.json": &c.Probes} {
		b, err := corpusFS.ReadFile("corpus/" + name)
		if err != nil {
			return nil, fmt.Errorf("retrieval: read %s: %w", name, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, fmt.Errorf("retrieval: parse %s: %w", name, err)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// PrincipleIDs are the sixteen Leadership Principles in canonical order.
var PrincipleIDs = []string{
	"customer-obsession", "ownership", "invent-and-simplify", "are-right-a-lot", "learn-and-be-curious",
	"hire-and-develop-the-best", "insist-on-the-highest-standards", "think-big", "bias-for-action",
	"frugality", "earn-trust", "dive-deep", "have-backbone-disagree-and-commit", "deliver-results",
	"strive-to-be-earths-best-employer", "success-and-scale-bring-broad-responsibility",
}

// Validate checks the corpus: the sixteen principles in order with their
// guidance for every level, unique ids, valid tags and every principle
// covered by questions for both individual contributors and managers.
func (c *Corpus) Validate() error {
	if len(c.Principles) != len(PrincipleIDs) {
		return fmt.Errorf("retrieval: corpus has %d principles, want %d", len(c.Principles), len(PrincipleIDs))
	}
	known := map[string]bool{}
	for i, p := range c.Principles {
		if p.ID != PrincipleIDs[i] {
			return fmt.Errorf("retrieval: principle %d is %q, want %q", i, p.ID, PrincipleIDs[i])
		}
		known[p.ID] = true
		if p.Name == "" || p.Description == "" || len(p.StrongSignals) == 0 || len(p.RedFlags) == 0 {
			return fmt.Errorf("retrieval: principle %q lacks name, description, signals or red flags", p.ID)
		}
		for _, track := range []string{"ic", "manager"} {
			for _, l := range agent.Levels {
				e := p.Levels[track][l]
				if e.Scope == "" || e.Team == "" || e.Impact == "" {
					return fmt.Errorf("retrieval: principle %q lacks %s expectations at %s", p.ID, track, l)
				}
			}
		}
		for _, pr := range p.Probes {
			if !pr.Gap.Valid() || pr.Text == "" {
				return fmt.Errorf("retrieval: principle %q probe %q is invalid", p.ID, pr.ID)
			}
		}
	}
	ids := map[string]bool{}
	ic, mgr := map[string]int{}, map[string]int{}
	for _, q := range c.Questions {
		if ids[q.ID] || q.ID == "" {
			return fmt.Errorf("retrieval: question id %q is empty or repeated", q.ID)
		}
		ids[q.ID] = true
		if len(q.Principles) == 0 || strings.TrimSpace(q.Text) == "" || len(q.Roles) == 0 {
			return fmt.Errorf("retrieval: question %q lacks principles, text or roles", q.ID)
		}
		for _, p := range q.Principles {
			if !known[p] {
				return fmt.Errorf("retrieval: question %q names unknown principle %q", q.ID, p)
			}
		}
		for _, r := range q.Roles {
			if !r.Valid() {
				return fmt.Errorf("retrieval: question %q has invalid role %q", q.ID, r)
			}
		}
		if !q.MinLevel.Valid() || !q.MaxLevel.Valid() || q.MinLevel.Rank() > q.MaxLevel.Rank() {
			return fmt.Errorf("retrieval: question %q has invalid level range %s-%s", q.ID, q.MinLevel, q.MaxLevel)
		}
		switch q.Audience {
		case "ic":
			ic[q.Principles[0]]++
		case "manager":
			mgr[q.Principles[0]]++
		case "both":
			ic[q.Principles[0]]++
			mgr[q.Principles[0]]++
		default:
			return fmt.Errorf("retrieval: question %q has invalid audience %q", q.ID, q.Audience)
		}
	}
	for _, id := range PrincipleIDs {
		if ic[id] == 0 || mgr[id] == 0 {
			return fmt.Errorf("retrieval: principle %q needs questions for both individual contributors and managers", id)
		}
	}
	gaps := map[agent.Gap]bool{}
	for _, pr := range c.Probes {
		if !pr.Gap.Valid() || pr.Text == "" || ids[pr.ID] {
			return fmt.Errorf("retrieval: probe %q is invalid or repeated", pr.ID)
		}
		ids[pr.ID] = true
		gaps[pr.Gap] = true
	}
	for _, g := range agent.AllGaps {
		if !gaps[g] {
			return fmt.Errorf("retrieval: no generic probe for gap %q", g)
		}
	}
	return nil
}

// Entries returns the corpus as texts to embed: each principle with its
// guidance and vocabulary, each question as asked.
func (c *Corpus) Entries() []agent.CorpusEntry {
	var out []agent.CorpusEntry
	for _, p := range c.Principles {
		text := p.Name + ". " + p.Description + " " + strings.Join(p.StrongSignals, " ") + " " + strings.Join(p.Keywords, ", ")
		out = append(out, entry(p.ID, "principle", text))
	}
	for _, q := range c.Questions {
		e := entry(q.ID, "question", q.Text)
		e.Principle, e.MinRank, e.MaxRank = q.Principles[0], q.MinLevel.Rank(), q.MaxLevel.Rank()
		for _, r := range q.Roles {
			e.Roles = append(e.Roles, string(r))
		}
		out = append(out, e)
	}
	return out
}

func entry(id, kind, text string) agent.CorpusEntry {
	sum := sha256.Sum256([]byte(text))
	return agent.CorpusEntry{ID: id, Kind: kind, Text: text, Hash: hex.EncodeToString(sum[:])}
}
