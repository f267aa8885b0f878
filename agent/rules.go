package agent

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"unicode/utf8"
)

// Rules is the built-in interviewer: it needs no network, reads each answer
// with Analyze, probes the most important gap still missing and grades with
// GradeRules. It is the default Model and the fallback for any other.
type Rules struct {
	// Probes is the generic probe bank; principle-specific probes come from
	// the principle itself.
	Probes []Probe
}

// Name implements Model.
func (Rules) Name() string { return "rules" }

// Decide probes the first missing gap, or moves on when nothing important is
// missing.
func (Rules) Decide(_ context.Context, in DecideInput) (Decision, error) {
	if len(in.Missing) == 0 {
		return Decision{Reason: "the story covers role, outcome, metrics, reflection and impact"}, nil
	}
	return Decision{Gap: in.Missing[0], Reason: "missing from the story so far"}, nil
}

// Ask returns the retrieved opening question, or the probe's wording with a
// pointer back to the candidate's own words where that sharpens it.
func (r Rules) Ask(_ context.Context, in AskInput, _ func(string)) (string, Usage, error) {
	if in.Probe == nil {
		if in.Transition {
			return "Thank you. Let's move to a different area. " + in.Question.Text, Usage{}, nil
		}
		return in.Question.Text, Usage{}, nil
	}
	lead := echo(in.Probe.Gap, in.Analysis)
	if lead == "" {
		return in.Probe.Text, Usage{}, nil
	}
	return lead + " " + in.Probe.Text, Usage{}, nil
}

// Grade implements Model with GradeRules.
func (Rules) Grade(_ context.Context, in GradeInput) (PrincipleGrade, Usage, error) {
	return GradeRules(in), Usage{}, nil
}

// echo points the probe at a phrase the candidate used, as a bar raiser
// would: "You said 'we made a few tweaks'."
func echo(g Gap, a Analysis) string {
	pick := func(ok func(Sentence) bool) string {
		for _, s := range a.Sentences {
			if ok(s) && utf8.RuneCountInString(s.Text) <= 110 {
				return s.Text
			}
		}
		return ""
	}
	var q string
	switch g {
	case GapRole:
		q = pick(func(s Sentence) bool { return s.We > 0 && len(s.Actions) == 0 })
	case GapMetrics:
		q = pick(func(s Sentence) bool { return s.Result && len(s.Metrics) == 0 })
	}
	if q == "" {
		return ""
	}
	return fmt.Sprintf("You said %q.", strings.TrimRight(q, "."))
}

// ChooseProbe returns the probe for gap g: the principle's own wording when it
// has one, else a variant from the generic bank picked by salt so that
// interviews do not all sound the same.
func ChooseProbe(p Principle, generic []Probe, g Gap, salt string) (Probe, bool) {
	var own, bank []Probe
	for _, pr := range p.Probes {
		if pr.Gap == g {
			own = append(own, pr)
		}
	}
	for _, pr := range generic {
		if pr.Gap == g {
			bank = append(bank, pr)
		}
	}
	pool := own
	if len(pool) == 0 {
		pool = bank
	}
	if len(pool) == 0 {
		return Probe{}, false
	}
	h := fnv.New32a()
	h.Write([]byte(salt))
	return pool[int(h.Sum32()%uint32(len(pool)))], true
}
