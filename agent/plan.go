package agent

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"unicode/utf8"
)

// CreateRequest is what a client asks for when starting an interview.
type CreateRequest struct {
	Role           string   `json:"role"`
	Level          string   `json:"level"`
	Focus          string   `json:"focus"`
	Principles     []string `json:"principles"`
	PrincipleCount *int     `json:"principle_count"`
}

// Validate checks a request against the retriever's principles. It returns
// an *Error with one of the creation codes.
func (r CreateRequest) Validate(rt Retriever) error {
	if !Role(r.Role).Valid() {
		return Errorf(EINVALIDROLE, "role must be one of sde, em, pm, tpm, general; got %q", r.Role)
	}
	if !Level(r.Level).Valid() {
		return Errorf(EINVALIDLEVEL, "level must be one of L4, L5, L6, L7, L8; got %q", r.Level)
	}
	if n := utf8.RuneCountInString(r.Focus); n > MaxFocusRunes {
		return Errorf(EFOCUSTOOLONG, "focus is %d characters; the limit is %d", n, MaxFocusRunes)
	}
	if err := checkText("focus", r.Focus); err != nil {
		return err
	}
	if len(r.Principles) > 0 {
		if len(r.Principles) > MaxPrinciples {
			return Errorf(EINVALIDPRINCIPLES, "at most %d principles per interview; got %d", MaxPrinciples, len(r.Principles))
		}
		seen := map[string]bool{}
		for _, id := range r.Principles {
			if _, ok := rt.Principle(id); !ok {
				return Errorf(EUNKNOWNPRINCIPLE, "unknown principle %q", id)
			}
			if seen[id] {
				return Errorf(EINVALIDPRINCIPLES, "principle %q is listed twice", id)
			}
			seen[id] = true
		}
		return nil
	}
	if r.PrincipleCount != nil && (*r.PrincipleCount < 1 || *r.PrincipleCount > MaxPrinciples) {
		return Errorf(EINVALIDCOUNT, "principle_count must be between 1 and %d; got %d", MaxPrinciples, *r.PrincipleCount)
	}
	return nil
}

// checkText refuses text no store can keep the same way: NUL characters and
// invalid UTF-8.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALIDTEXT, "%s is not valid UTF-8", field)
	}
	if strings.ContainsRune(s, 0) {
		return Errorf(EINVALIDTEXT, "%s contains a NUL character", field)
	}
	return nil
}

// plan chooses the principles of a new interview and the question that opens
// each: the ones asked for, else the closest to the focus, else those that
// fit the role and level and that this owner has practised least.
func (s *Service) plan(ctx context.Context, ownerID, seed string, r CreateRequest) ([]PlannedPrinciple, error) {
	role, level := Role(r.Role), Level(r.Level)
	count := DefaultPrincipleCount
	if r.PrincipleCount != nil {
		count = *r.PrincipleCount
	}
	hist, err := s.Store.OwnerHistory(ctx, ownerID)
	if err != nil {
		return nil, fmt.Errorf("agent: plan: %w", err)
	}
	var ids []string
	switch {
	case len(r.Principles) > 0:
		ids = r.Principles
	case strings.TrimSpace(r.Focus) != "":
		ms, err := s.Retriever.SearchPrinciples(ctx, r.Focus, count)
		if err != nil {
			return nil, fmt.Errorf("agent: plan: %w", err)
		}
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
	default:
		ids = s.leastPractised(role, level, hist, seed, count)
	}
	out := make([]PlannedPrinciple, 0, len(ids))
	for _, id := range ids {
		p, _ := s.Retriever.Principle(id)
		q, err := s.pickQuestion(ctx, p, role, level, r.Focus, hist.AskedQuestions)
		if err != nil {
			return nil, err
		}
		out = append(out, PlannedPrinciple{ID: p.ID, Name: p.Name, QuestionID: q.ID})
	}
	return out, nil
}

// leastPractised ranks principles that have questions for role and level by
// how often the owner practised them, then by how many questions fit, with a
// per-interview shuffle among equals.
func (s *Service) leastPractised(role Role, level Level, hist History, seed string, count int) []string {
	fit := map[string]int{}
	for _, q := range s.Retriever.Questions() {
		if q.Fits(role, level) {
			fit[q.Principles[0]]++
		}
	}
	type cand struct {
		id        string
		practised int
		fit       int
		tie       uint32
	}
	var cs []cand
	for _, p := range s.Retriever.Principles() {
		if fit[p.ID] == 0 {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(seed + p.ID))
		cs = append(cs, cand{p.ID, hist.Practised[p.ID], min(fit[p.ID], 3), h.Sum32()})
	}
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.practised != b.practised {
			return a.practised < b.practised
		}
		if a.fit != b.fit {
			return a.fit > b.fit
		}
		return a.tie < b.tie
	})
	var ids []string
	for i := 0; i < len(cs) && i < count; i++ {
		ids = append(ids, cs[i].id)
	}
	return ids
}

// pickQuestion retrieves the opening question for p: the closest to the
// focus (or to the principle itself) among those fitting role and level that
// the owner has not been asked, relaxing the filters only when nothing fits.
func (s *Service) pickQuestion(ctx context.Context, p Principle, role Role, level Level, focus string, asked map[string]bool) (Question, error) {
	query := focus
	if strings.TrimSpace(query) == "" {
		query = p.Name + ". " + p.Description
	}
	filters := []QuestionFilter{
		{Principle: p.ID, Role: role, Level: level, Exclude: asked},
		{Principle: p.ID, Role: role, Level: level},
		{Principle: p.ID, Level: level},
		{Principle: p.ID},
	}
	for _, f := range filters {
		qs, err := s.Retriever.SearchQuestions(ctx, query, 1, f)
		if err != nil {
			return Question{}, fmt.Errorf("agent: pick question: %w", err)
		}
		if len(qs) > 0 {
			return qs[0], nil
		}
	}
	return Question{}, fmt.Errorf("agent: no question for principle %q", p.ID)
}
