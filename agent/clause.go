package agent

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A clause is a stretch of a sentence with one subject and one verb: the
// unit the rules read a story in. "I traced the leak and patched the
// pool, but the vendor never replied" holds three: two with "I" as subject (the
// second inherits it), one with "the owner".
type clause struct {
	words   []string    // lowercased, as tokenize gives them
	classes []wordClass // the lists each word belongs to
	subject subject
	verb    string // the verb after the subject and any adverbs; "" when none
	tense   tense
	negated bool
	object  bool   // words follow the verb: "I fixed the parser", not "I left"
	head    string // the first word of another subject: "people", "the"
}

// subject is who a clause is about.
type subject int

const (
	subjOther subject = iota
	subjI
	subjWe
	subjYou
)

// tense is how a clause places its verb in time.
type tense int

const (
	tenseNone     tense = iota
	tensePast           // "I rewrote", "we shipped"
	tensePresent        // "I think", "the job runs"
	tenseModal          // "I would", "I'd ask", "we will"
	tenseHabitual       // "usually I check", "I always ask"
)

// clauseBreaks end a clause; the next word may start a new subject.
var clauseBreaks = setOf("and", "but", "so", "then", "because", "while", "although", "though", "which", "until",
	"after", "before", "once", "since", "whereas", "yet", "or", "when")

// clauses splits a sentence, lowercased with curly apostrophes made
// straight, into clauses. Punctuation that splits
// clauses is passed as separate tokens by clauseTokens. A clause that opens
// with a past verb shares the subject before it; at the start of a sentence
// that is "I", as in a story told in fragments: "Wrote a proposal."
func clauses(sentence string) []clause {
	toks := appendClauseTokens(nil, sentence)
	return appendClauses(nil, toks, appendWordClasses(nil, toks))
}

// appendClauses appends the clauses of a sentence's clauseTokens to out,
// given the tokens' classes; their words are views of toks.
func appendClauses(out []clause, toks []string, classes []wordClass) []clause {
	last := subjI
	start := 0
	flush := func(end int) {
		if end > start {
			c := readClause(toks[start:end:end], classes[start:end:end], last)
			if c.subject != subjOther || c.verb != "" {
				last = c.subject
			}
			out = append(out, c)
		}
		start = end + 1
	}
	for i, k := range classes {
		if k.has(classPunct | classBreak) {
			flush(i)
		}
	}
	flush(len(toks))
	return out
}

// clausePunct reports the punctuation tokens clauseTokens keeps.
func clausePunct(w string) bool {
	return w == "," || w == ";" || w == ":" || w == "—"
}

// clauseTokens splits a lowercased sentence into words, keeping commas,
// semicolons, colons and dashes as tokens of their own.
func clauseTokens(s string) []string {
	return appendClauseTokens(make([]string, 0, len(s)/5+4), s)
}

// appendClauseTokens appends the clauseTokens of s to out. In one pass
// over s it gives what splitting s into space-separated fields and each
// field into appendTokens' words would, with a field's trailing comma,
// semicolon or colon as a token after its words and a lone dash as "—".
func appendClauseTokens(out []string, s string) []string {
	field, word := -1, -1 // where the current field and word start
	endField := func(end int) {
		if word >= 0 {
			out = append(out, s[word:end])
			word = -1
		}
		f, trail := s[field:end], ""
		if n := len(f); n > 1 && (f[n-1] == ',' || f[n-1] == ';' || f[n-1] == ':') {
			f, trail = f[:n-1], f[n-1:]
		}
		switch {
		case f == "—" || f == "-" || f == "–":
			out = append(out, "—")
		case trail != "":
			out = append(out, trail)
		}
		field = -1
	}
	for i := 0; i < len(s); {
		c := s[i]
		kind, size := asciiKinds[c], 1
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsSpace(r):
				kind = kindSpace
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '’':
				kind = kindWord
			default:
				kind = kindOther
			}
		}
		if kind == kindSpace {
			if field >= 0 {
				endField(i)
			}
			i += size
			continue
		}
		if field < 0 {
			field = i
		}
		in := kind == kindWord
		switch {
		case in && word < 0:
			word = i
		case !in && word >= 0:
			out = append(out, s[word:i])
			word = -1
		}
		i += size
	}
	if field >= 0 {
		endField(len(s))
	}
	return out
}

// Kinds of character for appendClauseTokens: spaces split fields, word
// characters (letters, digits, apostrophes) make words, others split
// words.
const (
	kindOther = iota
	kindSpace
	kindWord
)

// asciiKinds is the kind of each ASCII byte.
var asciiKinds = func() (k [256]uint8) {
	for _, c := range []byte(" \t\n\v\f\r") {
		k[c] = kindSpace // the ASCII bytes strings.Fields splits at
	}
	for c := 0; c < utf8.RuneSelf; c++ {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '\'' {
			k[c] = kindWord
		}
	}
	return k
}()

// readClause finds a clause's subject and verb. A clause that opens with a
// verb shares the subject of the clause before it ("I traced it and fixed
// it").
func readClause(ws []string, ks []wordClass, prev subject) clause {
	c := clause{words: ws, classes: ks}
	i := 0
	for i < len(ws) && ks[i].has(classLeadIn|classAdverb) {
		if ks[i].has(classHabitual) {
			c.tense = tenseHabitual
		}
		i++
	}
	if i >= len(ws) {
		return c
	}
	switch w := ws[i]; {
	case w == "i" || w == "i've" || w == "i'd" || w == "i'll" || w == "i'm" || w == "myself":
		c.subject = subjI
		if w == "i'd" || w == "i'll" {
			c.tense = tenseModal
		}
		i++
	case w == "we" || w == "we've" || w == "we'd" || w == "we'll" || w == "we're" || w == "us":
		c.subject = subjWe
		if w == "we'd" || w == "we'll" {
			c.tense = tenseModal
		}
		i++
	case w == "you" || w == "you'd" || w == "you'll" || w == "you've" || w == "you're":
		c.subject = subjYou
		i++
	case (w == "my" || w == "our") && i+1 < len(ws) && (ws[i+1] == "team" || ws[i+1] == "group"):
		c.subject = subjWe
		i += 2
	case pastVerb(w, ks[i]) || ks[i].has(classModal):
		c.subject = prev // shares the subject before it
	default:
		// Another subject: find its verb so that the clause still has a
		// tense, but its deeds are not the candidate's.
		c.head = w
		for i < len(ws) && !pastVerb(ws[i], ks[i]) && !ks[i].has(classModal|classBe) {
			i++
		}
	}
	for i < len(ws) && ks[i].has(classAdverb) {
		if ks[i].has(classHabitual) {
			c.tense = tenseHabitual
		}
		i++
	}
	if i < len(ws) && ks[i].has(classNegation) {
		c.negated = true
		i++
		for i < len(ws) && ks[i].has(classAdverb) {
			i++
		}
	}
	if i >= len(ws) {
		return c
	}
	v := ws[i]
	switch {
	case ks[i].has(classModal):
		if c.tense == tenseNone {
			c.tense = tenseModal
		}
		if strings.HasSuffix(v, "n't") {
			c.negated = true
		}
		// "I would have …" and "I should have …" look back; the verb is
		// what follows.
		for i+1 < len(ws) && (ws[i+1] == "have" || ks[i+1].has(classAdverb|classNegation)) {
			i++
		}
		if i+1 < len(ws) {
			i++
			v = ws[i]
		}
	case pastVerb(v, ks[i]) && c.tense == tenseNone:
		c.tense = tensePast
	case c.tense == tenseNone:
		c.tense = tensePresent
	}
	c.verb = v
	c.object = i+1 < len(ws)
	return c
}

// deed reports a clause in which the candidate did something: "I" as
// subject, a verb of doing in the past (or in the present of a story told
// in the present: "then I call the supplier"), and something done.
// strong is false for verbs that only describe taking part ("helped",
// "supported").
func (c clause) deed() (ok, strong bool) {
	if c.subject != subjI || c.negated || !c.object {
		return false, false
	}
	if c.tense == tensePresent && !c.hypothetical() && !stateVerbs.has(c.verb) && !beVerbs.has(c.verb) && !modals.has(c.verb) {
		return true, !weakVerbs.has(c.verb) && c.verb != "make"
	}
	if c.tense != tensePast {
		return false, false
	}
	if beVerbs.has(c.verb) || notDeeds.has(c.verb) {
		return false, false
	}
	return true, !weakVerbs.has(c.verb)
}

// hypothetical reports a clause about what the speaker would or usually
// does rather than what happened: "I would set up a meeting", "usually I
// ask", "you should always".
func (c clause) hypothetical() bool {
	switch c.subject {
	case subjI, subjWe:
		return c.tense == tenseModal && !lookingBack(c) || c.tense == tenseHabitual ||
			c.tense == tensePresent && habitualPresent.has(c.verb)
	case subjYou:
		return c.verb != "" && !c.negated
	}
	return false
}

// generalization reports a claim about people in general rather than an
// event: "people need to work harder", "customers always complain".
func (c clause) generalization() bool {
	return c.subject == subjOther && generalSubjects.has(c.head) && c.tense != tensePast && len(c.words) >= 3
}

// lookingBack reports "I should have …" or "I would have …": hindsight,
// which is reflection, not a hypothetical story.
func lookingBack(c clause) bool {
	for i, w := range c.words {
		if w == "have" && i > 0 && c.classes[i-1].has(classModal) || w == "should've" || w == "would've" {
			return true
		}
	}
	return false
}
