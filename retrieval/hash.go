package retrieval

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// HashDim is the dimension of the local embedder's vectors.
const HashDim = 512

// Hash is the local embedder: deterministic, with no model file and no
// network. It hashes stemmed words, word pairs and the concepts the words
// belong to (see concepts.go) into a signed bag-of-features vector, so that
// "outage" and "incident" land near each other although they share no letters.
type Hash struct{}

// ID implements Embedder.
func (Hash) ID() string { return "local-hash-v1" }

// Dim implements Embedder.
func (Hash) Dim() int { return HashDim }

// Embed implements Embedder.
func (h Hash) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = h.vector(t)
	}
	return out, nil
}

func (Hash) vector(text string) []float32 {
	v := make([]float64, HashDim)
	add := func(feature string, w float64) {
		f := fnv.New64a()
		f.Write([]byte(feature))
		x := f.Sum64()
		sign := 1.0
		if x>>63 == 1 {
			sign = -1
		}
		v[x%HashDim] += sign * w
	}
	stems := terms(text)
	for i, s := range stems {
		w := 1.0
		if weak[s] {
			w = 0.3
		}
		add("w:"+s, w)
		for _, c := range conceptsOf(s) {
			add("c:"+c, 1.2)
		}
		if i > 0 {
			add("b:"+stems[i-1]+"_"+s, 0.5)
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, HashDim)
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

// terms lowercases text, drops stop words and stems what is left.
func terms(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	out := make([]string, 0, len(words))
	for _, w := range words {
		w = strings.TrimSuffix(strings.Trim(w, "'"), "'s")
		if len(w) < 2 || stopwords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem strips common English suffixes: a light stemmer that maps "owned",
// "owning" and "owns" to one term.
func stem(w string) string {
	for _, rule := range stemRules {
		if strings.HasSuffix(w, rule.suffix) && len(w)-len(rule.suffix) >= rule.min {
			return w[:len(w)-len(rule.suffix)] + rule.repl
		}
	}
	return w
}

var stemRules = []struct {
	suffix, repl string
	min          int
}{
	{"ational", "ate", 3}, {"ization", "ize", 3}, {"fulness", "ful", 3}, {"iveness", "ive", 3},
	{"ements", "e", 3}, {"ement", "e", 3}, {"ments", "", 4}, {"ment", "", 4}, {"ities", "e", 3},
	{"ness", "", 3}, {"ings", "", 3}, {"ing", "", 3}, {"ied", "y", 2}, {"ies", "y", 2},
	{"edly", "", 3}, {"ed", "", 3}, {"ly", "", 4}, {"ers", "er", 3}, {"es", "e", 3}, {"s", "", 3},
}

// weak terms appear in almost every behavioral question and say little.
var weak = map[string]bool{}

func init() {
	for _, w := range []string{"time", "tell", "describe", "example", "situation", "give", "work", "team",
		"project", "share", "walk", "talk", "case", "instance", "happen", "result", "did", "do", "make", "get"} {
		weak[stem(w)] = true
	}
}

var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but if then else of to in on at by for with from into onto
	about over under after before during while as is are was were be been being am it its it's this that these those
	there here i me my mine we us our ours you your yours he him his she her hers they them their theirs what which who
	whom whose when where why how all any both each few more most other some such no nor not only same so than
	too very can could should would will just don't didn't doesn't i'm i've i'd we're we've you're it was has have had
	do does did doing up down out off again further once also even ever still yet one two three many much lot lots
	really quite something someone anything anyone everything everyone thing things way ways got get let let's`) {
		stopwords[w] = true
	}
}
