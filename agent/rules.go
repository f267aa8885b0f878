package agent

import (
	"context"
	"hash/fnv"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/barraiser/barraiser/prompts"
)

// Rules is the built-in interviewer: it needs no network, reads each answer
// with Analyze, probes the most important gap still missing and grades with
// GradeRules. It is the default Model and the fallback for any other.
type Rules struct{}

// Name implements Model.
func (Rules) Name() string { return "rules" }

// Decide probes the first missing gap, or moves on when nothing important is
// missing.
func (Rules) Decide(_ context.Context, in DecideInput) (Decision, Usage, error) {
	if len(in.Missing) == 0 {
		return Decision{Reason: "the story covers role, outcome, metrics, reflection and impact"}, Usage{}, nil
	}
	return Decision{Gap: in.Missing[0], Reason: "missing from the story so far"}, Usage{}, nil
}

// Ask returns the retrieved opening question, or the probe's wording with a
// pointer back to the candidate's own words where that sharpens it.
func (r Rules) Ask(_ context.Context, in AskInput, _ func(string)) (string, Usage, error) {
	if in.Probe == nil {
		return prompts.Render("rules_opening_v1.tmpl", map[string]any{"Transition": in.Transition, "Question": in.Question.Text}), Usage{}, nil
	}
	return prompts.Render("rules_follow_up_v1.tmpl", map[string]any{"Quote": echo(in.Probe.Gap, in.Analysis), "Probe": in.Probe.Text}), Usage{}, nil
}

// Grade implements Model with GradeRules.
func (Rules) Grade(_ context.Context, in GradeInput) (PrincipleGrade, Usage, error) {
	return GradeRules(in), Usage{}, nil
}

// echo picks a phrase of the candidate's to point a probe at, as a bar
// raiser would: "You said 'we made a few tweaks'". It returns "" when no
// short sentence fits.
func echo(g Gap, a Analysis) string {
	ok := func(Sentence) bool { return false }
	last := false // the latest fitting sentence, where the story stopped
	switch g {
	case GapRole:
		ok = func(s Sentence) bool { return s.We > 0 && s.Strong == 0 }
	case GapMetrics:
		ok = func(s Sentence) bool { return s.Result && s.Compared == 0 }
	case GapOutcome:
		ok, last = func(s Sentence) bool { return len(s.Actions) > 0 || s.WeDeeds > 0 }, true
	case GapImpact:
		ok = func(s Sentence) bool { return s.Result }
	case GapDifferently:
		ok = func(s Sentence) bool { return s.Strong > 0 }
	case GapRealExample:
		ok = func(s Sentence) bool { return s.Hypothetical > 0 }
	}
	quote := ""
	if g == GapMetrics || g == GapImpact {
		// With no stated result, point at where the story stopped.
		if !slices.ContainsFunc(a.Sentences, ok) {
			ok, last = func(s Sentence) bool { return len(s.Actions) > 0 || s.WeDeeds > 0 }, true
		}
	}
	for _, s := range a.Sentences {
		if ok(s) && utf8.RuneCountInString(s.Text) <= 110 {
			quote = strings.TrimRight(s.Text, ".!?")
			if !last {
				break
			}
		}
	}
	return quote
}

// probesFor returns the probes among ps that dig into gap g.
func probesFor(ps []Probe, g Gap) []Probe {
	var out []Probe
	for _, pr := range ps {
		if pr.Gap == g {
			out = append(out, pr)
		}
	}
	return out
}

// ChooseProbe returns the probe for gap g: the principle's own wording when it
// has one, else a variant from the generic bank picked by salt so that
// interviews do not all sound the same.
func ChooseProbe(p Principle, generic []Probe, g Gap, salt string) (Probe, bool) {
	pool := probesFor(p.Probes, g)
	if len(pool) == 0 {
		pool = probesFor(generic, g)
	}
	if len(pool) == 0 {
		return Probe{}, false
	}
	h := fnv.New32a()
	h.Write([]byte(salt))
	return pool[int(h.Sum32()%uint32(len(pool)))], true
}
