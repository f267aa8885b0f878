package agent

import "strings"

// A wordClass is the set of word lists a token belongs to. A sentence's
// tokens are looked up once, so that reading its clauses tests a word
// against any list with a bit mask instead of another map lookup.
type wordClass uint32

// The lists a wordClass records.
const (
	classBreak            wordClass = 1 << iota // clauseBreaks
	classPunct                                  // punctuation that splits clauses
	classLeadIn                                 // leadIns
	classAdverb                                 // adverbs
	classHabitual                               // habitual
	classModal                                  // modals
	classBe                                     // beVerbs
	classNegation                               // negations
	classIrregularPast                          // irregularPast
	classNotDeed                                // notDeeds
	classEdNotVerb                              // edNotVerbs
	classLearn                                  // learnVerbs
	classChangeOfPractice                       // changeOfPractice
	classLesson                                 // lessonNouns
	classPersistence                            // persistenceWords
)

// wordClasses maps each word of the lists above to its classes.
var wordClasses = func() map[string]wordClass {
	m := map[string]wordClass{}
	for _, l := range []struct {
		set   *wordSet
		class wordClass
	}{
		{clauseBreaks, classBreak},
		{setOf(",", ";", ":", "—"), classPunct},
		{leadIns, classLeadIn},
		{adverbs, classAdverb},
		{habitual, classHabitual},
		{modals, classModal},
		{beVerbs, classBe},
		{negations, classNegation},
		{irregularPast, classIrregularPast},
		{notDeeds, classNotDeed},
		{edNotVerbs, classEdNotVerb},
		{learnVerbs, classLearn},
		{changeOfPractice, classChangeOfPractice},
		{lessonNouns, classLesson},
		{persistenceWords, classPersistence},
	} {
		for w := range l.set.words {
			m[w] |= l.class
		}
	}
	return m
}()

// wordFilter rules out most words that are in no list without a map
// lookup: bit last%32 of wordFilter[len%32][first%32] is set when some
// listed word has that length and those first and last bytes.
var wordFilter = func() (f [32][32]uint32) {
	for w := range wordClasses {
		f[len(w)%32][w[0]%32] |= 1 << (w[len(w)-1] % 32)
	}
	return f
}()

// classOf returns the classes of the word w.
func classOf(w string) wordClass {
	if w == "" || wordFilter[len(w)%32][w[0]%32]&(1<<(w[len(w)-1]%32)) == 0 {
		return 0
	}
	return wordClasses[w]
}

// appendWordClasses appends the class of each of toks to out.
func appendWordClasses(out []wordClass, toks []string) []wordClass {
	for _, w := range toks {
		out = append(out, classOf(w))
	}
	return out
}

// has reports whether k includes any of c.
func (k wordClass) has(c wordClass) bool { return k&c != 0 }

// anyClass reports whether any of ks includes c.
func anyClass(ks []wordClass, c wordClass) bool {
	for _, k := range ks {
		if k&c != 0 {
			return true
		}
	}
	return false
}

// pastVerb reports a verb in the simple past, for a token w of class k:
// an irregular one from the list, or a regular -ed form that is not a
// state of mind.
func pastVerb(w string, k wordClass) bool {
	if k.has(classNotDeed) {
		return false
	}
	return k.has(classIrregularPast) || strings.HasSuffix(w, "ed") && len(w) > 4 && !k.has(classEdNotVerb)
}

// isPastVerb is pastVerb for a word not yet looked up.
func isPastVerb(w string) bool { return pastVerb(w, classOf(w)) }
