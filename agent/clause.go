package agent

import "strings"

// A clause is a stretch of a sentence with one subject and one verb: the
// unit the rules read a story in. "I traced the leak and patched the
// pool, but the vendor never replied" holds three: two with "I" as subject (the
// second inherits it), one with "the owner".
type clause struct {
	words   []string // lowercased, as tokenize gives them
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
	return appendClauses(nil, appendClauseTokens(nil, sentence))
}

// appendClauses appends the clauses of a sentence's clauseTokens to out;
// their words are views of toks.
func appendClauses(out []clause, toks []string) []clause {
	last := subjI
	start := 0
	flush := func(end int) {
		if end > start {
			c := readClause(toks[start:end:end], last)
			if c.subject != subjOther || c.verb != "" {
				last = c.subject
			}
			out = append(out, c)
		}
		start = end + 1
	}
	for i, w := range toks {
		if clausePunct(w) || clauseBreaks[w] {
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

// appendClauseTokens appends the clauseTokens of s to out.
func appendClauseTokens(out []string, s string) []string {
	for f := range strings.FieldsSeq(s) {
		trail := ""
		if n := len(f); n > 1 && strings.ContainsAny(f[n-1:], ",;:") {
			trail, f = f[n-1:], f[:n-1]
		}
		if f == "—" || f == "-" || f == "–" {
			out = append(out, "—")
			continue
		}
		out = appendTokens(out, f)
		if trail != "" {
			out = append(out, trail)
		}
	}
	return out
}

// readClause finds a clause's subject and verb. A clause that opens with a
// verb shares the subject of the clause before it ("I traced it and fixed
// it").
func readClause(ws []string, prev subject) clause {
	c := clause{words: ws}
	i := 0
	for i < len(ws) && (leadIns[ws[i]] || adverbs[ws[i]]) {
		if habitual[ws[i]] {
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
	case isPastVerb(w) || modals[w]:
		c.subject = prev // shares the subject before it
	default:
		// Another subject: find its verb so that the clause still has a
		// tense, but its deeds are not the candidate's.
		c.head = w
		for i < len(ws) && !isPastVerb(ws[i]) && !modals[ws[i]] && !beVerbs[ws[i]] {
			i++
		}
	}
	for i < len(ws) && adverbs[ws[i]] {
		if habitual[ws[i]] {
			c.tense = tenseHabitual
		}
		i++
	}
	if i < len(ws) && negations[ws[i]] {
		c.negated = true
		i++
		for i < len(ws) && adverbs[ws[i]] {
			i++
		}
	}
	if i >= len(ws) {
		return c
	}
	v := ws[i]
	switch {
	case modals[v]:
		if c.tense == tenseNone {
			c.tense = tenseModal
		}
		if strings.HasSuffix(v, "n't") {
			c.negated = true
		}
		// "I would have …" and "I should have …" look back; the verb is
		// what follows.
		for i+1 < len(ws) && (ws[i+1] == "have" || adverbs[ws[i+1]] || negations[ws[i+1]]) {
			i++
		}
		if i+1 < len(ws) {
			i++
			v = ws[i]
		}
	case isPastVerb(v) && c.tense == tenseNone:
		c.tense = tensePast
	case c.tense == tenseNone:
		c.tense = tensePresent
	}
	c.verb = v
	c.object = i+1 < len(ws)
	return c
}

// isPastVerb reports a verb in the simple past: an irregular one from the
// list, or a regular -ed form that is not a state of mind.
func isPastVerb(w string) bool {
	if notDeeds[w] {
		return false
	}
	return irregularPast[w] || (strings.HasSuffix(w, "ed") && len(w) > 4 && !edNotVerbs[w])
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
	if c.tense == tensePresent && !c.hypothetical() && !stateVerbs[c.verb] && !beVerbs[c.verb] && !modals[c.verb] {
		return true, !weakVerbs[c.verb] && c.verb != "make"
	}
	if c.tense != tensePast {
		return false, false
	}
	if beVerbs[c.verb] || notDeeds[c.verb] {
		return false, false
	}
	return true, !weakVerbs[c.verb]
}

// hypothetical reports a clause about what the speaker would or usually
// does rather than what happened: "I would set up a meeting", "usually I
// ask", "you should always".
func (c clause) hypothetical() bool {
	switch c.subject {
	case subjI, subjWe:
		return c.tense == tenseModal && !lookingBack(c) || c.tense == tenseHabitual ||
			c.tense == tensePresent && habitualPresent[c.verb]
	case subjYou:
		return c.verb != "" && !c.negated
	}
	return false
}

// generalization reports a claim about people in general rather than an
// event: "people need to work harder", "customers always complain".
func (c clause) generalization() bool {
	return c.subject == subjOther && generalSubjects[c.head] && c.tense != tensePast && len(c.words) >= 3
}

// lookingBack reports "I should have …" or "I would have …": hindsight,
// which is reflection, not a hypothetical story.
func lookingBack(c clause) bool {
	for i, w := range c.words {
		if w == "have" && i > 0 && modals[c.words[i-1]] || w == "should've" || w == "would've" {
			return true
		}
	}
	return false
}
