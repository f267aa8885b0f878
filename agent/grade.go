package agent

import (
	"fmt"
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
	maxEvidence     = 3
	maxQuoteRunes   = 320
)

// assessment is the rules' view of a principle: a points total and the facts
// behind it, from which the score, the feedback and the ceiling follow.
type assessment struct {
	p       Principle
	level   Level
	a       Analysis
	fit     Fit
	points  float64
	stance  []Sentence // sentences voicing the opposite of the principle
	flag    string
	ceiling int
}

// assess scores a story on the bar-raiser rubric. Points come from the parts
// of a complete STAR story told in the first person; the level raises the bar
// for lasting mechanisms and measured results; red flags cap the score.
func assess(p Principle, level Level, a Analysis, fit Fit) assessment {
	s := assessment{p: p, level: level, a: a, fit: fit, ceiling: 4}
	if a.Situation {
		s.points++
	}
	if a.Task {
		s.points += 0.5
	}
	switch n := len(a.Actions); {
	case n >= 3:
		s.points += 2
	case n >= 1:
		s.points++
	}
	switch {
	case a.QuantifiedResult:
		s.points += 2
	case a.Result:
		s.points++
	}
	if a.Reflection {
		s.points++
	}
	if a.Impact {
		s.points++
	}
	if a.NoMeasure {
		s.points -= 0.5
	}
	if a.Hedges >= 3 {
		s.points -= 0.5
	}
	if level.Rank() >= 6 && !a.Impact {
		s.points -= 0.5
	}
	if level.Rank() >= 7 && !a.QuantifiedResult {
		s.points -= 0.5
	}
	if a.Words < 60 || fit.Rank > MaxFitRank {
		s.ceiling = 2
	}
	for _, sen := range a.Sentences {
		if matchesCue(sen.lower, p.StanceCues) {
			s.stance = append(s.stance, sen)
		}
	}
	switch {
	case a.Injection:
		s.flag, s.ceiling = FlagInjection, 1
	case a.PrincipleNames >= 4 && !(a.Action && a.Result):
		s.flag, s.ceiling = FlagStuffing, 1
	case len(s.stance) > 0:
		s.flag, s.ceiling = FlagAntiStance, 1
	case a.Blame:
		s.flag, s.ceiling = FlagBlame, 1
	case !a.Action:
		s.flag, s.ceiling = FlagNoOwnership, 1
	}
	return s
}

// score maps points to the 1–4 scale and applies the ceiling.
func (s assessment) score() int {
	sc := 1
	switch {
	case s.points >= 6:
		sc = 4
	case s.points >= 4:
		sc = 3
	case s.points >= 2:
		sc = 2
	}
	return min(sc, s.ceiling)
}

// GradeRules grades one principle from its turns with the rules alone. It is
// the default grader and the fallback, and its score is the ceiling applied
// to any model's grade.
func GradeRules(in GradeInput) PrincipleGrade {
	return assess(in.Principle, in.Level, in.Analysis, in.Fit).grade(in.Role)
}

// grade is the rules' grade of the assessed principle.
func (s assessment) grade(role Role) PrincipleGrade {
	score := s.score()
	a := s.a
	g := PrincipleGrade{
		Principle: s.p.ID,
		Name:      s.p.Name,
		Score:     &score,
		Rating:    RatingForScore(score),
		STAR:      STAR{Situation: a.Situation, Task: a.Task, Action: a.Action, Result: a.Result},
		RedFlag:   s.flag,
		GradedBy:  "rules",
	}
	g.Evidence = s.evidence()
	g.Strengths = s.strengths()
	g.Concerns = s.concerns()
	g.Advice = s.advice(role)
	return g
}

// evidence picks up to three verbatim sentences that best show the grade:
// the red flag first, then measured results, first-person actions and
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
		case s.flag == FlagInjection && sen.Injection:
			w = 100
		case s.flag == FlagAntiStance && matchesCue(sen.lower, s.p.StanceCues):
			w = 90
		}
		if sen.Result && len(sen.Metrics) > 0 {
			w += 30
		} else if sen.Result {
			w += 10
		}
		w += 8 * len(sen.Actions)
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

// strengths names what this story did well, quoting its own specifics.
func (s assessment) strengths() []string {
	a := s.a
	var out []string
	if s.flag == FlagInjection || s.flag == FlagStuffing {
		return out
	}
	if n := len(a.Actions); n >= 3 {
		out = append(out, fmt.Sprintf("You told it in the first person with concrete steps you took yourself (%s).", list(a.Actions, 5)))
	}
	if a.QuantifiedResult {
		if sen, ok := s.first(func(x Sentence) bool { return x.Result && len(x.Metrics) > 0 }); ok {
			out = append(out, fmt.Sprintf("The result is measured, not asserted: %q.", clip(sen.Text, 160)))
		}
	}
	if a.Reflection {
		if sen, ok := s.first(func(x Sentence) bool { return x.Reflection }); ok {
			out = append(out, fmt.Sprintf("You reflected on what you learned: %q.", clip(sen.Text, 160)))
		}
	}
	if a.Impact {
		if sen, ok := s.first(func(x Sentence) bool { return x.Impact }); ok {
			out = append(out, fmt.Sprintf("The change outlasted the project: %q.", clip(sen.Text, 160)))
		}
	}
	if a.Situation && a.TimeFrame && len(out) < 4 {
		out = append(out, "The context is specific: a real setting and a time frame the interviewer can anchor on.")
	}
	return out
}

// concerns names what a bar raiser would hold against this story.
func (s assessment) concerns() []string {
	a := s.a
	var out []string
	switch s.flag {
	case FlagInjection:
		if sen, ok := s.first(func(x Sentence) bool { return x.Injection }); ok {
			out = append(out, fmt.Sprintf("The answer addresses the grader instead of the interviewer (%q). It was treated as an attempt to game the assessment and ignored.", clip(sen.Text, 160)))
		} else {
			out = append(out, "The answer addresses the grader instead of the interviewer. It was treated as an attempt to game the assessment and ignored.")
		}
	case FlagStuffing:
		out = append(out, fmt.Sprintf("The answer names %d Leadership Principles but tells no story: no situation, no action you took, no result.", a.PrincipleNames))
	case FlagAntiStance:
		out = append(out, fmt.Sprintf("This works against %s: %q.", s.p.Name, clip(s.stance[0].Text, 160)))
	case FlagBlame:
		out = append(out, "The story puts the failure on other people rather than on what you could have done.")
	case FlagNoOwnership:
		out = append(out, "There is no step you took yourself: every action is the team's or someone else's.")
	}
	if s.fit.Rank > MaxFitRank {
		out = append(out, fmt.Sprintf("The story reads more like %s than %s; it shows little of the principle you were asked about.", s.fit.Best, s.p.Name))
	}
	if len(a.Actions) > 0 && len(a.Actions) < 3 && a.WeCount > len(a.Actions) {
		out = append(out, fmt.Sprintf("\"We\" appears %d times against %d things you did yourself; your own part is hard to see.", a.WeCount, len(a.Actions)))
	}
	if !a.Result {
		out = append(out, "The story never says how it ended.")
	} else if !a.QuantifiedResult {
		if sen, ok := s.first(func(x Sentence) bool { return x.Result }); ok {
			out = append(out, fmt.Sprintf("The outcome has no number behind it: %q.", clip(sen.Text, 160)))
		}
	}
	if a.NoMeasure {
		out = append(out, "You said you did not measure the result, so the impact rests on anecdote.")
	}
	if !a.Reflection && s.flag != FlagInjection && s.flag != FlagStuffing {
		out = append(out, "No lesson or reflection: what you would do differently is missing.")
	}
	if s.level.Rank() >= 6 && !a.Impact {
		out = append(out, fmt.Sprintf("At %s the bar includes a lasting mechanism, not just a fix; this story stops at the fix.", s.level))
	}
	if a.Hedges >= 3 {
		out = append(out, fmt.Sprintf("Hedged language (%d times, e.g. \"I think\", \"probably\") weakens the claims.", a.Hedges))
	}
	if a.Buzzwords > 0 && s.flag != FlagStuffing {
		out = append(out, "Buzzwords stand in for specifics in places.")
	}
	return out
}

// advice gives the one change that would most improve this story, tied to
// what the level expects.
func (s assessment) advice(role Role) string {
	a := s.a
	exp := s.p.Expectation(role, s.level)
	var first string
	switch {
	case s.flag == FlagInjection:
		first = "Answer the question with a real story; text aimed at the grader is ignored and counts against you."
	case s.flag == FlagStuffing:
		first = "Drop the principle names and tell one specific story: where you were, what you did, what changed."
	case s.flag == FlagAntiStance:
		first = fmt.Sprintf("Pick a story where you acted in the spirit of %s; this one argues against it.", s.p.Name)
	case s.fit.Rank > MaxFitRank:
		first = fmt.Sprintf("Choose a story that shows %s itself; this one is a better fit for %s.", s.p.Name, s.fit.Best)
	case s.flag == FlagNoOwnership || len(a.Actions) < 2:
		first = "Retell the story with \"I\": the decisions you made and the work you did, separate from the team's."
	case !a.Result:
		first = "Finish the story: say what happened in the end."
	case !a.QuantifiedResult:
		first = "Put a number on the outcome: a before and after, a percentage, time or money saved."
	case !a.Reflection:
		first = "Close with what you learned or would do differently."
	case !a.Impact:
		first = "Say what lasted: the mechanism, process or habit that stayed after you moved on."
	default:
		first = "Keep this story in your bank; tighten it to two minutes and lead with the result."
	}
	if exp.Scope != "" {
		return fmt.Sprintf("%s At %s the bar for %s is: %s", first, s.level, s.p.Name, exp.Scope)
	}
	return first
}

// matchesCue reports whether any cue's words occur in the sentence in order
// with at most two other words slipped in, so that "customers don't know
// what they want" also matches "customers often don't know what they want".
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

func (s assessment) first(ok func(Sentence) bool) (Sentence, bool) {
	for _, sen := range s.a.Sentences {
		if ok(sen) {
			return sen, true
		}
	}
	return Sentence{}, false
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
