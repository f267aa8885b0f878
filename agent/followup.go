package agent

import "slices"

// AllGaps lists every gap a probe may target.
var AllGaps = []Gap{GapRole, GapOutcome, GapMetrics, GapDifferently, GapImpact, GapSituation, GapAlternatives, GapData, GapDisagreement}

// Valid reports whether g is a known gap, real_example included.
func (g Gap) Valid() bool { return g == GapRealExample || slices.Contains(AllGaps, g) }

// closes lists the gaps a forgotten one takes with it: an outcome the
// candidate cannot recall has no numbers and no lasting effect either.
var closes = map[Gap][]Gap{
	GapOutcome: {GapMetrics, GapImpact},
	GapData:    {GapMetrics},
}

// ClosedGaps returns the gaps the candidate said they cannot recall, with
// those they take with them: none of them is probed again.
func ClosedGaps(a Analysis) map[Gap]bool {
	out := map[Gap]bool{}
	for _, g := range a.Forgotten {
		out[g] = true
		for _, o := range closes[g] {
			out[o] = true
		}
	}
	return out
}

// Recites reports principle names recited instead of a story: four or
// more, without both an action of the candidate's and a result.
func (a Analysis) Recites() bool {
	return a.PrincipleNames >= 4 && !(a.Action && a.Result)
}

// NotAPastEvent reports an answer that describes what the candidate would
// do or usually does, or gives advice, rather than telling what happened.
func NotAPastEvent(a Analysis) bool {
	return a.Hypothetical >= 2 && a.Hypothetical > a.PastClauses && a.StrongDeeds < 2
}

// needsRealExample reports whether the interviewer should ask once for a
// real past example: the opening answer alone is in, and it is not a past
// event.
func needsRealExample(turns []Turn, a Analysis) bool {
	answers := 0
	for _, t := range turns {
		if t.Kind == KindFollowUp {
			return false // asked already, or the interview moved past it
		}
		if t.Speaker == SpeakerCandidate {
			answers++
		}
	}
	return answers == 1 && NotAPastEvent(a)
}

// MissingGaps returns what the story still lacks, most important first:
// whose work it was, how it ended, the numbers, the reflection, the lasting
// change and the context.
func MissingGaps(a Analysis) []Gap {
	var out []Gap
	if len(a.Actions) < 2 || a.WeCount > 3*len(a.Actions) {
		out = append(out, GapRole)
	}
	if !a.Result {
		out = append(out, GapOutcome)
	}
	if !a.QuantifiedResult {
		out = append(out, GapMetrics)
	}
	if !a.Reflection {
		out = append(out, GapDifferently)
	}
	if !a.Impact {
		out = append(out, GapImpact)
	}
	if !a.Situation {
		out = append(out, GapSituation)
	}
	return out
}

// ProbedGaps returns the gaps already probed in a principle's turns.
func ProbedGaps(turns []Turn) map[Gap]bool {
	out := map[Gap]bool{}
	for _, t := range turns {
		if t.Kind == KindFollowUp && t.Probe != "" {
			out[Gap(t.Probe)] = true
		}
	}
	return out
}

// FollowUpCount returns how many follow-ups were asked in a principle's
// turns; the request for a real example does not count.
func FollowUpCount(turns []Turn) int {
	n := 0
	for _, t := range turns {
		if t.Kind == KindFollowUp && Gap(t.Probe) != GapRealExample {
			n++
		}
	}
	return n
}

// unprobed returns gaps without those in probed, keeping order.
func unprobed(gaps []Gap, probed map[Gap]bool) []Gap {
	var out []Gap
	for _, g := range gaps {
		if !probed[g] {
			out = append(out, g)
		}
	}
	return out
}

// followUpChoices returns the gaps a model may still probe for a principle:
// the missing ones first, then the rest, none probed before and none the
// candidate said they cannot recall. It returns nil
// once the cap of MaxFollowUps is reached.
func followUpChoices(turns []Turn, a Analysis) (missing, allowed []Gap) {
	if FollowUpCount(turns) >= MaxFollowUps {
		return nil, nil
	}
	probed := ProbedGaps(turns)
	for g := range ClosedGaps(a) {
		probed[g] = true
	}
	missing = unprobed(MissingGaps(a), probed)
	allowed = make([]Gap, 0, len(AllGaps))
	allowed = append(allowed, missing...)
	for _, g := range unprobed(AllGaps, probed) {
		if !slices.Contains(missing, g) {
			allowed = append(allowed, g)
		}
	}
	return missing, allowed
}
