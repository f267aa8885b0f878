package agent

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Analysis is what the rules found in the candidate's side of a principle's
// conversation. The LLM interviewer receives it as facts; the rules
// interviewer decides and grades from it.
type Analysis struct {
	Words            int        `json:"words"`
	Situation        bool       `json:"situation"`
	Task             bool       `json:"task"`
	Action           bool       `json:"action"`
	Result           bool       `json:"result"`
	QuantifiedResult bool       `json:"quantified_result"`
	Actions          []string   `json:"actions"` // distinct verbs after "I"
	WeCount          int        `json:"we_count"`
	Metrics          []string   `json:"metrics"`
	Reflection       bool       `json:"reflection"`
	Impact           bool       `json:"impact"`
	TimeFrame        bool       `json:"time_frame"`
	Hedges           int        `json:"hedges"`
	NoMeasure        bool       `json:"no_measure"`
	Blame            bool       `json:"blame"`
	Injection        bool       `json:"injection"`
	PrincipleNames   int        `json:"principle_names"`
	Buzzwords        int        `json:"buzzwords"`
	Sentences        []Sentence `json:"-"`
}

// Sentence is one sentence of a candidate turn, kept as an exact substring
// of the turn's text so that it can be quoted verbatim.
type Sentence struct {
	Seq        int
	Text       string
	lower      string
	Situation  bool
	Task       bool
	Actions    []string
	We         int
	Metrics    []string
	Result     bool
	Reflection bool
	Impact     bool
	Injection  bool
	TimeFrame  bool
}

// Analyze reads the candidate turns among turns and reports what the story
// contains. Interviewer turns are ignored.
func Analyze(turns []Turn) Analysis {
	var a Analysis
	seenVerb := map[string]bool{}
	seenName := map[string]bool{}
	first := true
	for _, t := range turns {
		if t.Speaker != SpeakerCandidate {
			continue
		}
		lowerTurn := strings.ToLower(t.Text)
		a.Words += len(strings.Fields(t.Text))
		for _, n := range principleNames {
			if !seenName[n] && strings.Contains(lowerTurn, n) {
				seenName[n] = true
				a.PrincipleNames++
			}
		}
		a.Buzzwords += countAny(lowerTurn, buzzwords)
		a.Hedges += countAny(lowerTurn, hedgeCues)
		if containsAny(lowerTurn, noMeasureCues) {
			a.NoMeasure = true
		}
		if containsAny(lowerTurn, blameCues) {
			a.Blame = true
		}
		for i, text := range splitSentences(t.Text) {
			s := analyzeSentence(t.Seq, text)
			// The opening lines of the first answer usually set the scene.
			if first && i < 3 && (s.Situation || hasProperContext(text)) {
				s.Situation = true
			}
			a.Sentences = append(a.Sentences, s)
			a.Situation = a.Situation || s.Situation
			a.Task = a.Task || s.Task
			a.Result = a.Result || s.Result
			a.QuantifiedResult = a.QuantifiedResult || (s.Result && len(s.Metrics) > 0)
			// No injection cue holds a sentence break, so testing each
			// sentence finds every cue the whole turn holds.
			a.Injection = a.Injection || s.Injection
			a.Reflection = a.Reflection || s.Reflection
			a.Impact = a.Impact || s.Impact
			a.WeCount += s.We
			a.Metrics = append(a.Metrics, s.Metrics...)
			a.TimeFrame = a.TimeFrame || s.TimeFrame
			for _, v := range s.Actions {
				if !seenVerb[v] {
					seenVerb[v] = true
					a.Actions = append(a.Actions, v)
				}
			}
		}
		first = false
	}
	a.Action = len(a.Actions) > 0
	return a
}

func analyzeSentence(seq int, text string) Sentence {
	lower := strings.ToLower(text)
	padded := " " + lower + " "
	words := tokenize(lower)
	s := Sentence{Seq: seq, Text: text, lower: lower}
	s.Situation = containsAny(lower, situationCues)
	s.Task = containsAny(lower, taskCues)
	s.Actions = firstPersonActions(words)
	for _, w := range words {
		if w == "we" || w == "us" || w == "our" {
			s.We++
		}
	}
	s.Metrics = metrics(text)
	// "from 6.2% to 4.5%" is a result even without a verb from the list.
	fromTo := strings.Contains(padded, " from ") && strings.Contains(padded, " to ") && len(s.Metrics) > 0
	s.Result = (containsAny(padded, resultCues) || fromTo) && !containsAny(padded, futureCues)
	s.Reflection = containsAny(padded, reflectionCues) && !containsAny(lower, noReflectionCues)
	s.Impact = containsAny(lower, impactCues) && !containsAny(lower, noImpactCues)
	s.Injection = containsAny(lower, injectionCues)
	s.TimeFrame = hasTimeFrame(lower, words)
	return s
}

// firstPersonActions returns the verbs of "I <verb>" where the verb is a deed
// in the past tense: "I pulled", "I personally negotiated", "I wrote".
func firstPersonActions(words []string) []string {
	var out []string
	for i, w := range words {
		if w != "i" && w != "i've" && w != "i’ve" {
			continue
		}
		if i > 0 && relativeLead[words[i-1]] {
			continue // "the lesson I took", "what I found": not a deed
		}
		j := i + 1
		for j < len(words) && adverbs[words[j]] {
			j++
		}
		if j >= len(words) || negations[words[j]] {
			continue
		}
		if v := words[j]; isDeed(v) {
			out = append(out, v)
			// Verbs joined to this one share its subject: "I asked every
			// team to cut costs and froze all new contracts".
			for k := j + 1; k+1 < len(words) && words[k] != "i" && words[k] != "we"; k++ {
				if (words[k] == "and" || words[k] == "then") && isDeed(words[k+1]) {
					out = append(out, words[k+1])
				}
			}
		}
	}
	return out
}

// isDeed reports a past-tense verb of doing, as opposed to thinking or being.
func isDeed(v string) bool {
	if notActions[v] || resultVerbs[v] {
		return false
	}
	return pastActions[v] || (strings.HasSuffix(v, "ed") && len(v) > 4)
}

// resultVerbs describe what numbers did, not what the candidate did: "and
// stayed there" after an action is an outcome, not a second deed.
var resultVerbs = setOf("stayed", "dropped", "fell", "rose", "increased", "decreased", "improved", "jumped", "climbed", "declined")

// tokenize splits lowercased text into words, keeping apostrophes.
func tokenize(lower string) []string {
	return strings.FieldsFunc(lower, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’')
	})
}

// metrics returns the quantities in text: "41%", "$2.9 million", "220
// milliseconds", "3.4 times". Years and levels like "L6" are not metrics.
func metrics(text string) []string {
	fields := strings.Fields(text)
	var out []string
	for i, f := range fields {
		core := strings.Trim(f, ".,;:!?()\"'")
		if !strings.ContainsAny(core, "0123456789") {
			lw := strings.ToLower(core)
			if lw == "percent" || lw == "doubled" || lw == "tripled" || lw == "halved" || lw == "twice" {
				out = append(out, core)
			}
			continue
		}
		if isYear(core) || isLabel(core) {
			continue
		}
		m := core
		if !strings.ContainsAny(core, "%$") && i+1 < len(fields) && !strings.ContainsAny(f, ",;:.") {
			if next := strings.Trim(fields[i+1], ".,;:!?()\"'"); isUnit(next) {
				m += " " + next
			}
		}
		out = append(out, m)
	}
	return out
}

// isUnit reports whether the word after a number names what was counted.
func isUnit(w string) bool {
	if n := utf8.RuneCountInString(w); n < 2 || n > 13 || unitStop[strings.ToLower(w)] {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

var unitStop = setOf("a", "an", "and", "to", "of", "in", "the", "or", "for", "per", "on", "at", "by", "from", "with", "into", "than", "as")

// relativeLead words before "I" make the clause a description: "what I found".
var relativeLead = setOf("lesson", "what", "thing", "takeaway", "that", "which")

func isYear(s string) bool {
	s = strings.TrimSuffix(s, "s")
	if len(s) != 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s >= "1950" && s <= "2099"
}

// isLabel reports tokens such as "L6", "Q3", "p99" or "S3" that carry a digit
// but are names rather than quantities.
func isLabel(s string) bool {
	if len(s) < 2 || len(s) > 4 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r) {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

var months = []string{"january", "february", "march", "april", "may ", "june", "july", "august", "september", "october", "november", "december"}

// timeCues mark when a story happened or how long it took.
var timeCues = []string{"last year", "last spring", "last summer", "last fall", "last winter", "last quarter", "last month",
	" weeks", " months", " quarters", " sprints", " days", "within ", "q1", "q2", "q3", "q4"}

// hasTimeFrame reports a date, a year or a duration in a sentence, given
// its lowercased text and its words.
func hasTimeFrame(lower string, words []string) bool {
	if containsAny(lower, months) || containsAny(lower, timeCues) {
		return true
	}
	for _, w := range words {
		if isYear(w) {
			return true
		}
	}
	return false
}

// hasProperContext reports a capitalised name after "at", "for" or "with",
// as in "at Pantrio" or "for Ferrowind": a concrete place for the story.
func hasProperContext(text string) bool {
	f := strings.Fields(text)
	for i := 0; i+1 < len(f); i++ {
		switch strings.ToLower(f[i]) {
		case "at", "for", "with", "joined":
			r, _ := utf8.DecodeRuneInString(f[i+1])
			if unicode.IsUpper(r) && f[i+1] != "I" {
				return true
			}
		}
	}
	return false
}

// splitSentences splits text into sentences, each an exact substring of text
// with surrounding spaces trimmed.
func splitSentences(text string) []string {
	var out []string
	start := 0
	add := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			add(i + 1)
		case '.', '!', '?':
			// A sentence ends at the mark when a space follows; decimals
			// such as 0.45 and abbreviations glued to the next word stay.
			j := i + 1
			for j < len(text) && (text[j] == '"' || text[j] == '\'' || text[j] == ')') {
				j++
			}
			if j >= len(text) || text[j] == ' ' || text[j] == '\n' {
				if isAbbreviation(text[start : i+1]) {
					continue
				}
				add(j)
			}
		}
	}
	add(len(text))
	return out
}

func isAbbreviation(s string) bool {
	f := strings.Fields(s)
	if len(f) == 0 {
		return false
	}
	last := strings.ToLower(f[len(f)-1])
	switch last {
	case "a.m.", "p.m.", "e.g.", "i.e.", "mr.", "ms.", "dr.", "vs.", "etc.", "approx.", "no.", "u.s.":
		return true
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func countAny(s string, subs []string) int {
	n := 0
	for _, sub := range subs {
		n += strings.Count(s, sub)
	}
	return n
}
