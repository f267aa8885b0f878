package agent

import (
	"fmt"
	"slices"
	"strings"
)

// strengths names what this story did well, each quoting or naming what
// the candidate said.
func (s assessment) strengths() []string {
	a := s.a
	out := []string{}
	if s.reading.Flag == FlagInjection || s.reading.Flag == FlagStuffing {
		return out
	}
	if a.StrongDeeds >= 3 {
		out = append(out, fmt.Sprintf("You told it as your own story, with concrete steps you took yourself (%s).", list(s.strongVerbs(), 5)))
	}
	if sen, ok := s.first(func(x Sentence) bool { return x.Compared > 0 }); ok {
		out = append(out, fmt.Sprintf("You gave a starting point to judge the result against, not just a claim: %q.", quoted(sen.Text, 160)))
	}
	if sen, ok := s.first(func(x Sentence) bool { return x.Reflection }); ok && a.Reflection {
		out = append(out, fmt.Sprintf("You said what you learned or would change: %q.", quoted(sen.Text, 160)))
	}
	if sen, ok := s.first(func(x Sentence) bool { return x.Impact }); ok {
		out = append(out, fmt.Sprintf("Something that lasted: %q.", quoted(sen.Text, 160)))
	}
	if a.Situation && a.TimeFrame && len(out) < 4 {
		if sen, ok := s.first(func(x Sentence) bool { return x.TimeFrame }); ok {
			out = append(out, fmt.Sprintf("The context is specific enough to check: %q.", quoted(sen.Text, 120)))
		}
	}
	return out
}

// concerns names what a bar raiser would hold against this story, each
// quoting or naming what the candidate said.
func (s assessment) concerns() []string {
	a := s.a
	out := []string{}
	switch s.reading.Flag {
	case FlagInjection:
		if sen, ok := s.first(func(x Sentence) bool { return x.Injection }); ok {
			out = append(out, fmt.Sprintf("The answer addresses the grader instead of the interviewer (%q). It was treated as an attempt to game the assessment and ignored.", quoted(sen.Text, 160)))
		}
	case FlagStuffing:
		out = append(out, fmt.Sprintf("The answer names %d Leadership Principles but tells no story: no action you took and no result.", a.PrincipleNames))
	case FlagNotAnEvent:
		if sen, ok := s.first(func(x Sentence) bool { return x.Hypothetical > 0 }); ok {
			out = append(out, fmt.Sprintf("This describes what you would do or usually do, not something that happened: %q. A behavioral answer needs a real past example.", quoted(sen.Text, 160)))
		}
	case FlagAntiStance:
		out = append(out, fmt.Sprintf("This works against %s, and the story never moves off it: %q.", s.p.Name, quoted(s.stance[0].Text, 160)))
	case FlagBlame:
		if sen, ok := s.first(func(x Sentence) bool { return x.Blames }); ok {
			out = append(out, fmt.Sprintf("The story puts the failure on other people rather than on what you could have done: %q.", quoted(sen.Text, 160)))
		}
	case FlagNoOwnership:
		if sen, ok := s.first(func(x Sentence) bool { return x.We > 0 }); ok {
			out = append(out, fmt.Sprintf("There is no step you took yourself: the actions are the team's or someone else's (%q).", quoted(sen.Text, 160)))
		} else {
			out = append(out, "There is no step you took yourself: no sentence has \"I\" doing something.")
		}
	}
	for _, sen := range a.Sentences {
		if sen.Implausible != "" {
			out = append(out, fmt.Sprintf("This number cannot be right (%s), so it counts for nothing: %q.", sen.Implausible, quoted(sen.Text, 160)))
			break
		}
	}
	if s.reading.BelowLevel {
		out = append(out, fmt.Sprintf("At %s a story should reach %s; what you described reaches %s, which counts against the grade.",
			s.level, ScopeName(LevelScope(s.level)), ScopeName(a.Scope)))
	}
	if a.StrongDeeds < 3 && a.WeDeeds > a.StrongDeeds {
		if sen, ok := s.first(func(x Sentence) bool { return x.WeDeeds > 0 }); ok {
			out = append(out, fmt.Sprintf("Your own part is hard to see: more of the story is told as \"we\" (%q) than as things you did.", quoted(sen.Text, 120)))
		}
	}
	if a.WeakDeeds > 0 && a.StrongDeeds == 0 {
		out = append(out, fmt.Sprintf("Your verbs describe taking part rather than doing (%s).", list(s.weakVerbs(), 4)))
	}
	for _, g := range a.Forgotten {
		if sen, ok := s.first(func(x Sentence) bool { return x.Forgot }); ok {
			out = append(out, fmt.Sprintf("You could not recall the %s (%q); a story you can't back with detail is hard to credit.", gapNoun(g), quoted(sen.Text, 120)))
		}
		break
	}
	switch {
	case !a.Result:
		out = append(out, fmt.Sprintf("The story never says how it ended; it stops at %q.", quoted(s.last().Text, 120)))
	case !a.QuantifiedResult:
		if sen, ok := s.first(func(x Sentence) bool { return x.Result }); ok {
			out = append(out, fmt.Sprintf("The outcome has no before and after behind it: %q.", quoted(sen.Text, 160)))
		}
	}
	if a.NoMeasure {
		if sen, ok := s.first(func(x Sentence) bool { return containsAny(x.lower, noMeasureCues) }); ok {
			out = append(out, fmt.Sprintf("By your own account nothing was measured (%q), so the impact rests on anecdote.", quoted(sen.Text, 120)))
		}
	}
	if !a.Reflection && s.reading.Flag != FlagInjection && s.reading.Flag != FlagStuffing {
		if sen, ok := s.first(func(x Sentence) bool { return x.Answers == GapDifferently || x.NoReflection }); ok {
			out = append(out, fmt.Sprintf("No lesson or change of practice: asked what you would do differently, you said %q.", quoted(sen.Text, 120)))
		} else {
			out = append(out, fmt.Sprintf("No lesson or change of practice: the story ends at %q without what you learned.", quoted(s.last().Text, 100)))
		}
	}
	if a.Hedges >= 3 {
		out = append(out, fmt.Sprintf("Hedged language (%d times, as in %q) weakens the claims.", a.Hedges, quoted(s.hedged().Text, 100)))
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
	case s.reading.Flag == FlagInjection:
		first = "Answer the question with a real story; text aimed at the grader is ignored and counts against you."
	case s.reading.Flag == FlagStuffing:
		first = "Drop the principle names and tell one specific story: where you were, what you did, what changed."
	case s.reading.Flag == FlagNotAnEvent:
		first = "Tell one thing that happened, in the past tense: where you were, what you did, how it ended."
	case s.reading.Flag == FlagAntiStance:
		first = fmt.Sprintf("Pick a story where you acted in the spirit of %s; this one argues against it.", s.p.Name)
	case len(a.Implausible) > 0:
		first = "Use numbers you could defend to a skeptic: a baseline, what changed and over what period."
	case s.reading.Flag == FlagNoOwnership || a.StrongDeeds < 2:
		first = "Retell the story with \"I\": the decisions you made and the work you did, separate from the team's."
	case s.reading.BelowLevel:
		first = fmt.Sprintf("Choose a story with the reach %s expects: %s.", s.level, ScopeName(LevelScope(s.level)))
	case !a.Result:
		first = "Finish the story: say how it ended."
	case !a.QuantifiedResult:
		first = "Give the outcome a figure: where it started and where it ended, a percentage, time or money saved."
	case !a.Reflection:
		first = "Close with what you learned or would do differently."
	case !a.Impact:
		first = "Say what lasted: the mechanism, process or habit that stayed after you moved on."
	default:
		first = "Keep this story in your bank; tighten it to two minutes and lead with the result."
	}
	if s.fit.Rank > MaxFitRank && s.fit.Best != "" {
		first += fmt.Sprintf(" The words of this story sit closer to %s than to %s; make sure the part that shows %s is plain.", s.fit.Best, s.p.Name, s.p.Name)
	}
	if exp.Scope != "" {
		return fmt.Sprintf("%s At %s the bar for %s is: %s", first, s.level, s.p.Name, exp.Scope)
	}
	return first
}

func (s assessment) first(ok func(Sentence) bool) (Sentence, bool) {
	for _, sen := range s.a.Sentences {
		if ok(sen) {
			return sen, true
		}
	}
	return Sentence{}, false
}

// last is the candidate's last sentence of the opening answer, where a
// story that never ends stops.
func (s assessment) last() Sentence {
	var out Sentence
	for _, sen := range s.a.Sentences {
		if sen.Answers != "" {
			break
		}
		out = sen
	}
	return out
}

func (s assessment) hedged() Sentence {
	sen, _ := s.first(func(x Sentence) bool { return containsAny(" "+x.lower+" ", hedgeCues) })
	return sen
}

func (s assessment) strongVerbs() []string {
	var out []string
	for _, sen := range s.a.Sentences {
		for _, v := range sen.Actions {
			if !weakVerbs.has(v) && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

func (s assessment) weakVerbs() []string {
	var out []string
	for _, v := range s.a.Actions {
		if weakVerbs.has(v) {
			out = append(out, v)
		}
	}
	return out
}

// gapNoun is how a concern names one piece of the story.
func gapNoun(g Gap) string {
	switch g {
	case GapOutcome:
		return "outcome"
	case GapMetrics:
		return "numbers"
	case GapRole:
		return "your own part"
	case GapImpact:
		return "lasting effect"
	}
	return strings.ReplaceAll(string(g), "_", " ")
}

// quoted clips a sentence for a strength or concern that quotes it and
// drops its closing mark, which the sentence around the quote supplies.
func quoted(text string, n int) string {
	return strings.TrimRight(clip(text, n), ".!?")
}
