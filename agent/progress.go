package agent

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// StoryOpeningRunes bounds the opening of a story shown in progress.
const StoryOpeningRunes = 200

// Progress is how an owner has done on each principle over time.
type Progress struct {
	Principles []PrincipleProgress `json:"principles"`
}

// PrincipleProgress is one principle's scores, oldest first, and the
// stories told for it.
type PrincipleProgress struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Points  []ProgressPoint `json:"points"`
	Stories []StoryOpening  `json:"stories"`
}

// ProgressPoint is the score a principle got in one interview.
type ProgressPoint struct {
	InterviewID string    `json:"interview_id"`
	At          time.Time `json:"at"`
	Score       int       `json:"score"`
	Rating      Rating    `json:"rating"`
}

// StoryOpening is the start of the first answer given for a principle in
// one interview, so that a candidate sees which stories they already used.
type StoryOpening struct {
	InterviewID string    `json:"interview_id"`
	At          time.Time `json:"at"`
	Opening     string    `json:"opening"`
}

// Progress computes the owner's progress from their complete interviews.
func (s *Service) Progress(ctx context.Context, ownerID string) (*Progress, error) {
	ivs, err := s.Store.OwnerInterviews(ctx, ownerID, StatusComplete)
	if err != nil {
		return nil, fmt.Errorf("agent: progress: %w", err)
	}
	return ProgressOf(ivs, s.Retriever.Principles()), nil
}

// ProgressOf gathers, per principle, the scores of the graded principles
// and the opening of the first answer for each, from the complete
// interviews in ivs. A point's and a story's At is when the interview
// started; both lists run oldest first. Principles come in the order of
// known, then the others by id; a principle with neither a score nor a
// story is left out.
func ProgressOf(ivs []*Interview, known []Principle) *Progress {
	ivs = slices.Clone(ivs)
	slices.SortStableFunc(ivs, func(a, b *Interview) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	byID := map[string]*PrincipleProgress{}
	get := func(id, name string) *PrincipleProgress {
		p := byID[id]
		if p == nil {
			p = &PrincipleProgress{ID: id, Name: name, Points: []ProgressPoint{}, Stories: []StoryOpening{}}
			byID[id] = p
		}
		if p.Name == "" {
			p.Name = name
		}
		return p
	}
	for _, iv := range ivs {
		if iv.Status != StatusComplete || iv.Debrief == nil {
			continue
		}
		for _, g := range iv.Debrief.Principles {
			if g.Score != nil {
				p := get(g.Principle, g.Name)
				p.Points = append(p.Points, ProgressPoint{InterviewID: iv.ID, At: iv.CreatedAt, Score: *g.Score, Rating: g.Rating})
			}
		}
		for _, pp := range iv.Principles {
			for _, t := range iv.Turns {
				if t.Principle == pp.ID && t.Speaker == SpeakerCandidate {
					p := get(pp.ID, pp.Name)
					p.Stories = append(p.Stories, StoryOpening{InterviewID: iv.ID, At: iv.CreatedAt, Opening: Opening(t.Text, StoryOpeningRunes)})
					break
				}
			}
		}
	}
	out := &Progress{Principles: []PrincipleProgress{}}
	for _, p := range known {
		if pp := byID[p.ID]; pp != nil {
			pp.Name = p.Name
			out.Principles = append(out.Principles, *pp)
			delete(byID, p.ID)
		}
	}
	rest := make([]string, 0, len(byID))
	for id := range byID {
		rest = append(rest, id)
	}
	slices.Sort(rest)
	for _, id := range rest {
		out.Principles = append(out.Principles, *byID[id])
	}
	return out
}

// Opening returns text with its white space runs made single spaces, cut
// to at most n runes: at the last space before the limit when there is
// one in its second half, and then marked with an ellipsis.
func Opening(text string, n int) string {
	text = strings.Join(strings.FieldsFunc(text, unicode.IsSpace), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	runes := []rune(text)[:n-1]
	cut := string(runes)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
