package agent

import (
	"iter"
	"strconv"
	"strings"
	"unicode/utf8"
)

// quantity is a number as a candidate says it: "41%", "$2.9M", "3,100",
// "0.8x", "twice".
type quantity struct {
	value   float64
	percent bool
	money   bool
	times   bool // "3x", "twice", "doubled"
	at      int  // index of the word it was read from
}

// numberWords are numbers candidates spell out.
var numberWords = map[string]float64{
	"zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
	"forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "half": 0.5,
}

// scales follow a number: "$4 million", "12k".
var scales = map[string]float64{"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mm": 1e6, "billion": 1e9, "b": 1e9, "bn": 1e9, "trillion": 1e12}

// scaleSuffixes are the scales as a list, for reading ones glued to a
// number ("12k", "$3.5m"). A digit must precede the suffix, so at most one
// can match a word.
var scaleSuffixes = func() []struct {
	suffix string
	scale  float64
} {
	var out []struct {
		suffix string
		scale  float64
	}
	for suffix, scale := range scales {
		out = append(out, struct {
			suffix string
			scale  float64
		}{suffix, scale})
	}
	return out
}()

// numberFields splits a sentence into lowercased words with surrounding
// punctuation trimmed, keeping $, %, decimals and thousands separators.
func numberFields(sentence string) []string {
	return appendNumberFields(make([]string, 0, len(sentence)/5+1), strings.ToLower(sentence))
}

// appendNumberFields appends the numberFields of lower, a sentence
// already lowercased, to out.
func appendNumberFields(out []string, lower string) []string {
	for f := range strings.FieldsSeq(lower) {
		f = trimWrapping(f)
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// trimWrapping is strings.TrimFunc(f, isWrapping), quick for the usual
// word that has nothing to trim.
func trimWrapping(f string) string {
	if f == "" {
		return f
	}
	if first, last := f[0], f[len(f)-1]; first < utf8.RuneSelf && last < utf8.RuneSelf && !isWrapping(rune(first)) && !isWrapping(rune(last)) {
		return f
	}
	return strings.TrimFunc(f, isWrapping)
}

// maybeNumberWord is a quick test that rules out most words as spelled-out
// numbers or multipliers: those are 3 to 7 letters and start with one of
// a few letters (numberWords, "twice", "double", "tripled").
func maybeNumberWord(w string) bool {
	if len(w) < 3 || len(w) > 7 {
		return false
	}
	switch w[0] {
	case 'z', 'n', 'o', 't', 'f', 's', 'e', 'h', 'd':
		return true
	}
	return false
}

// isWrapping reports punctuation that wraps a number or word: "(40%),",
// "“fast”".
func isWrapping(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '(', ')', '"', '\'', '“', '”', '‘', '’', '[', ']':
		return true
	}
	return false
}

// readQuantity reads the quantity at ws[i], if it is one. Years, levels
// ("L6") and version-like labels are not quantities.
func readQuantity(ws []string, i int) (quantity, bool) {
	w := ws[i]
	q := quantity{at: i}
	digits := hasDigit(w)
	if !digits && !maybeNumberWord(w) {
		return q, false
	}
	if v, ok := numberWords[w]; ok {
		q.value = v
		if w == "half" {
			return q, false // "half" alone is read by the change words
		}
		return q, true
	}
	switch w {
	case "twice", "doubled", "double":
		return quantity{value: 2, times: true, at: i}, true
	case "tripled", "triple":
		return quantity{value: 3, times: true, at: i}, true
	}
	if !digits || isYear(w) || isLabel(w) {
		return q, false
	}
	if strings.HasPrefix(w, "$") || strings.HasPrefix(w, "€") || strings.HasPrefix(w, "£") {
		q.money = true
		w = strings.TrimLeft(w, "$€£")
	}
	if strings.HasSuffix(w, "%") {
		q.percent = true
		w = strings.TrimSuffix(w, "%")
	}
	scale := 1.0
	for _, sc := range scaleSuffixes {
		if strings.HasSuffix(w, sc.suffix) && len(w) > len(sc.suffix) && hasDigit(w[len(w)-len(sc.suffix)-1:len(w)-len(sc.suffix)]) {
			scale, w = sc.scale, strings.TrimSuffix(w, sc.suffix)
			break
		}
	}
	if strings.HasSuffix(w, "x") {
		q.times = true
		w = strings.TrimSuffix(w, "x")
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(w, ",", ""), 64)
	if err != nil {
		return q, false
	}
	if i+1 < len(ws) {
		if s, ok := scales[ws[i+1]]; ok && len(ws[i+1]) > 1 {
			scale = s
		}
		switch ws[i+1] {
		case "percent":
			q.percent = true
		case "times":
			q.times = true
		case "dollars", "usd", "euros", "pounds":
			q.money = true
		}
	}
	q.value = v * scale
	return q, true
}

// comparison is a result stated against a baseline: "from 6 to 1", "down
// 31%", "3 hours instead of 11", "$14M a year".
type comparison struct {
	q           quantity
	implausible string // why the claim cannot be right; "" when it can
}

// comparisons finds the numeric comparisons among a sentence's number
// fields (numberFields) and judges each one's plausibility.
func comparisons(ws []string) iter.Seq[comparison] {
	return func(yield func(comparison) bool) {
		dir, read := 0, false
		for i := range ws {
			q, ok := readQuantity(ws, i)
			if !ok {
				continue
			}
			if !comparedAt(ws, i, q) {
				continue
			}
			if !read {
				dir, read = direction(ws), true
			}
			if !yield(comparison{q: q, implausible: implausibility(ws, q, dir)}) {
				return
			}
		}
	}
}

// comparedAt reports whether the quantity at ws[i] is stated against
// something: after "from", before or after "to" in a from-to pair, beside
// "instead of", "versus" or "against", joined to a change word, or as
// money at a rate.
func comparedAt(ws []string, i int, q quantity) bool {
	near := func(set *wordSet, before, after int) bool {
		for j := max(0, i-before); j <= min(len(ws)-1, i+after); j++ {
			if j != i && set.has(ws[j]) {
				return true
			}
		}
		return false
	}
	switch {
	case q.times:
		return true
	case near(fromWords, 3, 0) && near(toWords, 0, 6),
		near(toWords, 2, 0) && near(fromWords, 8, 0),
		i >= 1 && ws[i-1] == "to" && near(changeWords, 6, 0),
		near(versusWords, 3, 3),
		near(changeWords, 4, 1), near(comparatives, 0, 2):
		return true
	case q.money && near(rateWords, 0, 3):
		return true
	}
	return false
}

var (
	fromWords   = setOf("from")
	toWords     = setOf("to", "down", "up")
	versusWords = setOf("instead", "versus", "vs", "against", "compared", "rather")
	rateWords   = setOf("year", "annually", "month", "quarter", "week", "annual", "yearly", "day")
)

// direction is -1 when a sentence describes a fall, 1 a rise, 0 neither.
func direction(ws []string) int {
	for _, w := range ws {
		switch {
		case decreaseWords.has(w):
			return -1
		case increaseWords.has(w):
			return 1
		}
	}
	return 0
}

// implausibility names what makes a stated result impossible or hollow:
// a fall of more than 100%, a "negative" saving, a reduction by a factor
// under one, more people than there are, a rating above its scale, or a
// bounded measure rising past its bound.
func implausibility(ws []string, q quantity, dir int) string {
	i := q.at
	switch {
	case q.percent && dir < 0 && q.value > 100:
		return "a fall of more than 100%"
	case q.percent && q.value >= 1000:
		return "a change of a thousand percent or more"
	case q.times && dir < 0 && q.value > 0 && q.value < 1:
		return "a reduction by a factor below one"
	case q.percent && dir > 0 && q.value > 100 && anyWithin(ws, i, 6, boundedMeasures):
		return "a bounded measure rising past its bound"
	case q.value >= 8e9 && anyWithin(ws, i, 0, peopleWords) || q.value >= 8e9 && i+1 < len(ws) && peopleWords.has(ws[i+1]):
		return "more people than there are"
	case q.money && q.value >= 1e9:
		// Twenty times the top of the level table (docs/grading.md): no
		// one story's result reaches it.
		return "a result of a billion or more, beyond any one story"
	case i+2 < len(ws) && ws[i+1] == "out" && ws[i+2] == "of":
		if i+3 < len(ws) {
			if of, ok := readQuantity(ws, i+3); ok && q.value > of.value {
				return "a rating above its scale"
			}
		}
	}
	for j := max(0, i-4); j < i; j++ {
		if ws[j] == "negative" {
			return "a negative amount where none can be"
		}
	}
	return ""
}

func anyWithin(ws []string, i, span int, set *wordSet) bool {
	for j := max(0, i-span); j <= min(len(ws)-1, i+span); j++ {
		if set.has(ws[j]) {
			return true
		}
	}
	return false
}

var decreaseWords = setOf("cut", "cuts", "reduced", "reducing", "reduce", "dropped", "drop", "fell", "down", "lower", "lowered",
	"less", "fewer", "saved", "saving", "savings", "shrank", "shrunk", "declined", "decreased", "halved", "eliminated", "trimmed")

var increaseWords = setOf("up", "rose", "increased", "increase", "grew", "growth", "improved", "improvement", "raised", "higher",
	"more", "doubled", "tripled", "jumped", "climbed", "gained", "boosted", "faster")

// changeWords join a number to a change: "fell 41%", "cut by 2 hours".
var changeWords = mergeSets(decreaseWords, increaseWords, setOf("went", "came", "moved", "changed", "by", "dropping", "rising", "zero"))

// comparatives after a number state a comparison: "30% fewer", "3x faster".
var comparatives = setOf("fewer", "less", "more", "lower", "higher", "faster", "slower", "cheaper", "smaller", "larger", "sooner", "earlier", "shorter")

// boundedMeasures cannot rise by more than 100% from any sensible start.
var boundedMeasures = setOf("satisfaction", "csat", "accuracy", "coverage", "uptime", "availability", "retention",
	"attendance", "precision", "recall", "compliance", "nps")

var peopleWords = setOf("users", "people", "customers", "visitors", "employees", "daily", "monthly", "shoppers", "members", "subscribers")
