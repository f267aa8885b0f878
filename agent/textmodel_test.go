package agent

import (
	"math"
	"slices"
	"testing"
)

func TestSolveSPD(t *testing.T) {
	tests := []struct {
		name string
		a    []float64
		b    []float64
		want []float64
	}{
		{"identity", []float64{1, 0, 0, 1}, []float64{3, -2}, []float64{3, -2}},
		{"2x2", []float64{4, 2, 2, 3}, []float64{2, 1}, []float64{0.5, 0}},
		{"3x3", []float64{25, 15, -5, 15, 18, 0, -5, 0, 11}, []float64{35, 33, 6}, []float64{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.b)
			got := solveSPD(slices.Clone(tt.a), tt.b, n)
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-9 {
					t.Fatalf("solveSPD = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestTextTermsCountsWordsAndPairs(t *testing.T) {
	got := textTerms("I fixed it. I’FIXED it")
	h := func(s string) uint64 { return fnvAdd(fnvOffset, s) }
	want := map[uint64]int{
		h("i"): 1, h("fixed"): 1, h("it"): 2, h("i'fixed"): 1,
		h("i fixed"): 1, h("fixed it"): 1, h("it i'fixed"): 1, h("i'fixed it"): 1,
	}
	if len(got) != len(want) {
		t.Fatalf("%d terms, want %d", len(got), len(want))
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("term %#x counted %d, want %d", k, got[k], n)
		}
	}
}

// TestFitTextModelMatchesPrimalRidge checks the dual solution against the
// primal one, (XcᵀXc + λI)w = Xcᵀyc with centred rows, for each step on a
// small corpus.
func TestFitTextModelMatchesPrimalRidge(t *testing.T) {
	docs := []string{"red red blue", "blue green", "green red", "red", "blue blue green", "green"}
	labels := []int{4, 2, 3, 4, 1, 2}
	const ridge = 0.5
	s := NewTextSpace(docs, 1)
	all := []int{0, 1, 2, 3, 4, 5}
	ys := make([][TextSteps]float64, len(docs))
	for i, l := range labels {
		ys[i] = StepTargets(l)
	}
	m := s.Fit(all, ys, ridge)

	v := len(s.hash)
	x := make([][]float64, len(docs))
	mu := make([]float64, v)
	for i, row := range s.rows {
		x[i] = make([]float64, v)
		for _, e := range row {
			x[i][e.term] = e.v
			mu[e.term] += e.v / float64(len(docs))
		}
	}
	for step := range TextSteps {
		var yMean float64
		for i := range docs {
			yMean += ys[i][step] / float64(len(docs))
		}
		a := make([]float64, v*v)
		b := make([]float64, v)
		for i := range docs {
			for p := range v {
				b[p] += (x[i][p] - mu[p]) * (ys[i][step] - yMean)
				for q := range v {
					a[p*v+q] += (x[i][p] - mu[p]) * (x[i][q] - mu[q])
				}
			}
		}
		for p := range v {
			a[p*v+p] += ridge
		}
		w := solveSPD(a, b, v)
		for p, hash := range s.hash {
			if got := m.Terms[hash].W[step]; math.Abs(got-w[p]) > 1e-9 {
				t.Errorf("step %d, term %d: dual weight %g, primal %g", step, p, got, w[p])
			}
		}
		for i, d := range docs {
			want := yMean
			for p := range v {
				want += (x[i][p] - mu[p]) * w[p]
			}
			if got := m.Predict(d)[step]; math.Abs(got-want) > 1e-9 {
				t.Errorf("step %d: Predict(%q) = %g, primal %g", step, d, got, want)
			}
		}
	}
}

func TestTextModelPredict(t *testing.T) {
	docs := []string{
		"i rebuilt the queue and cut the backlog", "i rebuilt the alerts and cut the pages",
		"someone else handled it i think", "the team handled it i think",
	}
	m := FitTextModel(docs, []int{4, 4, 1, 1}, 1, 0.1)
	hi, lo := m.Predict("i rebuilt the report and cut the time"), m.Predict("the vendor handled it i think")
	for k := range TextSteps {
		if hi[k] <= lo[k]+0.3 {
			t.Errorf("step %d: %g for a story like the 4s, %g for one like the 1s", k, hi[k], lo[k])
		}
	}
	if got := m.Predict("zebra quokka"); got != m.Intercept {
		t.Errorf("Predict with no known term = %v, want the intercepts %v", got, m.Intercept)
	}
	var empty *TextModel
	if got := empty.Predict("anything"); got != [TextSteps]float64{0.5, 0.5, 0.5} {
		t.Errorf("a nil model predicts %v, want 0.5 at each step", got)
	}
}

func TestStepTargets(t *testing.T) {
	tests := []struct {
		label int
		want  [TextSteps]float64
	}{{1, [3]float64{0, 0, 0}}, {2, [3]float64{1, 0, 0}}, {3, [3]float64{1, 1, 0}}, {4, [3]float64{1, 1, 1}}}
	for _, tt := range tests {
		if got := StepTargets(tt.label); got != tt.want {
			t.Errorf("StepTargets(%d) = %v, want %v", tt.label, got, tt.want)
		}
	}
}

// solveSPD solves A x = b for a symmetric positive definite n×n matrix A,
// stored by rows, with cholesky and choleskySolve; A is overwritten by its
// factor.
func solveSPD(a, b []float64, n int) []float64 {
	cholesky(a, n)
	return choleskySolve(a, b, n)
}
