package agent

import (
	"strings"
	"testing"
)

func TestStoryScope(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"I fixed a typo in the settings page and shipped it the same day.", ScopeTask},
		{"My team of six owned the search box; I changed how it ranks results.", ScopeTeam},
		{"I led a change across four teams, about 25 engineers, over two quarters.", ScopeTeams},
		{"I set the direction for the org: 45 engineers in six teams, reporting to our VP.", ScopeOrg},
		{"The program ran company-wide and saved $60 million a year.", ScopeCompany},
		{"We refunded 140 people who had been double charged.", ScopeTask},
	}
	for _, tt := range tests {
		if got := storyScope(tt.text); got != tt.want {
			t.Errorf("storyScope(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

// TestOneStoryAtTwoLevels grades the same story for L5 and for L7: at L7 it
// sits below the level's scope, which lowers every step's weighted sum, and
// the debrief says why.
func TestOneStoryAtTwoLevels(t *testing.T) {
	story := "Last spring I owned the export button in our reporting app. Customers kept filing tickets because large exports timed out. " +
		"I profiled the export path, found that we built the whole file in memory, and I rewrote it to stream rows in pages of a thousand. " +
		"I added a progress bar and a test with a two million row report. Export failures fell from about 40 a week to 2, and the related tickets dropped by 90% within a month. " +
		"I learned to test with the biggest customer's data before a release, and streaming is now how every report in the app is built."
	turns := []Turn{{Seq: 1, Speaker: SpeakerInterviewer, Kind: KindOpening}, candidate(2, story)}
	p := Principle{ID: "deliver-results", Name: "Deliver Results"}
	grade := func(l Level) PrincipleGrade {
		return GradeRules(GradeInput{Principle: p, Level: l, Turns: turns, Analysis: Analyze(turns)})
	}
	l5, l7 := grade("L5"), grade("L7")
	if *l7.Score > *l5.Score {
		t.Errorf("L5 score %d, L7 score %d: want no more at L7", *l5.Score, *l7.Score)
	}
	read := func(l Level) [3]float64 {
		return ReadStory(GradeInput{Principle: p, Level: l, Turns: turns, Analysis: Analyze(turns)}).Values(nil)
	}
	v5, v7 := read("L5"), read("L7")
	if v7[0]+v7[1]+v7[2] >= v5[0]+v5[1]+v5[2] {
		t.Errorf("the weighted sums at L7 %v are not below those at L5 %v", v7, v5)
	}
	if !strings.Contains(strings.Join(l7.Concerns, " "), "At L7 a story should reach") {
		t.Errorf("the L7 debrief does not say why: %q", l7.Concerns)
	}
	if strings.Contains(strings.Join(l5.Concerns, " "), "a story should reach") {
		t.Errorf("the L5 debrief holds a scope concern: %q", l5.Concerns)
	}
}
