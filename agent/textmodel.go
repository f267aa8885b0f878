package agent

import (
	"maps"
	"math"
	"strings"
)

// A TextModel scores a story from the words it is told in: for each step
// of the 1–4 scale, a ridge regression over the single words and word
// pairs of the candidate's answers, weighted tf-idf style, of whether the
// story is above that step, fitted on the labelled development set
// (FitTextModel). It reads what the clause rules cannot list by hand: a
// story that defends a view against the principle, hedges around a
// missing part, or tells a plain but complete account. The rules' reading
// takes its scores as features among the others, so it never grades on its
// own, and the red-flag ceilings still apply.
//
// Terms are kept as 64-bit FNV-1a hashes of the lowercased words; the
// model holds no text.
type TextModel struct {
	Intercept [TextSteps]float64
	Terms     map[uint64]TextTerm
}

// TextSteps is how many scores a TextModel gives: one for each step of the
// scale, above 1, above 2 and above 3.
const TextSteps = 3

// A TextTerm is one word or word pair of a TextModel: its inverse document
// frequency in the fitting set and its weight for each step.
type TextTerm struct {
	IDF float64
	W   [TextSteps]float64
}

// Predict is the model's score for a story at each step, near 1 when the
// story is above the step and near 0 when not. A model with no terms
// predicts 0.5, and a text with no known term the intercepts.
func (m *TextModel) Predict(text string) [TextSteps]float64 {
	if m == nil || len(m.Terms) == 0 {
		return [TextSteps]float64{0.5, 0.5, 0.5}
	}
	var dot [TextSteps]float64
	var norm float64
	for h, n := range textTerms(text) {
		t, ok := m.Terms[h]
		if !ok {
			continue
		}
		v := (1 + math.Log(float64(n))) * t.IDF
		for k := range dot {
			dot[k] += v * t.W[k]
		}
		norm += v * v
	}
	out := m.Intercept
	if norm > 0 {
		for k := range out {
			out[k] += dot[k] / math.Sqrt(norm)
		}
	}
	return out
}

// textTerms counts the words and word pairs of text by their hashes. Words
// are runs of ASCII letters, digits and apostrophes in the lowercased text.
func textTerms(text string) map[uint64]int {
	lower := strings.ToLower(strings.ReplaceAll(text, "’", "'"))
	out := make(map[uint64]int, len(lower)/3)
	prev := ""
	for i := 0; i < len(lower); {
		j := i
		for j < len(lower) && isTextByte(lower[j]) {
			j++
		}
		if j == i {
			i++
			continue
		}
		w := lower[i:j]
		hw := fnvAdd(fnvOffset, w)
		out[hw]++
		if prev != "" {
			out[fnvAdd(fnvAdd(fnvAdd(fnvOffset, prev), " "), w)]++
		}
		prev = w
		i = j
	}
	return out
}

func isTextByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '\''
}

// FNV-1a, 64 bits: a term's hash is fnvAdd(fnvOffset, term), and a word
// pair's is the hash of "first second".
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// A textTermRow is one term of a generated TextModel.
type textTermRow struct {
	hash uint64
	idf  float64
	w    [TextSteps]float64
}

// newTextModel builds a TextModel from generated rows.
func newTextModel(intercept [TextSteps]float64, rows []textTermRow) *TextModel {
	m := &TextModel{Intercept: intercept, Terms: make(map[uint64]TextTerm, len(rows))}
	for _, r := range rows {
		m.Terms[r.hash] = TextTerm{IDF: r.idf, W: r.w}
	}
	return m
}

// GradeTextModel returns a copy of the fitted text model.
func GradeTextModel() TextModel {
	return TextModel{Intercept: gradeText.Intercept, Terms: maps.Clone(gradeText.Terms)}
}
