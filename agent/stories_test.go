package agent_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

func TestStoryTitle(t *testing.T) {
	tests := []struct {
		name, answer, want string
	}{
		{"first sentence", "I led the migration. It took a year.", "I led the migration"},
		{"a question ends it", "Why did it fail? Nobody knew.", "Why did it fail?"},
		{"a decimal point does not", "Errors fell from 4.1% to 0.3% overnight. Then more.", "Errors fell from 4.1% to 0.3% overnight"},
		{"no full stop", "  We shipped\nit  late ", "We shipped it late"},
		{"long sentence cut on a word", strings.Repeat("word ", 30) + "end.", strings.TrimSpace(strings.Repeat("word ", 15)) + "…"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := agent.StoryTitle(tt.answer)
			if got != tt.want {
				t.Errorf("StoryTitle(%q) = %q, want %q", tt.answer, got, tt.want)
			}
			if n := len([]rune(got)); n > agent.StoryTitleRunes {
				t.Errorf("StoryTitle(%q) has %d characters", tt.answer, n)
			}
		})
	}
}

func TestCheckStoryTitle(t *testing.T) {
	tests := []struct {
		title, want string
		ok          bool
	}{
		{"  The checkout outage \n", "The checkout outage", true},
		{strings.Repeat("é", agent.MaxStoryTitleRunes), strings.Repeat("é", agent.MaxStoryTitleRunes), true},
		{"x", "x", true},
		{"", "", false},
		{" \t\n ", "", false},
		{strings.Repeat("é", agent.MaxStoryTitleRunes+1), "", false},
		{"two\nlines", "", false},
		{"bell\a", "", false},
		{"bad \xff byte", "", false},
	}
	for _, tt := range tests {
		got, err := agent.CheckStoryTitle(tt.title)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("CheckStoryTitle(%q) = %q, %v; want %q", tt.title, got, err, tt.want)
		}
		if !tt.ok && agent.ErrorCode(err) != agent.EINVALIDTITLE {
			t.Errorf("CheckStoryTitle(%q) = %q, %v; want %s", tt.title, got, err, agent.EINVALIDTITLE)
		}
	}
}

// storyInterview is a complete interview that answered each principle of
// answers with its text, graded as scores says (a missing score is not
// assessed).
func storyInterview(id string, at time.Time, answers [][2]string, scores map[string]int) *agent.Interview {
	iv := &agent.Interview{ID: id, Status: agent.StatusComplete, Role: agent.RoleSDE, Level: "L5",
		CreatedAt: at, UpdatedAt: at.Add(time.Hour), Debrief: &agent.Debrief{CreatedAt: at.Add(30 * time.Minute)}}
	for _, a := range answers {
		iv.Principles = append(iv.Principles, agent.PlannedPrinciple{ID: a[0], Name: "plan name of " + a[0]})
		if a[1] != "" {
			iv.Turns = append(iv.Turns,
				agent.Turn{Seq: len(iv.Turns) + 1, Speaker: agent.SpeakerInterviewer, Principle: a[0], Text: "Tell me about a time."},
				agent.Turn{Seq: len(iv.Turns) + 2, Speaker: agent.SpeakerCandidate, Principle: a[0], Text: a[1]},
				agent.Turn{Seq: len(iv.Turns) + 3, Speaker: agent.SpeakerCandidate, Principle: a[0], Text: "A follow-up answer."})
		}
		g := agent.PrincipleGrade{Principle: a[0], Rating: agent.NotAssessed}
		if n, ok := scores[a[0]]; ok {
			g.Score, g.Rating = &n, agent.RatingForScore(n)
		}
		iv.Debrief.Principles = append(iv.Debrief.Principles, g)
	}
	return iv
}

func TestStoryBank(t *testing.T) {
	day := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	score := func(n int) *int { return &n }
	known := []agent.Principle{
		{ID: "ownership", Name: "Ownership"}, {ID: "dive-deep", Name: "Dive Deep"},
		{ID: "frugality", Name: "Frugality"}, {ID: "bias-for-action", Name: "Bias for Action"},
		{ID: "invent", Name: "Invent and Simplify"}, {ID: "earn-trust", Name: "Earn Trust"},
	}
	older := storyInterview("b", day, [][2]string{{"ownership", "The outage story. Long."}, {"dive-deep", "Digging in."}},
		map[string]int{"ownership": 2, "dive-deep": 3})
	newer := storyInterview("a", day.Add(24*time.Hour), [][2]string{{"ownership", "Second try! More."}, {"frugality", ""}, {"zz-custom", "Custom."}},
		map[string]int{"ownership": 4, "zz-custom": 1})
	open := storyInterview("c", day, [][2]string{{"earn-trust", "Not graded."}}, nil)
	open.Status, open.Debrief = agent.StatusInProgress, nil
	titles := map[agent.StoryKey]string{{InterviewID: "a", Principle: "ownership"}: "My own title"}

	stories := agent.StoriesOf([]*agent.Interview{newer, open, older}, titles)
	wantStories := []agent.Story{
		{InterviewID: "b", Principle: "ownership", Title: "The outage story", Score: score(2), Rating: agent.NoHire,
			StartedAt: day, EndedAt: day.Add(30 * time.Minute), Role: agent.RoleSDE, Level: "L5"},
		{InterviewID: "b", Principle: "dive-deep", Title: "Digging in", Score: score(3), Rating: agent.Hire,
			StartedAt: day, EndedAt: day.Add(30 * time.Minute), Role: agent.RoleSDE, Level: "L5"},
		{InterviewID: "a", Principle: "ownership", Title: "My own title", CustomTitle: true, Score: score(4), Rating: agent.StrongHire,
			StartedAt: day.Add(24 * time.Hour), EndedAt: day.Add(24*time.Hour + 30*time.Minute), Role: agent.RoleSDE, Level: "L5"},
		{InterviewID: "a", Principle: "zz-custom", Title: "Custom", Score: score(1), Rating: agent.StrongNoHire,
			StartedAt: day.Add(24 * time.Hour), EndedAt: day.Add(24*time.Hour + 30*time.Minute), Role: agent.RoleSDE, Level: "L5"},
	}
	if !reflect.DeepEqual(stories, wantStories) {
		t.Fatalf("StoriesOf =\n%+v\nwant\n%+v", stories, wantStories)
	}

	bank := agent.BankOf(stories, known, map[string]string{"zz-custom": "Custom Principle"})
	wantRows := []agent.BankPrinciple{
		{ID: "ownership", Name: "Ownership", Practised: 2, Best: score(4), BestRating: agent.StrongHire},
		{ID: "dive-deep", Name: "Dive Deep", Practised: 1, Best: score(3), BestRating: agent.Hire},
		{ID: "frugality", Name: "Frugality"},
		{ID: "bias-for-action", Name: "Bias for Action"},
		{ID: "invent", Name: "Invent and Simplify"},
		{ID: "earn-trust", Name: "Earn Trust"},
		{ID: "zz-custom", Name: "Custom Principle", Practised: 1, Best: score(1), BestRating: agent.StrongNoHire},
	}
	if !reflect.DeepEqual(bank.Principles, wantRows) {
		t.Errorf("rows =\n%+v\nwant\n%+v", bank.Principles, wantRows)
	}
	if want := []string{"frugality", "bias-for-action", "invent", "earn-trust", "zz-custom"}; !reflect.DeepEqual(bank.StillToPractise, want) {
		t.Errorf("still to practise = %v, want %v", bank.StillToPractise, want)
	}
	// Never practised first, by name, and four at most: zz-custom, told
	// once, waits.
	if want := []string{"bias-for-action", "earn-trust", "frugality", "invent"}; !reflect.DeepEqual(bank.PractiseNext, want) {
		t.Errorf("practise next = %v, want %v", bank.PractiseNext, want)
	}

	tests := []struct {
		name      string
		stories   []agent.Story
		known     []agent.Principle
		stillTodo []string
		next      []string
	}{
		{"no stories", nil, known[:2], []string{"ownership", "dive-deep"}, []string{"dive-deep", "ownership"}},
		{"all covered", wantStories[1:3], known[:2], []string{}, []string{}},
		{"fewest interviews first", append(wantStories[:1:1], wantStories[:1]...), known[:3],
			[]string{"ownership", "dive-deep", "frugality"}, []string{"dive-deep", "frugality", "ownership"}},
		{"unscored story", []agent.Story{{InterviewID: "x", Principle: "ownership", Rating: agent.NotAssessed}}, known[:1],
			[]string{"ownership"}, []string{"ownership"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := agent.BankOf(tt.stories, tt.known, nil)
			if b.Stories == nil || !reflect.DeepEqual(b.StillToPractise, tt.stillTodo) || !reflect.DeepEqual(b.PractiseNext, tt.next) {
				t.Errorf("BankOf = stories %v, still %v, next %v; want still %v, next %v", b.Stories, b.StillToPractise, b.PractiseNext, tt.stillTodo, tt.next)
			}
		})
	}
}
