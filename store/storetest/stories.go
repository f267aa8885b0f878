package storetest

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
)

// titlesOf returns owner's story titles, failing the test on error or on
// a nil map.
func titlesOf(t *testing.T, s Store, owner string) map[agent.StoryKey]string {
	t.Helper()
	got, err := s.StoryTitles(context.Background(), owner)
	if err != nil || got == nil {
		t.Fatalf("StoryTitles(%q) = %v, %v; want a non-nil map", owner, got, err)
	}
	return got
}

// wantTitles fails the test unless owner's titles are exactly want.
func wantTitles(t *testing.T, s Store, owner string, want map[agent.StoryKey]string) {
	t.Helper()
	if got := titlesOf(t, s, owner); !maps.Equal(got, want) {
		t.Errorf("StoryTitles(%q) = %v, want %v", owner, got, want)
	}
}

// testStoryTitles sets, replaces and scopes story titles, and checks that
// they go with their interview, alone or with all of its owner's.
func testStoryTitles(t *testing.T, s Store) {
	ctx := context.Background()
	wantTitles(t, s, "alice", map[agent.StoryKey]string{})
	for _, id := range []string{"iv-1", "iv-2", "iv-3"} {
		create(t, s, newInterview("alice", id, base))
	}
	create(t, s, newInterview("bob", "iv-bob", base))

	own1 := agent.StoryKey{InterviewID: "iv-1", Principle: "ownership"}
	dd1 := agent.StoryKey{InterviewID: "iv-1", Principle: "dive_deep"}
	own2 := agent.StoryKey{InterviewID: "iv-2", Principle: "ownership"}
	own3 := agent.StoryKey{InterviewID: "iv-3", Principle: "ownership"}
	bobs := agent.StoryKey{InterviewID: "iv-bob", Principle: "ownership"}
	long := strings.Repeat("é", agent.MaxStoryTitleRunes)
	sets := []struct {
		owner string
		key   agent.StoryKey
		title string
	}{
		{"alice", own1, "The checkout outage"},
		{"alice", dd1, "Quotes \"and\" émojis 🚀"},
		{"alice", own2, long},
		{"", own3, "Set without an owner"},
		{"bob", bobs, "Bob's story"},
		{"alice", own1, "The checkout outage, renamed"}, // replaces the first title
	}
	for _, set := range sets {
		if err := s.SetStoryTitle(ctx, set.owner, set.key, set.title); err != nil {
			t.Fatalf("SetStoryTitle(%q, %v): %v", set.owner, set.key, err)
		}
	}
	wantTitles(t, s, "alice", map[agent.StoryKey]string{
		own1: "The checkout outage, renamed", dd1: "Quotes \"and\" émojis 🚀", own2: long, own3: "Set without an owner",
	})
	wantTitles(t, s, "bob", map[agent.StoryKey]string{bobs: "Bob's story"})

	// Another owner's interview, or none, is not found and changes nothing.
	refused := []struct {
		owner string
		key   agent.StoryKey
	}{
		{"alice", bobs},
		{"bob", own1},
		{"alice", agent.StoryKey{InterviewID: "no-such-interview", Principle: "ownership"}},
		{"", agent.StoryKey{InterviewID: "no-such-interview", Principle: "ownership"}},
	}
	for _, r := range refused {
		err := s.SetStoryTitle(ctx, r.owner, r.key, "Stolen")
		wantCode(t, "SetStoryTitle("+r.owner+", "+r.key.InterviewID+")", err, agent.ENOTFOUND)
	}
	wantTitles(t, s, "bob", map[agent.StoryKey]string{bobs: "Bob's story"})
	if got := titlesOf(t, s, "alice"); got[own1] != "The checkout outage, renamed" || len(got) != 4 {
		t.Errorf("alice's titles after refused writes = %v", got)
	}

	// Deleting an interview deletes its titles; erasing an owner, all of theirs.
	if err := s.DeleteInterview(ctx, "alice", "iv-1"); err != nil {
		t.Fatal(err)
	}
	wantTitles(t, s, "alice", map[agent.StoryKey]string{own2: long, own3: "Set without an owner"})
	if _, err := s.DeleteOwnerInterviews(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	wantTitles(t, s, "alice", map[agent.StoryKey]string{})
	wantTitles(t, s, "bob", map[agent.StoryKey]string{bobs: "Bob's story"})
}
