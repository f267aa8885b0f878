package agent

import "slices"

// AllGaps lists every gap a probe may target.
var AllGaps = []Gap{GapRole, GapOutcome, GapMetrics, GapDifferently, GapImpact, GapSituation, GapAlternatives, GapData, GapDisagreement}

// Valid reports whether g is a known gap.
func (g Gap) Valid() bool { return slices.Contains(AllGaps, g) }

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

// FollowUpCount returns how many follow-ups were asked in a principle's turns.
func FollowUpCount(turns []Turn) int {
	n := 0
	for _, t := range turns {
		if t.Kind == KindFollowUp {
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
// the missing ones first, then the rest, none probed before. It returns nil
// once the cap of MaxFollowUps is reached.
func followUpChoices(turns []Turn, a Analysis) (missing, allowed []Gap) {
	if FollowUpCount(turns) >= MaxFollowUps {
		return nil, nil
	}
	probed := ProbedGaps(turns)
	missing = unprobed(MissingGaps(a), probed)
	allowed = append(allowed, missing...)
	for _, g := range unprobed(AllGaps, probed) {
		if !slices.Contains(missing, g) {
			allowed = append(allowed, g)
		}
	}
	return missing, allowed
}
