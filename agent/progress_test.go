package agent_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

func TestOpening(t *testing.T) {
	long := strings.Repeat("word ", 60) // 300 characters
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"Short answer.", 200, "Short answer."},
		{"  Spread\n\nover   lines\t ", 200, "Spread over lines"},
		{long, 200, strings.TrimSpace(strings.Repeat("word ", 39)) + "…"},
		{strings.Repeat("é", 250), 200, strings.Repeat("é", 199) + "…"},
		{"abcdefghij klm", 10, "abcdefghi…"},
		{"", 200, ""},
	}
	for _, tt := range tests {
		got := agent.Opening(tt.text, tt.n)
		if got != tt.want {
			t.Errorf("Opening(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
		if n := len([]rune(got)); n > tt.n {
			t.Errorf("Opening(%q, %d) has %d characters", tt.text, tt.n, n)
		}
	}
}

func TestProgressOf(t *testing.T) {
	day := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	score := func(n int) *int { return &n }
	turns := func(principle string, answers ...string) []agent.Turn {
		var out []agent.Turn
		for _, a := range answers {
			out = append(out,
				agent.Turn{Seq: len(out) + 1, Speaker: agent.SpeakerInterviewer, Principle: principle, Text: "Tell me about a time…"},
				agent.Turn{Seq: len(out) + 2, Speaker: agent.SpeakerCandidate, Principle: principle, Text: a})
		}
		return out
	}
	plan := func(ids ...string) []agent.PlannedPrinciple {
		var out []agent.PlannedPrinciple
		for _, id := range ids {
			out = append(out, agent.PlannedPrinciple{ID: id, Name: "name of " + id})
		}
		return out
	}
	ivs := []*agent.Interview{
		{ // newer, listed first: the points still run oldest first
			ID: "b", Status: agent.StatusComplete, CreatedAt: day.Add(48 * time.Hour), Principles: plan("ownership", "frugality"),
			Turns: turns("ownership", "The second story.", "A follow-up answer."),
			Debrief: &agent.Debrief{Principles: []agent.PrincipleGrade{
				{Principle: "ownership", Name: "Ownership", Score: score(4), Rating: agent.StrongHire},
				{Principle: "frugality", Name: "Frugality", Rating: agent.NotAssessed},
			}},
		},
		{
			ID: "a", Status: agent.StatusComplete, CreatedAt: day, Principles: plan("ownership", "zz-custom"),
			Turns: append(turns("ownership", "The first story."), agent.Turn{Seq: 3, Speaker: agent.SpeakerCandidate, Principle: "zz-custom", Text: "Custom."}),
			Debrief: &agent.Debrief{Principles: []agent.PrincipleGrade{
				{Principle: "ownership", Name: "Ownership", Score: score(2), Rating: agent.NoHire},
				{Principle: "zz-custom", Name: "Custom", Score: score(3), Rating: agent.Hire},
			}},
		},
		{ID: "c", Status: agent.StatusInProgress, CreatedAt: day, Principles: plan("ownership"), Turns: turns("ownership", "Not graded.")},
	}
	known := []agent.Principle{{ID: "customer-obsession", Name: "Customer Obsession"}, {ID: "ownership", Name: "Ownership"}, {ID: "frugality", Name: "Frugality"}}
	want := &agent.Progress{Principles: []agent.PrincipleProgress{
		{ID: "ownership", Name: "Ownership",
			Points: []agent.ProgressPoint{
				{InterviewID: "a", At: day, Score: 2, Rating: agent.NoHire},
				{InterviewID: "b", At: day.Add(48 * time.Hour), Score: 4, Rating: agent.StrongHire},
			},
			Stories: []agent.StoryOpening{
				{InterviewID: "a", At: day, Opening: "The first story."},
				{InterviewID: "b", At: day.Add(48 * time.Hour), Opening: "The second story."},
			}},
		{ID: "zz-custom", Name: "Custom",
			Points:  []agent.ProgressPoint{{InterviewID: "a", At: day, Score: 3, Rating: agent.Hire}},
			Stories: []agent.StoryOpening{{InterviewID: "a", At: day, Opening: "Custom."}}},
	}}
	if got := agent.ProgressOf(ivs, known); !reflect.DeepEqual(got, want) {
		t.Errorf("ProgressOf\n got %+v\nwant %+v", got, want)
	}
	if got := agent.ProgressOf(nil, known); got.Principles == nil || len(got.Principles) != 0 {
		t.Errorf("ProgressOf(nothing) = %+v, want an empty list", got)
	}
}
