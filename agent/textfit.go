package agent

import (
	"maps"
	"math"
	"slices"
)

// A TextSpace holds documents in one tf-idf space: the vocabulary of the
// documents it was built from (terms in at least minDF of them), each
// document's unit-length row of term weights, and the inner products of
// the rows. Models fitted to any subset of its documents share it, so a
// cross-validated fit computes the products once.
type TextSpace struct {
	n     int
	idf   []float64     // by term index
	hash  []uint64      // by term index
	rows  [][]textEntry // by document, in term order
	inner []float64     // n×n inner products of the rows
}

type textEntry struct {
	term int
	v    float64
}

type posting struct {
	doc int
	v   float64
}

// NewTextSpace builds the space of docs.
func NewTextSpace(docs []string, minDF int) *TextSpace {
	n := len(docs)
	counts := make([]map[uint64]int, n)
	df := map[uint64]int{}
	for i, d := range docs {
		counts[i] = textTerms(d)
		for h := range counts[i] {
			df[h]++
		}
	}
	s := &TextSpace{n: n, rows: make([][]textEntry, n), inner: make([]float64, n*n)}
	index := map[uint64]int{}
	for _, h := range slices.Sorted(maps.Keys(df)) { // a fixed order, for a reproducible fit
		if df[h] >= minDF {
			index[h] = len(s.hash)
			s.hash = append(s.hash, h)
			s.idf = append(s.idf, math.Log(float64(1+n)/float64(1+df[h]))+1)
		}
	}
	postings := make([][]posting, len(s.hash)) // by term
	for i, c := range counts {
		var row []textEntry
		for h, tf := range c {
			if t, ok := index[h]; ok {
				row = append(row, textEntry{t, (1 + math.Log(float64(tf))) * s.idf[t]})
			}
		}
		slices.SortFunc(row, func(a, b textEntry) int { return a.term - b.term })
		var norm float64
		for _, e := range row {
			norm += e.v * e.v
		}
		for k := range row {
			row[k].v /= math.Sqrt(norm)
			postings[row[k].term] = append(postings[row[k].term], posting{i, row[k].v})
		}
		s.rows[i] = row
	}
	for _, ps := range postings {
		for a, pa := range ps {
			for _, pb := range ps[a:] {
				s.inner[pa.doc*n+pb.doc] += pa.v * pb.v
			}
		}
	}
	for i := range n {
		for j := range i {
			s.inner[i*n+j] = s.inner[j*n+i]
		}
	}
	return s
}

// Fit fits a TextModel to the documents docs of the space (indexes into
// the documents it was built from) with targets ys, one per step: for each
// step a ridge regression with an unpenalised intercept, solved in its dual
// form since there are far fewer documents than terms. The steps share the
// documents, so one factorisation serves them all.
func (s *TextSpace) Fit(docs []int, ys [][TextSteps]float64, ridge float64) TextModel {
	m := len(docs)
	// The products of the chosen rows, centred so that the intercept is
	// not penalised.
	k := make([]float64, m*m)
	rowMean := make([]float64, m)
	var all float64
	for a, i := range docs {
		for b, j := range docs {
			k[a*m+b] = s.inner[i*s.n+j]
			rowMean[a] += k[a*m+b]
		}
		all += rowMean[a]
		rowMean[a] /= float64(m)
	}
	all /= float64(m * m)
	for a := range m {
		for b := range m {
			k[a*m+b] += all - rowMean[a] - rowMean[b]
		}
		k[a*m+a] += ridge
	}
	cholesky(k, m)
	model := TextModel{Terms: map[uint64]TextTerm{}}
	w := make([][TextSteps]float64, len(s.hash))
	mu := make([]float64, len(s.hash))
	for _, i := range docs {
		for _, e := range s.rows[i] {
			mu[e.term] += e.v / float64(m)
		}
	}
	for step := range TextSteps {
		var yMean float64
		for a := range m {
			yMean += ys[a][step] / float64(m)
		}
		yc := make([]float64, m)
		for a := range m {
			yc[a] = ys[a][step] - yMean
		}
		alpha := choleskySolve(k, yc, m)
		// w = Xcᵀα = Xᵀα − μ·Σα, and the intercept puts the mean back.
		var sumAlpha float64
		for a, i := range docs {
			sumAlpha += alpha[a]
			for _, e := range s.rows[i] {
				w[e.term][step] += alpha[a] * e.v
			}
		}
		model.Intercept[step] = yMean
		for t := range w {
			if mu[t] == 0 {
				continue
			}
			w[t][step] -= mu[t] * sumAlpha
			model.Intercept[step] -= mu[t] * w[t][step]
		}
	}
	for t := range w {
		if mu[t] != 0 { // in at least one of the chosen documents
			model.Terms[s.hash[t]] = TextTerm{IDF: s.idf[t], W: w[t]}
		}
	}
	return model
}

// StepTargets are a label's targets for a TextModel: 1 for each step of the
// scale the label is above, 0 for the others.
func StepTargets(label int) [TextSteps]float64 {
	var y [TextSteps]float64
	for k := range y {
		if label > k+1 {
			y[k] = 1
		}
	}
	return y
}

// FitTextModel fits a TextModel to all of docs and their 1–4 labels.
func FitTextModel(docs []string, labels []int, minDF int, ridge float64) TextModel {
	all := make([]int, len(docs))
	ys := make([][TextSteps]float64, len(docs))
	for i := range all {
		all[i] = i
		ys[i] = StepTargets(labels[i])
	}
	return NewTextSpace(docs, minDF).Fit(all, ys, ridge)
}

// cholesky factors a symmetric positive definite n×n matrix A, stored by
// rows, in place: its lower triangle becomes L with A = LLᵀ.
func cholesky(a []float64, n int) {
	for j := range n {
		d := a[j*n+j]
		for k := range j {
			d -= a[j*n+k] * a[j*n+k]
		}
		d = math.Sqrt(d)
		a[j*n+j] = d
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			for k := range j {
				s -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = s / d
		}
	}
}

// choleskySolve solves LLᵀx = b given the factor cholesky left in l.
func choleskySolve(l, b []float64, n int) []float64 {
	x := slices.Clone(b)
	for i := range n {
		for k := range i {
			x[i] -= l[i*n+k] * x[k]
		}
		x[i] /= l[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		for k := i + 1; k < n; k++ {
			x[i] -= l[k*n+i] * x[k]
		}
		x[i] /= l[i*n+i]
	}
	return x
}

// The text model's settings: terms in at least textMinDF stories, the
// ridge penalty, and the folds of principles that give each training
// story an out-of-fold text score. Fixed, not tuned on the measuring sets.
const (
	textMinDF = 8
	textRidge = 1.0
	textFolds = 4
)

// A GradeExample is one labelled story for fitting the grader.
type GradeExample struct {
	Reading   Reading
	Principle string
	Label     int
}

// FitGrader fits the text model to every example and the weights (with
// ridge penalty ridge) to the examples whose ceiling leaves the score to
// them. Each example's text feature is scored, for the weights' fit, by a
// text model fitted without its principle's fold, so that the weights
// learn how far to trust the text model on principles it has not seen.
func FitGrader(ex []GradeExample, ridge float64) (Weights, TextModel) {
	docs := make([]string, len(ex))
	ys := make([][TextSteps]float64, len(ex))
	for i, e := range ex {
		docs[i], ys[i] = e.Reading.Text, StepTargets(e.Label)
	}
	space := NewTextSpace(docs, textMinDF)
	all := make([]int, len(ex))
	for i := range all {
		all[i] = i
	}
	text := space.Fit(all, ys, textRidge)
	principles := []string{}
	for _, e := range ex {
		if !slices.Contains(principles, e.Principle) {
			principles = append(principles, e.Principle)
		}
	}
	slices.Sort(principles)
	fold := func(e GradeExample) int { return slices.Index(principles, e.Principle) % textFolds }
	outOfFold := make([][TextSteps]float64, len(ex))
	for f := range textFolds {
		var in []int
		var inY [][TextSteps]float64
		for i, e := range ex {
			if fold(e) != f {
				in = append(in, i)
				inY = append(inY, ys[i])
			}
		}
		if len(in) == len(ex) || len(in) == 0 {
			continue
		}
		m := space.Fit(in, inY, textRidge)
		for i, e := range ex {
			if fold(e) == f {
				outOfFold[i] = m.Predict(docs[i])
			}
		}
	}
	var xs [][]float64
	var targets []float64
	for i, e := range ex {
		if e.Reading.Ceiling < 4 {
			continue
		}
		x := slices.Clone(e.Reading.Features)
		setTextFeatures(x, outOfFold[i])
		xs = append(xs, x)
		targets = append(targets, float64(e.Label))
	}
	return FitWeights(xs, targets, ridge), text
}
