package agent

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// VerifyEvidence keeps the quotes that really are in the candidate's words.
// A quote matches when, after folding runs of white space, it is a substring
// of candidate turn Seq; it is then replaced by the exact substring of the
// stored text. It returns the verified quotes and how many were dropped.
func VerifyEvidence(turns []Turn, quotes []Evidence) ([]Evidence, int) {
	bySeq := map[int]string{}
	for _, t := range turns {
		if t.Speaker == SpeakerCandidate {
			bySeq[t.Seq] = t.Text
		}
	}
	out := []Evidence{}
	dropped := 0
	seen := map[Evidence]bool{}
	for _, q := range quotes {
		text, ok := bySeq[q.Seq]
		exact, found := "", false
		if ok {
			exact, found = findNormalized(text, q.Quote)
		}
		if !found || seen[Evidence{q.Seq, exact}] {
			dropped++
			continue
		}
		e := Evidence{Seq: q.Seq, Quote: exact}
		seen[e] = true
		out = append(out, e)
	}
	return out, dropped
}

// findNormalized finds quote in text ignoring differences in white space
// and returns the exact substring of text that matched.
func findNormalized(text, quote string) (string, bool) {
	q := strings.Join(strings.Fields(quote), " ")
	if q == "" {
		return "", false
	}
	// Build text with folded white space and a map back to byte offsets.
	var norm strings.Builder
	var offs []int
	space := false
	for i, r := range text {
		if unicode.IsSpace(r) {
			if !space && norm.Len() > 0 {
				norm.WriteByte(' ')
				offs = append(offs, i)
			}
			space = true
			continue
		}
		space = false
		start := norm.Len()
		norm.WriteRune(r)
		for k := start; k < norm.Len(); k++ {
			offs = append(offs, i)
		}
	}
	n := norm.String()
	idx := strings.Index(n, q)
	if idx < 0 {
		return "", false
	}
	end := idx + len(q) - 1
	start := offs[idx]
	last := offs[end]
	// Extend to the end of the rune at the last matched byte.
	stop := last + 1
	for stop < len(text) && !utf8.RuneStart(text[stop]) {
		stop++
	}
	return text[start:stop], true
}
