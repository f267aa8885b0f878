package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCueMatcherAgreesWithContains checks the one-pass matcher against
// strings.Contains and strings.Count, cue by cue, on every sentence of the
// development set and on texts built to catch overlaps and the padding.
func TestCueMatcherAgreesWithContains(t *testing.T) {
	texts := []string{
		"", "a", " team team ", "team", "huge huge huge", "we will will not", "may may",
		"i don't remember i don't remember.", "in hindsight in hindsight",
	}
	files, _ := filepath.Glob("testdata/devset/*.json")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var set []struct {
			Answer    string            `json:"answer"`
			FollowUps map[string]string `json:"follow_up_answers"`
		}
		if err := json.Unmarshal(raw, &set); err != nil {
			t.Fatal(err)
		}
		for _, e := range set {
			texts = append(texts, splitSentences(e.Answer)...)
			for _, a := range e.FollowUps {
				texts = append(texts, splitSentences(a)...)
			}
		}
	}
	lists := []cueList{
		{[]string{"a", "aa", "aaa"}, false},
		{[]string{" a", "a "}, true},
		{[]string{"ab", "b", "abc", "bc", "c"}, false},
	}
	texts = append(texts, "aaaa", "abcabc", "a a a", " a")
	m := newCueMatcher(lists)
	sentence := sentenceCues
	for _, text := range texts {
		lower := strings.ToLower(strings.ReplaceAll(text, "’", "'"))
		for _, tc := range []struct {
			m     *cueMatcher
			lists []cueList
		}{{m, lists}, {sentence, sentenceLists}, {turnCues, turnLists}, {scopeCues, scopeLists[:]}, {deflectCues, deflectLists}} {
			got := make([]int, len(tc.lists))
			countCues(tc.m, " "+lower+" ", got)
			for i, l := range tc.lists {
				in := " " + lower + " "
				if l.bounded {
					in = lower
				}
				if want := countAny(in, l.cues); got[i] != want {
					t.Errorf("list %d in %q: matcher counts %d, strings.Count %d", i, lower, got[i], want)
				}
			}
		}
	}
}

// countAny is strings.Count summed over subs: what a cueMatcher must give.
func countAny(s string, subs []string) int {
	n := 0
	for _, sub := range subs {
		n += strings.Count(s, sub)
	}
	return n
}

// TestMaybeNumberWordKeepsEveryNumberWord guards readQuantity's quick test:
// it must let through every word readQuantity reads as a number.
func TestMaybeNumberWordKeepsEveryNumberWord(t *testing.T) {
	words := []string{"twice", "doubled", "double", "tripled", "triple"}
	for w := range numberWords {
		words = append(words, w)
	}
	for _, w := range words {
		if !maybeNumberWord(w) {
			t.Errorf("maybeNumberWord(%q) = false", w)
		}
	}
}

// TestClassOf checks that the filter in front of wordClasses never hides a
// listed word.
func TestClassOf(t *testing.T) {
	for w, want := range wordClasses {
		if got := classOf(w); got != want {
			t.Errorf("classOf(%q) = %b, want %b", w, got, want)
		}
	}
	for _, w := range []string{"", "zebra", "migrated", "x"} {
		if got := classOf(w); got != wordClasses[w] {
			t.Errorf("classOf(%q) = %b, want %b", w, got, wordClasses[w])
		}
	}
}

// TestWordSet checks that a wordSet's filter never hides a member and that
// words outside it stay outside.
func TestWordSet(t *testing.T) {
	s := setOf("a", "about", "cc'd", "up-front", "", "approximately-thirty-two-letters")
	for w := range s.words {
		if !s.has(w) {
			t.Errorf("has(%q) = false for a member", w)
		}
	}
	for _, w := range []string{"b", "abut", "cc", "up", "approximately-thirty-two-letterz", "aboutt"} {
		if s.has(w) {
			t.Errorf("has(%q) = true for a word outside the set", w)
		}
	}
}
