package agent

// Principle is one Leadership Principle with the guidance used to probe and
// grade it.
type Principle struct {
	ID            string                `json:"id"`
	Name          string                `json:"name"`
	Description   string                `json:"description"`
	StrongSignals []string              `json:"strong_signals"`
	RedFlags      []string              `json:"red_flags"`
	Levels        map[string]LevelGuide `json:"levels"` // keys "ic" and "manager"
	Probes        []Probe               `json:"probes"`
	Keywords      []string              `json:"keywords"`
	StanceCues    []string              `json:"stance_cues"`
}

// LevelGuide holds what is expected at each level, keyed L4 to L8.
type LevelGuide map[Level]LevelExpectation

// LevelExpectation describes the bar at one level.
type LevelExpectation struct {
	Scope  string `json:"scope"`
	Team   string `json:"team"`
	Impact string `json:"impact"`
}

// Expectation returns what is expected of role at level for p.
func (p Principle) Expectation(role Role, level Level) LevelExpectation {
	track := "ic"
	if role.Manager() {
		track = "manager"
	}
	return p.Levels[track][level]
}

// Question is a behavioral question from the bank.
type Question struct {
	ID         string   `json:"id"`
	Principles []string `json:"principles"`
	Text       string   `json:"text"`
	Roles      []Role   `json:"roles"`
	MinLevel   Level    `json:"min_level"`
	MaxLevel   Level    `json:"max_level"`
	Audience   string   `json:"audience"` // "ic", "manager" or "both"
}

// Fits reports whether q may be asked of role at level.
func (q Question) Fits(role Role, level Level) bool {
	if role != "" {
		ok := false
		for _, r := range q.Roles {
			if r == role {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if level != "" && (level.Rank() < q.MinLevel.Rank() || level.Rank() > q.MaxLevel.Rank()) {
		return false
	}
	return true
}

// Gap is a kind of missing detail a follow-up probe digs into.
type Gap string

// The gaps the follow-up policy knows, in no particular order.
const (
	GapRole         Gap = "role"
	GapMetrics      Gap = "metrics"
	GapOutcome      Gap = "outcome"
	GapDifferently  Gap = "differently"
	GapImpact       Gap = "impact"
	GapAlternatives Gap = "alternatives"
	GapData         Gap = "data"
	GapDisagreement Gap = "disagreement"
	GapSituation    Gap = "situation"
	// GapRealExample asks once for a real past example when the opening
	// answer is hypothetical or advice. The code decides it, not a model,
	// and it does not count toward the follow-up cap.
	GapRealExample Gap = "real_example"
)

// Probe is a follow-up question aimed at one gap. Principle-specific probes
// live on the Principle; generic ones come from the probe bank.
type Probe struct {
	ID   string `json:"id"`
	Gap  Gap    `json:"gap"`
	Text string `json:"text"`
}
