package agent

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of story titles.
const (
	// StoryTitleRunes bounds a title made from the first sentence of a story.
	StoryTitleRunes = 80
	// MaxStoryTitleRunes bounds a title the candidate gives a story.
	MaxStoryTitleRunes = 120
	// StoryBar is the score a story needs for its principle to count as
	// covered in the story bank.
	StoryBar = 3
)

// StoryKey names one story: the principle it was told for in one interview.
type StoryKey struct {
	InterviewID string
	Principle   string
}

// Story is what a candidate told for one principle in one complete
// interview: the opening answer and the answers to its follow-ups, with the
// score the debrief gave that principle.
type Story struct {
	InterviewID string `json:"interview_id"`
	Principle   string `json:"principle"`
	// Title is the candidate's own title when CustomTitle is set, else the
	// first sentence of the opening answer, shortened.
	Title       string `json:"title"`
	CustomTitle bool   `json:"custom_title"`
	// Score is nil when the debrief did not score the principle.
	Score     *int      `json:"score"`
	Rating    Rating    `json:"rating"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
	Role      Role      `json:"role"`
	Level     Level     `json:"level"`
}

// StoryBank is every story of an owner set against every principle: which
// principles have a good story and which to practise next.
type StoryBank struct {
	// Stories run oldest interview first, in the order of each plan.
	Stories []Story `json:"stories"`
	// Principles are the known principles in catalog order, then any other
	// principle a story was told for, by id.
	Principles []BankPrinciple `json:"principles"`
	// StillToPractise lists, in the order of Principles, the ids of the
	// principles with no story scored StoryBar or more.
	StillToPractise []string `json:"still_to_practise"`
	// PractiseNext is up to MaxPrinciples of StillToPractise, those told
	// in the fewest interviews first, then by name.
	PractiseNext []string `json:"practise_next"`
}

// BankPrinciple is one row of the story bank.
type BankPrinciple struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Practised counts the complete interviews with a story for it.
	Practised int `json:"practised"`
	// Best is the highest score of its stories, nil when none was scored.
	Best       *int   `json:"best"`
	BestRating Rating `json:"best_rating,omitempty"`
}

// StoriesOf derives the stories of the complete interviews in ivs, oldest
// interview first (ties by id) and in the order of each plan. A principle
// counts only when the candidate answered it. titles holds the custom
// titles by story; a story without one is titled by its first sentence.
func StoriesOf(ivs []*Interview, titles map[StoryKey]string) []Story {
	ivs = slices.Clone(ivs)
	slices.SortStableFunc(ivs, func(a, b *Interview) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	out := []Story{}
	for _, iv := range ivs {
		if iv.Status != StatusComplete || iv.Debrief == nil {
			continue
		}
		for _, pp := range iv.Principles {
			st, ok := storyOf(iv, pp.ID)
			if !ok {
				continue
			}
			if t, ok := titles[StoryKey{iv.ID, pp.ID}]; ok {
				st.Title, st.CustomTitle = t, true
			}
			out = append(out, st)
		}
	}
	return out
}

// storyOf returns the story told for principle in iv, titled by its first
// sentence, and false when the candidate never answered it.
func storyOf(iv *Interview, principle string) (Story, bool) {
	i := slices.IndexFunc(iv.Turns, func(t Turn) bool { return t.Principle == principle && t.Speaker == SpeakerCandidate })
	if i < 0 {
		return Story{}, false
	}
	st := Story{InterviewID: iv.ID, Principle: principle, Title: StoryTitle(iv.Turns[i].Text), Rating: NotAssessed,
		StartedAt: iv.CreatedAt, EndedAt: iv.UpdatedAt, Role: iv.Role, Level: iv.Level}
	if iv.Debrief != nil {
		if !iv.Debrief.CreatedAt.IsZero() {
			st.EndedAt = iv.Debrief.CreatedAt
		}
		for _, g := range iv.Debrief.Principles {
			if g.Principle == principle {
				st.Score, st.Rating = g.Score, g.Rating
			}
		}
	}
	return st, true
}

// StoryTitle returns the first sentence of an answer, with its white space
// runs made single spaces and no closing full stop, shortened to at most
// StoryTitleRunes runes on a word boundary with an ellipsis.
func StoryTitle(answer string) string {
	text := strings.Join(strings.FieldsFunc(answer, unicode.IsSpace), " ")
	for i := 0; i < len(text); i++ {
		if c := text[i]; (c == '.' || c == '!' || c == '?') && (i+1 == len(text) || text[i+1] == ' ') {
			text = text[:i+1]
			break
		}
	}
	text = strings.TrimSuffix(text, ".")
	return Opening(text, StoryTitleRunes)
}

// CheckStoryTitle trims a title the candidate gives a story and returns it,
// or EINVALIDTITLE when it is empty, longer than MaxStoryTitleRunes runes,
// not UTF-8 or holds control characters.
func CheckStoryTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	n := utf8.RuneCountInString(title)
	switch {
	case !utf8.ValidString(title):
		return "", Errorf(EINVALIDTITLE, "The title is not valid UTF-8.")
	case n == 0:
		return "", Errorf(EINVALIDTITLE, "The title is empty: give the story a title of 1 to %d characters.", MaxStoryTitleRunes)
	case n > MaxStoryTitleRunes:
		return "", Errorf(EINVALIDTITLE, "The title has %d characters; %d at most.", n, MaxStoryTitleRunes)
	case strings.IndexFunc(title, unicode.IsControl) >= 0:
		return "", Errorf(EINVALIDTITLE, "The title must be one line of text, without control characters.")
	}
	return title, nil
}

// BankOf sets stories against the known principles. Stories for a
// principle outside known add a row after the known ones, named as the
// interview's plan named it (names maps ids to those names).
func BankOf(stories []Story, known []Principle, names map[string]string) *StoryBank {
	bank := &StoryBank{Stories: stories, Principles: []BankPrinciple{}, StillToPractise: []string{}, PractiseNext: []string{}}
	if bank.Stories == nil {
		bank.Stories = []Story{}
	}
	rows := map[string]*BankPrinciple{}
	var order []string
	add := func(id, name string) {
		if rows[id] == nil {
			rows[id] = &BankPrinciple{ID: id, Name: name}
			order = append(order, id)
		}
	}
	for _, p := range known {
		add(p.ID, p.Name)
	}
	catalog := len(order)
	var extra []string
	for _, st := range stories {
		if rows[st.Principle] == nil {
			extra = append(extra, st.Principle)
			add(st.Principle, cmp.Or(names[st.Principle], st.Principle))
		}
		r := rows[st.Principle]
		r.Practised++
		if st.Score != nil && (r.Best == nil || *st.Score > *r.Best) {
			best := *st.Score
			r.Best, r.BestRating = &best, st.Rating
		}
	}
	// The rows of unknown principles go after the catalog, by id.
	order = append(order[:catalog], slices.Sorted(slices.Values(extra))...)
	var todo []BankPrinciple
	for _, id := range order {
		r := *rows[id]
		bank.Principles = append(bank.Principles, r)
		if r.Best == nil || *r.Best < StoryBar {
			bank.StillToPractise = append(bank.StillToPractise, id)
			todo = append(todo, r)
		}
	}
	slices.SortStableFunc(todo, func(a, b BankPrinciple) int {
		return cmp.Or(cmp.Compare(a.Practised, b.Practised), strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	for _, r := range todo[:min(len(todo), MaxPrinciples)] {
		bank.PractiseNext = append(bank.PractiseNext, r.ID)
	}
	return bank
}

// StoryBank returns the owner's stories from their complete interviews,
// with the custom titles they gave, set against the known principles.
func (s *Service) StoryBank(ctx context.Context, ownerID string) (*StoryBank, error) {
	ivs, err := s.Store.OwnerInterviews(ctx, ownerID, StatusComplete)
	if err != nil {
		return nil, fmt.Errorf("agent: story bank: %w", err)
	}
	titles, err := s.Store.StoryTitles(ctx, ownerID)
	if err != nil {
		return nil, fmt.Errorf("agent: story bank: titles: %w", err)
	}
	names := map[string]string{}
	for _, iv := range ivs {
		for _, p := range iv.Principles {
			names[p.ID] = p.Name
		}
	}
	return BankOf(StoriesOf(ivs, titles), s.Retriever.Principles(), names), nil
}

// RenameStory gives the owner's story for principle in interview id a
// title of their own and returns the story as renamed. The title must pass
// CheckStoryTitle; a story that does not exist, or is another owner's, is
// ENOTFOUND.
func (s *Service) RenameStory(ctx context.Context, ownerID, id, principle, title string) (*Story, error) {
	title, err := CheckStoryTitle(title)
	if err != nil {
		return nil, err
	}
	iv, err := s.Store.Interview(ctx, ownerID, id)
	if err != nil {
		return nil, fmt.Errorf("agent: rename story: %w", err)
	}
	stories := StoriesOf([]*Interview{iv}, nil)
	i := slices.IndexFunc(stories, func(st Story) bool { return st.Principle == principle })
	if i < 0 {
		return nil, Errorf(ENOTFOUND, "Interview %s has no graded story for principle %q.", id, principle)
	}
	if err := s.Store.SetStoryTitle(ctx, ownerID, StoryKey{id, principle}, title); err != nil {
		return nil, fmt.Errorf("agent: rename story: %w", err)
	}
	st := stories[i]
	st.Title, st.CustomTitle = title, true
	return &st, nil
}
