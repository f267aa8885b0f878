package agent

import (
	"fmt"
	"slices"
)

// Limits the hard checks put on a model's score.
const (
	injectionScore  = 1 // instructions aimed at the grader
	stuffingCap     = 2 // principle names instead of a story
	unquotedCap     = 2 // no verified quote left
	maxConcernQuote = 160
)

// hardChecked is a model's grade after the hard checks, with what they
// found for the log.
type hardChecked struct {
	Grade PrincipleGrade
	// Unknown lists the model's red flags that are no flag's name; they
	// were dropped.
	Unknown []string
	// Unquoted is true when no quote of the model's survived verification.
	Unquoted bool
}

// checkModelGrade holds a model's grade g of a principle to what can be
// checked in the transcript, and changes nothing else:
//
//   - every quote must be verbatim in the candidate turn it names; the
//     others are dropped and counted in DroppedQuotes, and a grade left with
//     no verified quote is capped at 2 and shows fallback (the rules'
//     evidence sentences) instead;
//   - instructions aimed at the grader (in.Analysis.Injection) score 1 and
//     raise FlagInjection, with a concern quoting the sentence;
//   - naming four or more principles without both an action and a result
//     caps the score at 2 and raises FlagStuffing;
//   - the model's own red flags are kept when they are known names and
//     dropped otherwise.
//
// RedFlags lists the hard checks' flags first, then the model's; RedFlag is
// the first of them. The rules' score, ceiling, fit and flags play no part.
func checkModelGrade(g PrincipleGrade, in GradeInput, fallback []Evidence) hardChecked {
	out := hardChecked{}
	a := in.Analysis
	score := *g.Score
	var flags, concerns []string
	if a.Injection {
		score = injectionScore
		flags = append(flags, FlagInjection)
		concerns = append(concerns, injectionConcern(a))
	}
	if a.Recites() {
		score = min(score, stuffingCap)
		flags = append(flags, FlagStuffing)
		concerns = append(concerns, fmt.Sprintf("The answer names %d Leadership Principles instead of telling a story of what you did and how it ended.", a.PrincipleNames))
	}
	g.Evidence, g.DroppedQuotes = VerifyEvidence(in.Turns, g.Evidence)
	if len(g.Evidence) == 0 {
		score = min(score, unquotedCap)
		g.Evidence = fallback
		out.Unquoted = true
	}
	modelFlags := g.RedFlags
	if g.RedFlag != "" && !slices.Contains(modelFlags, g.RedFlag) {
		modelFlags = append([]string{g.RedFlag}, modelFlags...)
	}
	for _, f := range modelFlags {
		switch {
		case !KnownRedFlag(f):
			out.Unknown = append(out.Unknown, f)
		case !slices.Contains(flags, f):
			flags = append(flags, f)
		}
	}
	g.RedFlags, g.RedFlag = flags, ""
	if len(flags) > 0 {
		g.RedFlag = flags[0]
	}
	if len(concerns) > 0 {
		g.Concerns = append(concerns, g.Concerns...)
	}
	g.Score = &score
	g.Rating = RatingForScore(score)
	out.Grade = g
	return out
}

// injectionConcern explains the injection flag, quoting the first sentence
// that addresses the grader.
func injectionConcern(a Analysis) string {
	const tail = "It was treated as an attempt to game the assessment and ignored."
	for _, s := range a.Sentences {
		if s.Injection {
			return fmt.Sprintf("The answer addresses the grader instead of the interviewer (%q). %s", clip(s.Text, maxConcernQuote), tail)
		}
	}
	return "The answer addresses the grader instead of the interviewer. " + tail
}
