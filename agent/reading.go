package agent

import (
	"math"
	"slices"
	"strings"
)

// Reading is the rules' reading of one principle's story, before weights:
// the features a linear model scores, the hard limits that no weighting may
// lift (red flags, impossible numbers, no real event), and the point a story
// below its level's scope loses.
type Reading struct {
	Features []float64
	Ceiling  int
	Flag     string
	// BelowLevel is true when the story's scope sits two tiers or more
	// below what the level expects; it is a feature, and the debrief says
	// so.
	BelowLevel bool
	// Text is the candidate's words, which the text model reads.
	Text string
}

// FeatureNames names the features of a Reading, in order. The weights in
// weights.go are fitted to them by FitWeights on the development set.
var FeatureNames = []string{
	"bias",
	"strong_deeds",  // clauses: "I" + past verb of doing + object, capped at 8, divided by 4
	"weak_deeds",    // "I helped", "I suggested", capped at 4, divided by 4
	"we_share",      // share of deeds told as "we"
	"outcome",       // a completed change
	"comparisons",   // believable comparisons with numbers, capped at 4, divided by 2
	"implausible",   // impossible or hollow numbers, up to 2
	"reflections",   // clauses of learning or changed practice, capped at 3, divided by 2
	"no_reflection", // says nothing was learned and nothing would change
	"lasting",       // something outlived the story
	"specific",      // a time frame, and names of places, products, people
	"hedges",        // "I think", "probably", "stuff", capped at 6, divided by 3
	"forgotten",     // parts the candidate cannot recall
	"hypothetical",  // share of clauses about what would or usually happens
	"names",         // principle names recited, capped at 4, divided by 2
	"recital",       // outline headings and buzzwords, capped at 4, divided by 2
	"length",        // log of the words said, scaled so 400 words is 1
	"no_measure",    // says nothing was measured
	"follow_ups",    // follow-ups the story needed, /4
	"lesson_detail", // words in sentences of reflection, divided by 30, capped at 1
	"impact_detail", // lasting changes stated with a number or a name, capped at 2, divided by 2
	"approximate",   // "about", "roughly", "a few" beside numbers, capped at 3, divided by 3
	"scope_margin",  // story scope tiers above (or below) the level's, /2, within ±1
	"hype",          // "huge", "massive", "dramatically", capped at 3, divided by 3
	"numbers",       // distinct quantities stated, capped at 6, divided by 3
	"others_failed", // clauses where someone else failed or did not act, capped at 4, divided by 2
	"inaction",      // clauses where the candidate did not act, capped at 4, divided by 2
	"general",       // claims about people in general, capped at 4, divided by 2
	"deflections",   // share of follow-up answers that add nothing
	"text_above_1",  // the text model's score for "above 1", minus 0.5
	"text_above_2",  // the same for "above 2"
	"text_above_3",  // the same for "above 3"
	"below_level",   // the story's scope sits two tiers or more below the level's
}

// TextFeature is the index of the first of the text model's scores among
// the features; the others follow it.
const TextFeature = 29

// setTextFeatures puts a text model's scores into features.
func setTextFeatures(f []float64, scores [TextSteps]float64) {
	for k, v := range scores {
		f[TextFeature+k] = v - 0.5
	}
}

// read turns an analysis into a Reading at a level. stance is true when
// the candidate holds a view against the principle.
func read(level Level, a Analysis, stance bool) Reading {
	deeds := a.StrongDeeds + a.WeakDeeds
	f := []float64{
		1,
		float64(min(a.StrongDeeds, 8)) / 4,
		float64(min(a.WeakDeeds, 4)) / 4,
		float64(a.WeDeeds) / float64(a.WeDeeds+deeds+1),
		b2f(a.Result),
		float64(min(a.Comparisons, 4)) / 2,
		float64(min(len(a.Implausible), 2)),
		float64(min(a.Reflections, 3)) / 2,
		b2f(a.NoReflection),
		b2f(a.Impact),
		b2f(a.TimeFrame) + float64(min(a.ProperNouns, 6))/3,
		float64(min(a.Hedges, 6)) / 3,
		float64(len(a.Forgotten)),
		float64(a.Hypothetical) / float64(a.Hypothetical+a.PastClauses+1),
		float64(min(a.PrincipleNames, 4)) / 2,
		float64(min(a.Headings+a.Buzzwords, 4)) / 2,
		math.Log(float64(a.Words)+1) / math.Log(401),
		b2f(a.NoMeasure),
		float64(a.FollowUps) / MaxFollowUps,
		min(float64(a.LessonWords)/30, 1),
		float64(min(a.ImpactDetail, 2)) / 2,
		float64(min(a.Approximate, 3)) / 3,
		max(-1, min(1, float64(a.Scope-LevelScope(level))/2)),
		float64(min(a.Hype, 3)) / 3,
		float64(min(len(a.Metrics), 6)) / 3,
		float64(min(a.OthersFailed, 4)) / 2,
		float64(min(a.Inaction, 4)) / 2,
		float64(min(a.General, 4)) / 2,
		float64(a.Deflections) / float64(max(a.FollowUps, 1)),
		0, 0, 0, // the text model's scores, below
		0, // below the level, below
	}
	r := Reading{Features: f, Ceiling: 4, Text: storyText(a)}
	setTextFeatures(r.Features, gradeText.Predict(r.Text))
	limit := func(c int, flag string) {
		if c < r.Ceiling {
			r.Ceiling = c
		}
		if flag != "" && r.Flag == "" {
			r.Flag = flag
		}
	}
	switch {
	case a.Injection:
		limit(1, FlagInjection)
	case a.Recites():
		limit(1, FlagStuffing)
	case NotAPastEvent(a):
		limit(1, FlagNotAnEvent)
	case stance:
		limit(1, FlagAntiStance)
	case deeds == 0 && a.WeDeeds == 0:
		limit(1, FlagNoOwnership)
	case deeds == 0:
		limit(2, FlagNoOwnership)
	}
	if a.Blame {
		limit(1, FlagBlame)
	}
	switch {
	case len(a.Implausible) > 0 && a.Headings+a.Buzzwords+a.PrincipleNames >= 2:
		limit(1, FlagImplausible) // impossible numbers in a recited template: hollow
	case len(a.Implausible) > 0:
		limit(2, FlagImplausible)
	}
	if a.Words < 40 {
		limit(2, "")
	}
	r.BelowLevel = a.Scope <= LevelScope(level)-2
	r.Features[TextFeature+TextSteps] = b2f(r.BelowLevel)
	return r
}

// storyText is the candidate's words in a story, sentence after sentence.
func storyText(a Analysis) string {
	var b strings.Builder
	for i, s := range a.Sentences {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.Text)
	}
	return b.String()
}

// WithText is the reading with its text feature scored by m instead of the
// fitted text model, as a fit that held some stories out needs.
func (r Reading) WithText(m *TextModel) Reading {
	r.Features = slices.Clone(r.Features)
	setTextFeatures(r.Features, m.Predict(r.Text))
	return r
}

// Weights score a Reading. The 1–4 scale has three steps, each with a row
// of feature weights, in the order of FeatureNames, and a cut point: row k
// says whether a story is above k. What separates a 1
// from a 2 (a real event, no red flag) is not what separates a 3 from a 4
// (numbers against a baseline, a specific lesson), so one line through all
// four would blur both.
type Weights struct {
	W    [3][]float64
	Cuts [3]float64
}

// Values are the weighted sums of the features for each step.
func (r Reading) Values(w *Weights) [3]float64 {
	if w == nil {
		w = &gradeWeights
	}
	var out [3]float64
	for k := range out {
		for i, x := range r.Features[:min(len(r.Features), len(w.W[k]))] {
			out[k] += w.W[k][i] * x
		}
	}
	return out
}

// Score is the 1–4 grade the reading gives with weights w (nil for the
// fitted defaults): one point for each step whose weighted sum reaches its
// cut, and no more than the ceiling.
func (r Reading) Score(w *Weights) int {
	if w == nil {
		w = &gradeWeights
	}
	sc := 1
	for k, v := range r.Values(w) {
		if v >= w.Cuts[k] {
			sc++
		}
	}
	return r.limit(sc)
}

func (r Reading) limit(sc int) int {
	return max(1, min(sc, 4, r.Ceiling))
}

// FeatureSigns says which way each feature may push a score, in the order
// of FeatureNames: +1 only up, -1 only down, 0 either way. The rubric, not
// the data, decides them, so that a fit cannot learn, say, that forgetting
// the outcome helps because strong stories in the sample happened to.
var FeatureSigns = []float64{
	0,  // bias
	1,  // strong_deeds
	0,  // weak_deeds
	-1, // we_share
	1,  // outcome
	1,  // comparisons
	-1, // implausible
	1,  // reflections
	-1, // no_reflection
	1,  // lasting
	1,  // specific
	-1, // hedges
	-1, // forgotten
	-1, // hypothetical
	-1, // names
	-1, // recital
	0,  // length
	-1, // no_measure
	0,  // follow_ups
	1,  // lesson_detail
	1,  // impact_detail
	0,  // approximate
	1,  // scope_margin
	-1, // hype
	1,  // numbers
	-1, // others_failed
	-1, // inaction
	-1, // general
	-1, // deflections
	1,  // text_above_1
	1,  // text_above_2
	1,  // text_above_3
	-1, // below_level
}

// FitWeights fits weights to labelled readings: for each step k of the
// scale, a row of weights that minimises the squared distance between each
// reading's weighted sum and 1 when its target is above k (0 when not),
// plus ridge times the squared weights (the bias is not shrunk), each weight
// held to the sign FeatureSigns allows; coordinate descent solves it. The
// step's cut point is then set where it misclassifies the fewest readings.
// Readings whose score their ceiling decides are best left out.
func FitWeights(xs [][]float64, ys []float64, ridge float64) Weights {
	n := len(FeatureNames)
	g := make([][]float64, n) // XᵀX, shared by the three steps
	for i := range g {
		g[i] = make([]float64, n)
	}
	for _, x := range xs {
		for i := range n {
			for j := range n {
				g[i][j] += x[i] * x[j]
			}
		}
	}
	var fit Weights
	for k := range fit.W {
		above := make([]float64, len(ys))
		b := make([]float64, n)
		for m, x := range xs {
			if ys[m] > float64(k+1) {
				above[m] = 1
			}
			for i := range n {
				b[i] += x[i] * above[m]
			}
		}
		fit.W[k] = ridgeWithSigns(g, b, ridge)
		vs := make([]float64, len(xs))
		for m, x := range xs {
			for i := range n {
				vs[m] += fit.W[k][i] * x[i]
			}
		}
		fit.Cuts[k] = bestCut(vs, above)
	}
	return fit
}

// ridgeWithSigns minimises wᵀGw − 2wᵀb + ridge·|w|² (the bias, w[0], is not
// shrunk) with each weight held to the sign FeatureSigns allows, by
// coordinate descent.
func ridgeWithSigns(g [][]float64, b []float64, ridge float64) []float64 {
	n := len(b)
	w := make([]float64, n)
	for range 20000 {
		change := 0.0
		for i := range n {
			lambda := ridge
			if i == 0 {
				lambda = 0
			}
			if g[i][i]+lambda == 0 {
				continue
			}
			r := b[i]
			for j := range n {
				if j != i {
					r -= g[i][j] * w[j]
				}
			}
			v := r / (g[i][i] + lambda)
			if FeatureSigns[i]*v < 0 {
				v = 0
			}
			change = max(change, math.Abs(v-w[i]))
			w[i] = v
		}
		if change < 1e-13 {
			break
		}
	}
	return w
}

// bestCut returns the midpoint between two weighted sums that misclassifies
// the fewest readings (above is 1 for a reading above the step), preferring
// the one nearest 0.5 among equals.
func bestCut(vs, above []float64) float64 {
	sorted := slices.Clone(vs)
	slices.Sort(sorted)
	best, bestErr := 0.5, math.MaxInt
	try := func(c float64) {
		e := 0
		for m, v := range vs {
			if (v >= c) != (above[m] == 1) {
				e++
			}
		}
		if e < bestErr || e == bestErr && math.Abs(c-0.5) < math.Abs(best-0.5) {
			best, bestErr = c, e
		}
	}
	try(0.5)
	for i := 1; i < len(sorted); i++ {
		if sorted[i] > sorted[i-1] {
			try((sorted[i] + sorted[i-1]) / 2)
		}
	}
	return best
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
