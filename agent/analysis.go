package agent

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Analysis is what the rules found in the candidate's side of a principle's
// conversation, read clause by clause. The LLM interviewer receives it as
// hints; the rules interviewer decides and grades from it.
type Analysis struct {
	Words     int  `json:"words"`
	Situation bool `json:"situation"`
	Task      bool `json:"task"`
	// Action is true when the candidate did something themselves; Actions
	// lists the verbs, strong ones and weak ones ("helped") alike.
	Action      bool     `json:"action"`
	Actions     []string `json:"actions"`
	StrongDeeds int      `json:"strong_deeds"`
	WeakDeeds   int      `json:"weak_deeds"`
	WeDeeds     int      `json:"we_deeds"`
	WeCount     int      `json:"we_count"`
	// PastClauses counts clauses about what happened; Hypothetical those
	// about what the candidate would or usually does, or advice to "you".
	PastClauses  int `json:"past_clauses"`
	Hypothetical int `json:"hypothetical"`
	// Result is a completed change or a measured one; QuantifiedResult a
	// believable comparison with numbers.
	Result           bool     `json:"result"`
	QuantifiedResult bool     `json:"quantified_result"`
	Comparisons      int      `json:"comparisons"`
	Implausible      []string `json:"implausible,omitempty"`
	Metrics          []string `json:"metrics"`
	Reflection       bool     `json:"reflection"`
	Reflections      int      `json:"reflections"`
	NoReflection     bool     `json:"no_reflection"`
	Impact           bool     `json:"impact"`
	TimeFrame        bool     `json:"time_frame"`
	ProperNouns      int      `json:"proper_nouns"`
	Hedges           int      `json:"hedges"`
	NoMeasure        bool     `json:"no_measure"`
	Forgotten        []Gap    `json:"forgotten,omitempty"`
	// Blame is true when the candidate puts the failure on others and
	// never turns from it to their own part.
	Blame          bool `json:"blame"`
	OwnPart        bool `json:"own_part"`
	Injection      bool `json:"injection"`
	PrincipleNames int  `json:"principle_names"`
	Buzzwords      int  `json:"buzzwords"`
	Headings       int  `json:"headings"`
	// LessonWords counts the words of the sentences that reflect;
	// ImpactDetail the lasting changes stated with a number or a name.
	LessonWords  int `json:"lesson_words"`
	ImpactDetail int `json:"impact_detail"`
	// Approximate counts numbers given as rough ("about 40"); Hype words
	// that inflate without measuring ("huge", "dramatically").
	Approximate int `json:"approximate"`
	// OthersFailed counts clauses where someone else failed or did not act;
	// Inaction those where the candidate did not.
	OthersFailed int `json:"others_failed"`
	// General counts claims about people in general; Deflections the
	// follow-up replies that add nothing new (short, forgotten, "nothing").
	General     int `json:"general"`
	Deflections int `json:"deflections"`
	Inaction    int `json:"inaction"`
	Hype        int `json:"hype"`
	// FollowUps counts the probes the story needed.
	FollowUps int `json:"follow_ups"`
	// Scope is how far the story reaches, from 1 (one's own task) to 5 (a
	// business unit or the company); see scope.go.
	Scope     int        `json:"scope"`
	Sentences []Sentence `json:"-"`
}

// Sentence is one sentence of a candidate turn, kept as an exact substring
// of the turn's text so that it can be quoted verbatim, with what its
// clauses say.
type Sentence struct {
	Seq          int
	Text         string
	Answers      Gap // the probe this sentence answers; "" for the opening
	lower        string
	group        bool // names a group a change reached: a team, a site, every new hire
	proper       int  // capitalised words that are not the first of the sentence
	Situation    bool
	Task         bool
	Actions      []string // verbs of the candidate's own deeds
	Strong       int      // deeds with a verb of doing
	We           int
	WeDeeds      int
	Past         int
	Hypothetical int
	Metrics      []string
	Compared     int    // believable numeric comparisons
	Implausible  string // why a stated number cannot be right
	Result       bool
	Reflection   bool
	Impact       bool
	Injection    bool
	TimeFrame    bool
	Forgot       bool
	NoReflection bool
	Blames       bool
	Approximate  int
	Hype         int
	General      int
	OthersFailed int
	Inaction     int
}

// Analyze reads the candidate turns among turns and reports what the story
// contains. Interviewer turns tell which probe each answer responds to.
func Analyze(turns []Turn) Analysis {
	var a Analysis
	analyzeInto(&a, turns)
	return a
}

// analysisPool keeps analyses whose slices the next answer may reuse; see
// reusedAnalysis.
var analysisPool = sync.Pool{New: func() any { return new(Analysis) }}

// reusedAnalysis is Analyze into an analysis from a pool, for a caller that
// is done with it before it calls the returned release. A steady stream of
// answers then reuses one set of sentence records instead of leaving them
// to the collector, whose pauses would otherwise land on some answers.
func reusedAnalysis(turns []Turn) (*Analysis, func()) {
	a := analysisPool.Get().(*Analysis)
	analyzeInto(a, turns)
	return a, func() {
		clear(a.Sentences[:cap(a.Sentences)])
		clear(a.Actions[:cap(a.Actions)])
		clear(a.Metrics[:cap(a.Metrics)])
		clear(a.Implausible[:cap(a.Implausible)])
		*a = Analysis{Sentences: a.Sentences[:0], Actions: a.Actions[:0], Metrics: a.Metrics[:0],
			Implausible: a.Implausible[:0], Forgotten: a.Forgotten[:0]}
		analysisPool.Put(a)
	}
}

// analyzeInto is Analyze writing into a, which must be empty but may
// bring slices with room to reuse.
func analyzeInto(a *Analysis, turns []Turn) {
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	seenVerb, seenName := sc.seenVerb, sc.seenName
	var answering Gap
	first := true
	for _, t := range turns {
		if t.Speaker != SpeakerCandidate {
			answering = ""
			if t.Kind == KindFollowUp {
				answering = Gap(t.Probe)
				a.FollowUps++
			}
			continue
		}
		n := append(sc.counts[:0], make([]int, turnCues.counts)...)
		sc.counts = n
		sc.buf = appendPaddedLower(sc.buf[:0], t.Text, false) // curly apostrophes kept, as the turn's cues expect
		countCues(turnCues, sc.buf, n)
		words := wordCount(t.Text)
		a.Words += words
		sc.nums = slices.Grow(sc.nums, words) // at most one number field per word
		for i, name := range principleNames {
			if !seenName[name] && n[cueName+i] > 0 {
				seenName[name] = true
				a.PrincipleNames++
			}
		}
		a.Buzzwords += n[cueBuzzword]
		a.Hedges += n[cueHedge]
		a.Headings += n[cueHeading]
		if n[cueNoMeasure] > 0 {
			a.NoMeasure = true
		}
		if n[cueOwnPart] > 0 {
			a.OwnPart = true
		}
		sc.sentences = appendSentences(sc.sentences[:0], t.Text)
		sentences := sc.sentences
		a.Sentences = slices.Grow(a.Sentences, len(sentences))
		// Every sentence padded and lowercased, in one string: sentence i
		// is lowered[sc.bounds[i]:sc.bounds[i+1]].
		sc.buf, sc.bounds = sc.buf[:0], append(sc.bounds[:0], 0)
		for _, text := range sentences {
			sc.buf = appendPaddedLower(sc.buf, text, true)
			sc.bounds = append(sc.bounds, len(sc.buf))
		}
		lowered := string(sc.buf)
		forgot := false
		for i, text := range sentences {
			s := analyzeSentence(t.Seq, text, lowered[sc.bounds[i]:sc.bounds[i+1]], answering, sc)
			// The opening lines of the first answer usually set the scene.
			// sc.fields still holds this sentence's fields.
			if first && i < 3 && (s.Situation || hasProperContext(sc.fields)) {
				s.Situation = true
			}
			forgot = forgot || s.Forgot
			a.add(s, seenVerb)
		}
		if answering != "" && (forgot || deflects(t.Text)) {
			a.Deflections++
		}
		first = false
	}
	a.Action = len(a.Actions) > 0
	for i, s := range a.Sentences {
		if s.Blames && !a.OwnPart && !overcome(s, a.Sentences[i+1:]) {
			a.Blame = true
		}
	}
	a.Result = a.Result || a.Comparisons > 0
	a.QuantifiedResult = a.Comparisons > 0
	a.Reflection = a.Reflections > 0 && !(a.NoReflection && a.Reflections < 2)
	// The sentences' number fields are every field of the answers, in
	// order: sentences split only at spaces.
	a.Scope = scopeOf(sc.nums, &sc.buf)
}

// add folds one sentence into the analysis.
func (a *Analysis) add(s Sentence, seenVerb map[string]bool) {
	a.Sentences = append(a.Sentences, s)
	a.Situation = a.Situation || s.Situation
	a.Task = a.Task || s.Task
	a.Result = a.Result || s.Result
	a.Comparisons += s.Compared
	if s.Implausible != "" {
		a.Implausible = append(a.Implausible, s.Implausible)
	}
	a.Injection = a.Injection || s.Injection
	if s.Reflection {
		a.Reflections++
		a.LessonWords += wordCount(s.Text)
	}
	if s.Impact && (len(s.Metrics) > 0 || s.proper > 0 || s.group) {
		a.ImpactDetail++
	}
	a.Approximate += s.Approximate
	a.OthersFailed += s.OthersFailed
	a.General += s.General
	a.Inaction += s.Inaction
	a.Hype += s.Hype
	a.NoReflection = a.NoReflection || s.NoReflection
	a.Impact = a.Impact || s.Impact
	a.WeCount += s.We
	a.WeDeeds += s.WeDeeds
	a.StrongDeeds += s.Strong
	a.WeakDeeds += len(s.Actions) - s.Strong
	a.PastClauses += s.Past
	a.Hypothetical += s.Hypothetical
	a.Metrics = append(a.Metrics, s.Metrics...)
	a.TimeFrame = a.TimeFrame || s.TimeFrame
	a.ProperNouns += s.proper
	if s.Forgot {
		g := s.Answers
		if g == "" || g == GapSituation {
			g = GapMetrics
		}
		if !slices.Contains(a.Forgotten, g) {
			a.Forgotten = append(a.Forgotten, g)
		}
	}
	for _, v := range s.Actions {
		if !seenVerb[v] {
			seenVerb[v] = true
			a.Actions = append(a.Actions, v)
		}
	}
}

// scratch holds what one Analyze call reuses from sentence to sentence:
// the token, word and clause buffers, and the number fields of every
// sentence so far, which the story's scope is read from.
type scratch struct {
	toks, words, nums []string
	fields            []string    // a sentence's space-separated fields
	classes           []wordClass // of toks
	clauses           []clause
	buf               []byte // a padded lowercase text being read
	sentences         []string
	bounds            []int // where each sentence starts in buf
	counts            []int // a turn's cue counts
	// The verbs and principle names met so far in the answers.
	seenVerb, seenName map[string]bool
}

// scratchPool keeps scratch buffers between Analyze calls, so that a
// steady stream of answers allocates them once.
var scratchPool = sync.Pool{New: func() any {
	return &scratch{seenVerb: map[string]bool{}, seenName: map[string]bool{}}
}}

// release empties the buffers and returns them to the pool; nothing they
// point to outlives the Analyze call.
func (sc *scratch) release() {
	clear(sc.toks[:cap(sc.toks)])
	clear(sc.words[:cap(sc.words)])
	clear(sc.nums[:cap(sc.nums)])
	clear(sc.clauses[:cap(sc.clauses)])
	clear(sc.sentences[:cap(sc.sentences)])
	clear(sc.fields[:cap(sc.fields)])
	sc.toks, sc.words, sc.nums, sc.classes, sc.clauses, sc.buf = sc.toks[:0], sc.words[:0], sc.nums[:0], sc.classes[:0], sc.clauses[:0], sc.buf[:0]
	sc.sentences, sc.bounds, sc.fields = sc.sentences[:0], sc.bounds[:0], sc.fields[:0]
	clear(sc.seenVerb)
	clear(sc.seenName)
	scratchPool.Put(sc)
}

// analyzeSentence reads one sentence clause by clause, given as written
// and as appendPaddedLower gives it with apostrophes made straight.
// answering is the
// probe the sentence responds to, which changes how some clauses count: in
// an answer to "what would you do differently" a plain change of practice
// is a reflection, and in an answer to "what lasted" a plain present-tense
// statement is.
func analyzeSentence(seq int, text, padded string, answering Gap, sc *scratch) Sentence {
	lower := padded[1 : len(padded)-1]
	sc.toks = appendClauseTokens(sc.toks[:0], lower)
	toks := sc.toks
	sc.words = sc.words[:0]
	for _, w := range toks {
		if !clausePunct(w) {
			sc.words = append(sc.words, w) // the words tokenize gives
		}
	}
	words := sc.words
	s := Sentence{Seq: seq, Text: text, Answers: answering, lower: lower}
	var n [numSentenceCues]int
	countCues(sentenceCues, padded, n[:])
	s.Situation = n[cueSituation] > 0
	s.Task = n[cueTask] > 0
	s.Injection = n[cueInjection] > 0 || n[cueMeta] > 0 && n[cueAssessment] > 0
	s.TimeFrame = n[cueMonth] > 0 || n[cueTime] > 0 || hasYear(words)
	sc.fields = sc.fields[:0]
	for f := range strings.FieldsSeq(text) {
		sc.fields = append(sc.fields, f)
	}
	s.Metrics = metricsOf(sc.fields)
	s.Forgot = n[cueForget] > 0 || cannotRecall(words)
	s.NoReflection = n[cueNoReflection] > 0
	s.Blames = n[cueBlame] > 0
	s.group = n[cueGroup] > 0
	s.proper = properNouns(sc.fields)
	for _, w := range words {
		if w == "we" || w == "us" || w == "our" {
			s.We++
		}
	}
	start := len(sc.nums)
	sc.nums = appendNumberFields(sc.nums, lower)
	nums := sc.nums[start:]
	s.Approximate = approximations(nums)
	s.Hype = n[cueHype]
	sc.classes = appendWordClasses(sc.classes[:0], toks)
	sc.clauses = appendClauses(sc.clauses[:0], toks, sc.classes)
	cs := sc.clauses
	reflective := n[cueHindsight] > 0
	for _, c := range cs {
		if ok, strong := c.deed(); ok {
			s.Actions = append(s.Actions, c.verb)
			if strong {
				s.Strong++
			}
		}
		if c.subject == subjWe && c.tense == tensePast && !c.negated && c.object {
			s.WeDeeds++
		}
		if c.tense == tensePast && !c.negated {
			s.Past++
			if completionVerbs.has(c.verb) || changeVerbs.has(c.verb) {
				s.Result = true
			}
		}
		if c.hypothetical() {
			s.Hypothetical++
		}
		if c.generalization() {
			s.General++
		}
		switch {
		case c.subject == subjOther && c.verb != "" && (c.negated && c.tense != tenseNone || failVerbs.has(c.verb)):
			s.OthersFailed++
		case c.subject == subjI && c.negated && (c.tense == tensePast || c.tense == tensePresent):
			s.Inaction++
		}
		if c.reflection() {
			reflective = true
		}
		if c.lasting() {
			s.Impact = true
		}
	}
	for cmp := range comparisons(nums) {
		if cmp.implausible != "" {
			s.Implausible = cmp.implausible
			continue
		}
		s.Compared++
	}
	if s.Compared > 0 && n[cueTarget] > 0 && !pastChange(cs) {
		s.Compared = 0 // a number in a request or a goal is a target
	}
	if s.Compared > 0 {
		s.Result = true
	}
	if n[cueSettled] > 0 {
		s.Result = true
	}
	if s.Result && n[cueFuture] > 0 && s.Compared == 0 {
		s.Result = false
	}
	if !s.Impact && n[cueLasting] > 0 {
		s.Impact = true
	}
	switch answering {
	case GapDifferently:
		reflective = reflective || len(words) >= 4 && !s.Forgot
	case GapImpact:
		s.Impact = s.Impact || len(words) >= 5 && presentTense(cs) && !s.Forgot
	}
	s.Reflection = reflective && !s.NoReflection && n[cueNotReflection] == 0
	if s.Impact && (s.Forgot || n[cueNoImpact] > 0) {
		s.Impact = false
	}
	if s.Forgot {
		s.Result = s.Result && s.Compared > 0
	}
	return s
}

// reflection reports a clause of learning or changed practice: "I learned
// to …", "I should have …", "I now …", "I'd involve them first".
func (c clause) reflection() bool {
	if c.negated {
		return false
	}
	for i := 0; i+1 < len(c.words); i++ {
		if c.words[i] == "i" && c.classes[i+1].has(classLearn) {
			return true // "I learned …", "what I realized"
		}
	}
	switch {
	case c.subject == subjI && lookingBack(c):
		return true
	case c.subject == subjI && c.tense == tenseModal && !sayVerbs.has(c.verb) && c.object && anyClass(c.classes, classChangeOfPractice):
		return true
	case c.subject == subjI && c.tense == tensePresent && slices.Contains(c.words, "now") && !beVerbs.has(c.verb):
		return true
	}
	return anyClass(c.classes, classLesson)
}

// lasting reports a clause about something that outlived the story: "the
// alarm still fires", "it became the default", "nobody does it by hand
// anymore".
func (c clause) lasting() bool {
	if c.negated && !slices.Contains(c.words, "anymore") && !slices.Contains(c.words, "longer") {
		return false
	}
	if c.tense == tenseModal || c.hypothetical() {
		return false
	}
	return anyClass(c.classes, classPersistence) && (c.tense == tensePresent || c.tense == tensePast && c.verb != "") ||
		c.tense == tensePast && adoptionVerbs.has(c.verb)
}

// deflects reports a follow-up answer that adds nothing: a few words, a
// part the candidate cannot recall, or "nothing".
func deflects(text string) bool {
	if wordCount(text) < 8 {
		return true
	}
	var n [1]int
	countCues(deflectCues, appendPaddedLower(nil, text, true), n[:])
	return n[0] > 0
}

// approximations counts numbers given as rough: "about 40", "roughly
// half", "a few hundred".
func approximations(ws []string) int {
	n := 0
	for i := 0; i+1 < len(ws); i++ {
		if !approximators.has(ws[i]) {
			continue
		}
		if _, ok := readQuantity(ws, i+1); ok || ws[i+1] == "few" || ws[i+1] == "couple" || ws[i+1] == "half" {
			n++
		}
	}
	return n
}

// pastChange reports a clause in the past whose verb states a change or
// a completion.
func pastChange(cs []clause) bool {
	for _, c := range cs {
		if c.tense == tensePast && !c.negated && (changeVerbs.has(c.verb) || completionVerbs.has(c.verb)) {
			return true
		}
	}
	return false
}

// presentTense reports a clause in the present that is not hypothetical.
func presentTense(cs []clause) bool {
	for _, c := range cs {
		if c.tense == tensePresent && !c.hypothetical() && !c.negated {
			return true
		}
	}
	return false
}

// properNouns counts capitalised words that do not start the sentence: the
// names of places, products and people that make a story checkable.
func properNouns(fields []string) int {
	n := 0
	p := ""
	for i, w := range fields {
		prev := p
		p = w
		if i == 0 || w == "I" || strings.HasPrefix(w, "I'") || strings.HasPrefix(w, "I’") {
			continue
		}
		if strings.HasSuffix(prev, ".") || strings.HasSuffix(prev, ":") || strings.HasSuffix(prev, "?") || strings.HasSuffix(prev, "!") {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

// tokenize splits lowercased text into words of letters, digits and
// apostrophes.
func tokenize(lower string) []string {
	return appendTokens(make([]string, 0, len(lower)/5+1), lower)
}

// appendTokens appends the words of lower to out, as tokenize splits them.
func appendTokens(out []string, lower string) []string {
	start := -1
	for i := 0; i < len(lower); {
		c := lower[i]
		in, size := false, 1
		if c < utf8.RuneSelf {
			in = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '\''
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(lower[i:])
			in = unicode.IsLetter(r) || unicode.IsDigit(r) || r == '’'
		}
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, lower[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = append(out, lower[start:])
	}
	return out
}

// metrics returns the quantities in text: "41%", "$2.9 million", "220
// milliseconds", "3.4 times". Years and levels like "L6" are not metrics.
func metrics(text string) []string {
	return metricsOf(strings.Fields(text))
}

// metricsOf is metrics for a sentence's space-separated fields.
func metricsOf(fields []string) []string {
	var out []string
	pending := "" // a number that the next field may give a unit to
	for _, f := range fields {
		core := trimASCII(f, &metricWrapping)
		if pending != "" {
			if isUnit(core) {
				pending += " " + core
			}
			out = append(out, pending)
			pending = ""
		}
		if !hasDigit(core) {
			// Only an ASCII word of 5 to 7 letters can lower to one of these.
			if n := len(core); n >= 5 && n <= 7 {
				lw := strings.ToLower(core)
				if lw == "percent" || lw == "doubled" || lw == "tripled" || lw == "halved" || lw == "twice" {
					out = append(out, core)
				}
			}
			continue
		}
		if isYear(core) || isLabel(core) {
			continue
		}
		if strings.IndexByte(core, '%') < 0 && strings.IndexByte(core, '$') < 0 && !endsClause(f) {
			pending = core
			continue
		}
		out = append(out, core)
	}
	if pending != "" {
		out = append(out, pending)
	}
	return out
}

// metricWrapping is the punctuation metrics trims from a field.
var metricWrapping = byteSet(".,;:!?()\"'")

// byteSet returns the set of the bytes of s.
func byteSet(s string) (set [256]bool) {
	for i := 0; i < len(s); i++ {
		set[s[i]] = true
	}
	return set
}

// trimASCII is strings.Trim with a cutset of ASCII bytes given as a set.
func trimASCII(s string, set *[256]bool) string {
	for len(s) > 0 && set[s[0]] {
		s = s[1:]
	}
	for len(s) > 0 && set[s[len(s)-1]] {
		s = s[:len(s)-1]
	}
	return s
}

// isUnit reports whether the word after a number names what was counted.
func isUnit(w string) bool {
	if n := utf8.RuneCountInString(w); n < 2 || n > 13 || unitStop.has(strings.ToLower(w)) {
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

// timeCues mark when a story happened or for how long.
var timeCues = []string{"last year", "last spring", "last summer", "last fall", "last winter", "last quarter", "last month",
	" weeks", " months", " quarters", " sprints", " days", "within ", "q1", "q2", "q3", "q4"}

// hasYear reports a year among a sentence's words.
func hasYear(words []string) bool {
	for _, w := range words {
		if isYear(w) {
			return true
		}
	}
	return false
}

// hasProperContext reports a capitalised name after "at", "for" or "with",
// as in "at Pantrio" or "for Ferrowind": a concrete place for the story.
func hasProperContext(fields []string) bool {
	after := false // the previous field was one of the words above
	for _, f := range fields {
		if after {
			r, _ := utf8.DecodeRuneInString(f)
			if unicode.IsUpper(r) && f != "I" {
				return true
			}
		}
		after = len(f) <= 6 && (strings.EqualFold(f, "at") || strings.EqualFold(f, "for") ||
			strings.EqualFold(f, "with") || strings.EqualFold(f, "joined"))
	}
	return false
}

// splitSentences splits text into sentences, each an exact substring of text
// with surrounding spaces trimmed.
func splitSentences(text string) []string {
	return appendSentences(nil, text)
}

// appendSentences appends the sentences of text to out, as splitSentences
// splits them.
func appendSentences(out []string, text string) []string {
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
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	// An abbreviation is short, so the last 16 bytes of s are enough.
	tail := s
	if len(tail) > 16 {
		tail = tail[len(tail)-16:]
		if i := strings.LastIndexFunc(tail, unicode.IsSpace); i >= 0 {
			tail = tail[i:]
		} else {
			return false // a last word longer than any abbreviation
		}
	}
	last := strings.ToLower(tail[strings.LastIndexFunc(tail, unicode.IsSpace)+1:])
	switch last {
	case "a.m.", "p.m.", "e.g.", "i.e.", "mr.", "ms.", "dr.", "vs.", "etc.", "approx.", "no.", "u.s.":
		return true
	}
	return false
}

// cannotRecall reports "I" followed by a negation and then, at most two
// words on, "remember" or "recall", as in
// "I honestly can't quite recall".
func cannotRecall(words []string) bool {
	for i, w := range words {
		if w != "i" {
			continue
		}
		neg := -1
		for j := i + 1; j < len(words) && j <= i+6; j++ {
			switch {
			case negations.has(words[j]) || strings.HasSuffix(words[j], "n't") || words[j] == "cannot":
				neg = j
			case neg >= 0 && j-neg <= 3 && (words[j] == "remember" || words[j] == "recall"):
				return true
			}
		}
	}
	return false
}

// appendPaddedLower appends " " + the lowercased text + " " to dst,
// making curly apostrophes straight when straighten is set.
func appendPaddedLower(dst []byte, text string, straighten bool) []byte {
	dst = append(dst, ' ')
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			rest := text[i:]
			if straighten {
				rest = strings.ReplaceAll(rest, "’", "'")
			}
			dst = append(dst, strings.ToLower(rest)...)
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return append(dst, ' ')
}

// hasDigit reports an ASCII digit in s.
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}

// endsClause reports a comma, semicolon, colon or full stop in s.
func endsClause(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', ';', ':', '.':
			return true
		}
	}
	return false
}

// wordCount is len(strings.Fields(s)), without the slice.
func wordCount(s string) int {
	n := 0
	for range strings.FieldsSeq(s) {
		n++
	}
	return n
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
