package agent

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Red flags that veto a hire whatever the scores.
const (
	FlagInjection   = "instructions_to_grader"
	FlagStuffing    = "keyword_stuffing"
	FlagBlame       = "blame"
	FlagNoOwnership = "no_personal_contribution"
	FlagAntiStance  = "contrary_stance"
	FlagNotAnEvent  = "no_real_example"
	maxEvidence     = 3
	maxQuoteRunes   = 320
)

// assessment is the rules' view of a principle: the reading of the story,
// the score it gives and the facts behind it, from which the feedback
// follows.
type assessment struct {
	p       Principle
	level   Level
	a       Analysis
	fit     Fit
	reading Reading
	stance  []Sentence // sentences voicing a view against the principle that the candidate holds
	score   int
}

// assess scores a story on the rubric in docs/grading.md with the given
// weights (nil for the fitted defaults).
func assess(p Principle, level Level, a Analysis, fit Fit, w *Weights) assessment {
	s := assessment{p: p, level: level, a: a, fit: fit}
	s.stance = heldStance(a.Sentences, p.StanceCues)
	s.reading = read(level, a, len(s.stance) > 0)
	s.score = s.reading.Score(w)
	return s
}

// ReadStory is the rules' reading of a principle's story, which GradeRules
// scores with the fitted weights.
func ReadStory(in GradeInput) Reading {
	return assess(in.Principle, in.Level, in.Analysis, in.Fit, nil).reading
}

// GradeWeights returns a copy of the fitted weights the rules grade with.
func GradeWeights() Weights {
	w := gradeWeights
	for k := range w.W {
		w.W[k] = slices.Clone(w.W[k])
	}
	return w
}

// GradeRules grades one principle from its turns with the rules alone. It is
// the default grader and the fallback when a model fails.
func GradeRules(in GradeInput) PrincipleGrade {
	return assess(in.Principle, in.Level, in.Analysis, in.Fit, nil).grade(in.Role)
}

// grade is the rules' grade of the assessed principle.
func (s assessment) grade(role Role) PrincipleGrade {
	score := s.score
	a := s.a
	g := PrincipleGrade{
		Principle: s.p.ID,
		Name:      s.p.Name,
		Score:     &score,
		Rating:    RatingForScore(score),
		STAR:      STAR{Situation: a.Situation, Task: a.Task, Action: a.Action, Result: a.Result},
		RedFlag:   s.reading.Flag,
		GradedBy:  "rules",
	}
	if g.RedFlag != "" {
		g.RedFlags = []string{g.RedFlag}
	}
	g.Evidence = s.evidence()
	g.Strengths = s.strengths()
	g.Concerns = s.concerns()
	g.Advice = s.advice(role)
	return g
}

// heldStance returns the sentences that voice a view against the principle
// and that the candidate does not go on to act against: "it was not my job,
// so I left it" is held; "it was not my job, but I handled it anyway" is not.
func heldStance(ss []Sentence, cues []string) []Sentence {
	var out []Sentence
	for i, sen := range ss {
		if !matchesCue(sen.lower, cues) {
			continue
		}
		if overcome(sen, ss[i+1:]) {
			continue
		}
		out = append(out, sen)
	}
	return out
}

// overcome reports whether a sentence's contrary view is turned by a
// contrast ("but", "however", "still") that leads to something the
// candidate did, in the sentence itself or in one of the next two.
func overcome(sen Sentence, after []Sentence) bool {
	if turnsAround(sen.lower) && sen.Strong > 0 {
		return true
	}
	for i, next := range after {
		if i >= 2 || next.Seq != sen.Seq {
			break
		}
		if next.Strong > 0 && (turnsAround(next.lower) || i == 0 && sen.Strong == 0 && next.Strong >= 2) {
			return true
		}
	}
	return false
}

func turnsAround(lower string) bool {
	return containsAny(" "+lower+" ", []string{" but ", " however", " still ", " anyway", " instead", " even so", " nevertheless", " regardless"})
}

// evidence picks up to three verbatim sentences that best show the grade:
// the red flag first, then measured results, the candidate's own deeds and
// reflection.
func (s assessment) evidence() []Evidence {
	type cand struct {
		sen    Sentence
		weight int
		order  int
	}
	var cs []cand
	for i, sen := range s.a.Sentences {
		w := 0
		switch {
		case s.reading.Flag == FlagInjection && sen.Injection:
			w = 100
		case s.reading.Flag == FlagAntiStance && slices.ContainsFunc(s.stance, func(x Sentence) bool { return x.Text == sen.Text }):
			w = 90
		case sen.Implausible != "":
			w = 60
		}
		if sen.Compared > 0 {
			w += 30
		} else if sen.Result {
			w += 10
		}
		w += 8*sen.Strong + 3*(len(sen.Actions)-sen.Strong)
		if sen.Reflection {
			w += 12
		}
		if sen.Impact {
			w += 10
		}
		if w > 0 {
			cs = append(cs, cand{sen, w, i})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].weight > cs[j].weight })
	if len(cs) > maxEvidence {
		cs = cs[:maxEvidence]
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].order < cs[j].order })
	var out []Evidence
	for _, c := range cs {
		out = append(out, Evidence{Seq: c.sen.Seq, Quote: clip(c.sen.Text, maxQuoteRunes)})
	}
	if len(out) == 0 && len(s.a.Sentences) > 0 {
		sen := s.a.Sentences[0]
		out = append(out, Evidence{Seq: sen.Seq, Quote: clip(sen.Text, maxQuoteRunes)})
	}
	return out
}

// matchesCue reports whether any cue's words occur in the sentence in order
// with at most two other words slipped in, so that "the spec said so" also
// matches "the spec clearly said so".
func matchesCue(lower string, cues []string) bool {
	words := tokenize(lower)
	for _, cue := range cues {
		if inOrder(words, tokenize(strings.ToLower(cue)), 2) {
			return true
		}
	}
	return false
}

// inOrder reports whether want occurs in words in order, starting anywhere,
// with at most slack extra words between its first and last word.
func inOrder(words, want []string, slack int) bool {
	if len(want) == 0 {
		return false
	}
	for start := range words {
		if words[start] != want[0] {
			continue
		}
		k, extra := 1, 0
		for i := start + 1; i < len(words) && k < len(want) && extra <= slack; i++ {
			if words[i] == want[k] {
				k++
			} else {
				extra++
			}
		}
		if k == len(want) && extra <= slack {
			return true
		}
	}
	return false
}

// Recommend fills in the debrief's recommendation, veto and summary from the
// principle grades. The mean of assessed scores sets the recommendation; a
// score of 1 or a red flag vetoes a hire.
func Recommend(d *Debrief) {
	var sum, n int
	d.BarRaiserVeto = false
	var vetoed []string
	for _, g := range d.Principles {
		if g.Score == nil {
			continue
		}
		sum += *g.Score
		n++
		if *g.Score == 1 || g.RedFlag != "" {
			d.BarRaiserVeto = true
			vetoed = append(vetoed, g.Name)
		}
	}
	if n == 0 {
		d.Recommendation = NoHire
		d.Summary = "No principle was assessed: the interview ended before any question was answered, so there is no evidence to hire on."
		return
	}
	mean := float64(sum) / float64(n)
	switch {
	case mean >= 3.5:
		d.Recommendation = StrongHire
	case mean >= 2.75:
		d.Recommendation = Hire
	case mean >= 1.75:
		d.Recommendation = NoHire
	default:
		d.Recommendation = StrongNoHire
	}
	if d.BarRaiserVeto && (d.Recommendation == StrongHire || d.Recommendation == Hire) {
		d.Recommendation = NoHire
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Mean score %.2f over %d assessed principle(s): %s.", mean, n, strings.ReplaceAll(string(d.Recommendation), "_", " "))
	if d.BarRaiserVeto {
		fmt.Fprintf(&b, " Bar raiser veto on %s.", strings.Join(vetoed, ", "))
	}
	best, worst := extremes(d.Principles)
	if best != nil && worst != nil && best.Principle != worst.Principle {
		fmt.Fprintf(&b, " Strongest: %s (%d). Weakest: %s (%d).", best.Name, *best.Score, worst.Name, *worst.Score)
	}
	if na := notAssessed(d.Principles); len(na) > 0 {
		fmt.Fprintf(&b, " Not assessed: %s.", strings.Join(na, ", "))
	}
	d.Summary = b.String()
}

func extremes(gs []PrincipleGrade) (best, worst *PrincipleGrade) {
	for i := range gs {
		g := &gs[i]
		if g.Score == nil {
			continue
		}
		if best == nil || *g.Score > *best.Score {
			best = g
		}
		if worst == nil || *g.Score < *worst.Score {
			worst = g
		}
	}
	return best, worst
}

func notAssessed(gs []PrincipleGrade) []string {
	var out []string
	for _, g := range gs {
		if g.Score == nil {
			out = append(out, g.Name)
		}
	}
	return out
}

// NotAssessedGrade is the grade of a principle the candidate never answered.
func NotAssessedGrade(p Principle) PrincipleGrade {
	return PrincipleGrade{Principle: p.ID, Name: p.Name, Rating: NotAssessed, Evidence: []Evidence{},
		Strengths: []string{}, Concerns: []string{"Not reached in this interview."}, Advice: "Practise this principle in another session."}
}

func list(words []string, n int) string {
	if len(words) > n {
		words = words[:n]
	}
	return strings.Join(words, ", ")
}

// clip shortens s to at most n runes, cutting at a word boundary, so that a
// clipped quote is still a substring of the original.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:")
}
