package main

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSummarize(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100 … 1, unsorted
	}
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want Summary
	}{
		{"empty", nil, Summary{}},
		{"one", ms(7), Summary{N: 1, P50: 7 * time.Millisecond, P99: 7 * time.Millisecond, Max: 7 * time.Millisecond}},
		{"two", ms(9, 1), Summary{N: 2, P50: time.Millisecond, P99: 9 * time.Millisecond, Max: 9 * time.Millisecond}},
		{"hundred", ms(hundred...), Summary{N: 100, P50: 50 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := summarize(tc.in); got != tc.want {
				t.Errorf("summarize = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestStatsSnapshot(t *testing.T) {
	s := newStats()
	s.observe(LatencyTurn, time.Second)
	s.observe(LatencyTurn, 3*time.Second)
	s.fail("timeout")
	s.fail("timeout")
	s.fail("frame:internal")
	s.graded("rules")
	s.turns.Add(2)
	s.completed.Add(1)
	var r Report
	s.snapshot(&r)
	if r.Turns != 2 || r.Completed != 1 || r.ErrorCount() != 3 || r.Errors["timeout"] != 2 || r.GradedBy["rules"] != 1 {
		t.Errorf("report = %+v", r)
	}
	if got := r.Latency[LatencyTurn]; got.N != 2 || got.Max != 3*time.Second {
		t.Errorf("turn latency = %+v", got)
	}
}

// TestAnswers checks that the candidates' answers vary, fit the server's
// limits, and mix specific stories with vague ones.
func TestAnswers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	distinct := map[string]bool{}
	specific, vagueOnly := 0, 0
	for range 500 {
		a := answer(r)
		if strings.TrimSpace(a) == "" || utf8.RuneCountInString(a) > 8000 || strings.ContainsRune(a, 0) {
			t.Fatalf("answer %q breaks the server's rules", a)
		}
		distinct[a] = true
		hasStory := false
		for _, s := range situations {
			hasStory = hasStory || strings.Contains(a, s)
		}
		hasResult := false
		for _, s := range results {
			hasResult = hasResult || strings.Contains(a, s)
		}
		switch {
		case hasStory && hasResult:
			specific++
		case !hasStory:
			vagueOnly++
		}
	}
	if len(distinct) < 200 {
		t.Errorf("only %d distinct answers in 500", len(distinct))
	}
	if specific < 150 || vagueOnly < 50 {
		t.Errorf("%d specific and %d vague answers in 500; want a mix", specific, vagueOnly)
	}
	// The same seed gives the same answers, so a run can be repeated.
	a, b := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	for range 20 {
		if x, y := answer(a), answer(b); x != y {
			t.Fatalf("same seed, different answers: %q, %q", x, y)
		}
	}
}
