package agent

import "slices"

// A cueMatcher finds, in one pass over a text, how often each of several
// cue lists occurs in it: an Aho–Corasick automaton over every cue of every
// list, compiled once into a table of transitions. It gives the same
// answers as calling strings.Contains or strings.Count for each cue, at the
// cost of one table lookup per byte instead of one scan per cue.
//
// Texts are passed padded with one space on each side. A list marked
// bounded matches as if on the text without that padding, so its cues
// cannot use the outer spaces; the others may, which is how " team "
// matches at the start of a sentence.
type cueMatcher struct {
	class  [256]uint8 // byte → column of the table
	width  int        // columns per state
	next   []int32    // state*width + column → next state*width, negated when cues end there
	out    [][]int32  // state → cues that end there, suffixes included
	cues   []cue
	counts int // how many lists
}

// A cueList is one list for a matcher: its cues, and whether they may
// match the padding spaces.
type cueList struct {
	cues    []string
	bounded bool
}

// A cue is one pattern of one list.
type cue struct {
	list    int
	n       int
	bounded bool
}

// newCueMatcher compiles lists; the counts it reports are indexed like
// lists.
func newCueMatcher(lists []cueList) *cueMatcher {
	m := &cueMatcher{counts: len(lists)}
	// Bytes that appear in no cue share one column.
	used := [256]bool{}
	for _, l := range lists {
		for _, c := range l.cues {
			for i := 0; i < len(c); i++ {
				used[c[i]] = true
			}
		}
	}
	m.width = 1
	for b := range used {
		if used[b] {
			m.class[b] = uint8(m.width)
			m.width++
		}
	}
	// The trie of all cues.
	goTo := []map[uint8]int32{{}}
	m.out = [][]int32{nil}
	for li, l := range lists {
		for _, c := range l.cues {
			if c == "" {
				continue
			}
			s := int32(0)
			for i := 0; i < len(c); i++ {
				col := m.class[c[i]]
				t, ok := goTo[s][col]
				if !ok {
					t = int32(len(goTo))
					goTo[s][col] = t
					goTo = append(goTo, map[uint8]int32{})
					m.out = append(m.out, nil)
				}
				s = t
			}
			m.out[s] = append(m.out[s], int32(len(m.cues)))
			m.cues = append(m.cues, cue{list: li, n: len(c), bounded: l.bounded})
		}
	}
	// Breadth first, fill every transition and fold each state's failure
	// outputs into its own.
	m.next = make([]int32, len(goTo)*m.width)
	fail := make([]int32, len(goTo))
	queue := []int32{}
	for col := 0; col < m.width; col++ {
		if t, ok := goTo[0][uint8(col)]; ok {
			m.next[col] = t
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = append(m.out[s], m.out[fail[s]]...)
		for col := 0; col < m.width; col++ {
			t, ok := goTo[s][uint8(col)]
			if !ok {
				m.next[int(s)*m.width+col] = m.next[int(fail[s])*m.width+col]
				continue
			}
			m.next[int(s)*m.width+col] = t
			fail[t] = m.next[int(fail[s])*m.width+col]
			queue = append(queue, t)
		}
	}
	// Store each target premultiplied by the width, so that countCues adds
	// the column without a multiplication, and mark the transitions into
	// states where cues end, so that it looks at m.out only there.
	w := int32(m.width)
	for i, t := range m.next {
		m.next[i] = t * w
		if len(m.out[t]) > 0 {
			m.next[i] = -t * w
		}
	}
	return m
}

// countCues adds to counts (one per list of m) the occurrences of each
// list's cues in padded, a text, as a string or as bytes, with one space
// added at each end. Occurrences of one cue are counted without overlap,
// as strings.Count does.
func countCues[T string | []byte](m *cueMatcher, padded T, counts []int) {
	var buf [8]cueEnd
	ends := buf[:0] // last counted end of each cue that matched, usually few
	s := int32(0)   // the state times the width
	for i := 0; i < len(padded); i++ {
		s = m.next[int(s)+int(m.class[padded[i]])]
		if s >= 0 {
			continue
		}
		s = -s
		for _, id := range m.out[int(s)/m.width] {
			c := m.cues[id]
			end := i + 1
			start := end - c.n
			if c.bounded && (start < 1 || end > len(padded)-1) {
				continue
			}
			if overlaps(ends, id, start) {
				continue
			}
			ends = markEnd(ends, id, end)
			counts[c.list]++
		}
	}
}

// A cueEnd is where the last counted occurrence of a cue ended.
type cueEnd struct {
	id  int32
	end int
}

func overlaps(ends []cueEnd, id int32, start int) bool {
	for _, e := range ends {
		if e.id == id {
			return start < e.end
		}
	}
	return false
}

func markEnd(ends []cueEnd, id int32, end int) []cueEnd {
	for i := range ends {
		if ends[i].id == id {
			ends[i].end = end
			return ends
		}
	}
	return append(ends, cueEnd{id, end})
}

// The lists a sentence is read with, as indexes into sentenceCues' counts.
const (
	cueSituation = iota
	cueTask
	cueInjection
	cueMeta
	cueAssessment
	cueMonth
	cueTime
	cueForget
	cueNoReflection
	cueBlame
	cueGroup
	cueHype
	cueHindsight
	cueTarget
	cueSettled
	cueFuture
	cueLasting
	cueNotReflection
	cueNoImpact
	numSentenceCues
)

// sentenceLists are the cue lists a sentence is read with; sentenceCues
// reads them all in one pass.
var (
	sentenceLists = []cueList{
		cueSituation:     {situationCues, true},
		cueTask:          {taskCues, true},
		cueInjection:     {injectionCues, true},
		cueMeta:          {metaReferences, false},
		cueAssessment:    {assessmentWords, false},
		cueMonth:         {months, true},
		cueTime:          {timeCues, true},
		cueForget:        {forgetCues, false},
		cueNoReflection:  {noReflectionCues, false},
		cueBlame:         {blameCues, true},
		cueGroup:         {groupCues, true},
		cueHype:          {hypeCues, false},
		cueHindsight:     {hindsightCues, false},
		cueTarget:        {targetCues, false},
		cueSettled:       {settledCues, false},
		cueFuture:        {futureCues, false},
		cueLasting:       {lastingCues, false},
		cueNotReflection: {notReflectionCues, false},
		cueNoImpact:      {noImpactCues, false},
	}
	sentenceCues = newCueMatcher(sentenceLists)
)

// The lists a whole answer is read with, as indexes into turnCues' counts;
// each principle name is a list of its own, from cueName on.
const (
	cueBuzzword = iota
	cueHedge
	cueNoMeasure
	cueOwnPart
	cueHeading
	cueName
)

// turnLists are the cue lists a whole answer is read with; turnCues reads
// them all in one pass.
var (
	turnLists = append([]cueList{
		cueBuzzword:  {buzzwords, true},
		cueHedge:     {hedgeCues, false},
		cueNoMeasure: {noMeasureCues, true},
		cueOwnPart:   {ownPartCues, true},
		cueHeading:   {headings, true},
	}, nameLists()...)
	turnCues = newCueMatcher(turnLists)
)

// headings are the outline's labels recited as headings: "Situation:".
var headings = []string{"situation:", "task:", "action:", "actions:", "result:", "results:", "impact:", "learning:"}

// nameLists makes each principle name a list of one.
func nameLists() []cueList {
	out := make([]cueList, len(principleNames))
	for i, n := range principleNames {
		out[i] = cueList{[]string{n}, true}
	}
	return out
}

// deflectLists mark a follow-up answer that adds nothing; deflectCues
// reads them.
var (
	deflectLists = []cueList{{
		slices.Concat(forgetCues, noReflectionCues,
			[]string{" i don't know", " not sure", " no idea", " nothing to add", " don't have more"}),
		false,
	}}
	deflectCues = newCueMatcher(deflectLists)
)

// scopeLists raise a story's scope to a tier, from ScopeTeam upwards.
var scopeLists = [...]cueList{
	{slices.Concat(teamCues, []string{" team ", " manager of "}), false},
	{teamsCues, false},
	{orgCues, false},
	{companyCues, false},
}

// scopeCues reads scopeLists in one pass.
var scopeCues = newCueMatcher(scopeLists[:])
