package agent

import (
	"math"
	"slices"
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
	// below what the level expects; the score then loses a point.
	BelowLevel bool
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
	"no_reflection", // says there is nothing to learn or change
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
	}
	r := Reading{Features: f, Ceiling: 4}
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
	case a.PrincipleNames >= 4 && !(a.Action && a.Result):
		limit(1, FlagStuffing)
	case a.Hypothetical >= 2 && a.Hypothetical > a.PastClauses && a.StrongDeeds < 2:
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
	return r
}

// Weights score a Reading: one weight per feature, in the order of
// FeatureNames, and the three cut points on the weighted sum between
// scores 1|2, 2|3 and 3|4.
type Weights struct {
	W    []float64
	Cuts [3]float64
}

// Value is the weighted sum of the features before the cut points, the
// level's point and the ceiling.
func (r Reading) Value(w *Weights) float64 {
	if w == nil {
		w = &gradeWeights
	}
	v := 0.0
	for i, x := range r.Features[:min(len(r.Features), len(w.W))] {
		v += w.W[i] * x
	}
	return v
}

// Score is the 1–4 grade the reading gives with weights w (nil for the
// fitted defaults): the weighted sum placed between the cut points, a point
// off below the level's scope, and no more than the ceiling.
func (r Reading) Score(w *Weights) int {
	if w == nil {
		w = &gradeWeights
	}
	return r.limit(w.band(r.Value(w)))
}

func (r Reading) limit(sc int) int {
	if r.BelowLevel {
		sc--
	}
	return max(1, min(sc, 4, r.Ceiling))
}

// band places a weighted sum on the 1–4 scale.
func (w *Weights) band(v float64) int {
	sc := 1
	for _, c := range w.Cuts {
		if v >= c {
			sc++
		}
	}
	return sc
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
}

// FitWeights fits weights to labelled readings. The feature weights
// minimise the squared distance between each reading's weighted sum and its
// target plus ridge times the squared weights (the bias is not shrunk),
// each weight held to the sign FeatureSigns allows; coordinate descent
// solves it. The cut points are then moved, one at a time, to where they
// minimise the mean absolute error on the same readings, since regression
// pulls the extremes toward the middle. Readings whose score their ceiling
// decides are best left out, and targets of readings below their level
// raised by the point they lose.
func FitWeights(xs [][]float64, ys []float64, ridge float64) Weights {
	n := len(FeatureNames)
	// Gram matrix and moments: the objective is wᵀ(XᵀX)w − 2wᵀXᵀy + λ|w|².
	g := make([][]float64, n)
	for i := range g {
		g[i] = make([]float64, n)
	}
	b := make([]float64, n)
	for k, x := range xs {
		for i := range n {
			for j := range n {
				g[i][j] += x[i] * x[j]
			}
			b[i] += x[i] * ys[k]
		}
	}
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
	fit := Weights{W: w, Cuts: [3]float64{1.5, 2.5, 3.5}}
	vs := make([]float64, len(xs))
	for k, x := range xs {
		vs[k] = Reading{Features: x}.Value(&fit)
	}
	fit.Cuts = fitCuts(vs, ys, fit.Cuts)
	return fit
}

// fitCuts moves each cut point in turn to the midpoint between two values
// that most lowers the absolute error, until none moves.
func fitCuts(vs, ys []float64, cuts [3]float64) [3]float64 {
	sorted := slices.Clone(vs)
	slices.Sort(sorted)
	var cands []float64
	for i := 1; i < len(sorted); i++ {
		if sorted[i] > sorted[i-1] {
			cands = append(cands, (sorted[i]+sorted[i-1])/2)
		}
	}
	loss := func(c [3]float64) float64 {
		w := Weights{Cuts: c}
		l := 0.0
		for k, v := range vs {
			l += math.Abs(float64(w.band(v)) - min(ys[k], 4))
		}
		return l
	}
	best := loss(cuts)
	for range 10 {
		moved := false
		for i := range cuts {
			for _, c := range cands {
				if i > 0 && c <= cuts[i-1] || i < 2 && c >= cuts[i+1] {
					continue
				}
				try := cuts
				try[i] = c
				if l := loss(try); l < best-1e-9 {
					best, cuts, moved = l, try, true
				}
			}
		}
		if !moved {
			break
		}
	}
	return cuts
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
