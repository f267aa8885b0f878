package agent

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets of the agent package: the rules' reading of an answer
// and the Markdown debrief. scripts/fuzz.sh runs each in turn; plain go
// test runs their seeds and testdata/fuzz corpora.

// maxAnalyzeTime bounds one reading of two answers at the length limit,
// follow-up choice and rules grade included. It is far above what they
// take (milliseconds) so that only a blow-up, not a slow machine, fails.
const maxAnalyzeTime = 2 * time.Second

// capRunes returns s cut to at most n runes.
func capRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// fuzzTurns is a principle's conversation: the opening, the first answer
// and, when second is not empty, a follow-up probing gap and its answer.
func fuzzTurns(first, second string, gap Gap) []Turn {
	turns := []Turn{
		{Seq: 1, Speaker: SpeakerInterviewer, Kind: KindOpening, Principle: "ownership", Text: "Tell me about a time you took on work nobody owned."},
		{Seq: 2, Speaker: SpeakerCandidate, Kind: KindAnswer, Principle: "ownership", Text: first},
	}
	if second != "" {
		turns = append(turns,
			Turn{Seq: 3, Speaker: SpeakerInterviewer, Kind: KindFollowUp, Principle: "ownership", FollowUp: 1, Probe: string(gap), Text: "And then?"},
			Turn{Seq: 4, Speaker: SpeakerCandidate, Kind: KindAnswer, Principle: "ownership", FollowUp: 1, Text: second})
	}
	return turns
}

// negativeInts returns the names of the int fields of the struct v that
// are below zero.
func negativeInts(v any) []string {
	var out []string
	rv := reflect.ValueOf(v)
	for i := 0; i < rv.NumField(); i++ {
		if f := rv.Field(i); f.Kind() == reflect.Int && f.Int() < 0 {
			out = append(out, rv.Type().Field(i).Name)
		}
	}
	return out
}

// FuzzAnalyze reads one or two arbitrary answers, each cut to the length
// limit, as the rules do after every answer: Analyze, the follow-up
// choice and Rules.Decide, the quote the rules' question points at, and
// GradeRules. It checks that reading is deterministic even with another
// reading in between (the scratch buffers are pooled), that it leaves the
// turns alone, that no count is negative, that every sentence, metric,
// echoed quote and evidence quote is taken from the answers, that the
// choice of gaps is consistent, and that it all takes bounded time.
func FuzzAnalyze(f *testing.F) {
	f.Add("I took over the flaky deploy pipeline when nobody else would. I rewrote the retry logic myself, and failed deploys fell from 12 a week to 1 within a month.", "", uint8(0))
	f.Add("We shipped it.", "Honestly I don't remember the numbers. The team decided most of it.", uint8(1))
	f.Add("In 2023 at Acme, my manager asked me to cut cloud spend. I would usually start by asking around.", "I learned to measure first. Next time I'd set up the dashboards before changing anything.", uint8(3))
	f.Add("# Situation\n- it broke\n- I fixed it by 40%!!! \u201cquoted\u201d \u00e9t\u00e9 \x00 \xff", "\n\n\t", uint8(5))
	f.Add(strings.Repeat("I fixed it. ", 700), strings.Repeat("x", 9000), uint8(7))
	other := fuzzTurns(benchAnswer(3000), "It cut the pager load by half, about 30 alerts a week.", GapMetrics)
	f.Fuzz(func(t *testing.T, first, second string, g uint8) {
		first, second = capRunes(first, MaxAnswerRunes), capRunes(second, MaxAnswerRunes)
		turns := fuzzTurns(first, second, AllGaps[int(g)%len(AllGaps)])
		kept := slices.Clone(turns)
		start := time.Now()
		a := Analyze(turns)
		missing, allowed := followUpChoices(turns, a)
		p := Principle{ID: "ownership", Name: "Ownership"}
		d, _, err := Rules{}.Decide(t.Context(), DecideInput{Principle: p, Turns: turns, Analysis: a, Missing: missing, Allowed: allowed})
		quote := echo(d.Gap, a)
		grade := GradeRules(GradeInput{Principle: p, Role: RoleSDE, Level: "L5", Turns: turns, Analysis: a})
		if took := time.Since(start); took > maxAnalyzeTime {
			t.Fatalf("reading %d and %d characters took %v, over %v", len(first), len(second), took, maxAnalyzeTime)
		}
		if err != nil {
			t.Fatalf("Decide: %v", err)
		}
		if !reflect.DeepEqual(turns, kept) {
			t.Fatal("Analyze changed the turns it read")
		}
		Analyze(other)
		if again := Analyze(turns); !reflect.DeepEqual(a, again) {
			t.Fatalf("Analyze is not deterministic:\n%+v\n%+v", a, again)
		}

		text := map[int]string{2: first, 4: second}
		all := first + "\n" + second
		if bad := negativeInts(a); len(bad) > 0 {
			t.Errorf("negative counts %v in %+v", bad, a)
		}
		for _, s := range a.Sentences {
			if _, ok := text[s.Seq]; !ok || !strings.Contains(text[s.Seq], s.Text) {
				t.Errorf("sentence %q of seq %d is not in that answer", s.Text, s.Seq)
			}
			if bad := negativeInts(s); len(bad) > 0 {
				t.Errorf("negative counts %v in sentence %q", bad, s.Text)
			}
		}
		for _, m := range a.Metrics {
			// A metric joins a number and its unit with one space.
			for _, w := range strings.Fields(m) {
				if !strings.Contains(all, w) {
					t.Errorf("metric %q is not in the answers", m)
				}
			}
		}
		if a.FollowUps != len(turns)/2-1 {
			t.Errorf("%d follow-ups counted in %d turns", a.FollowUps, len(turns))
		}

		// The follow-up choice: missing first, then the other gaps, none
		// twice, none probed already.
		if len(allowed) < len(missing) || !slices.Equal(allowed[:len(missing)], missing) {
			t.Errorf("allowed %v does not start with missing %v", allowed, missing)
		}
		probed := ProbedGaps(turns)
		for i, g := range allowed {
			if !g.Valid() || probed[g] || slices.Contains(allowed[:i], g) {
				t.Errorf("allowed %v holds %q: invalid, probed already or twice", allowed, g)
			}
		}
		if want := Gap(""); len(missing) > 0 && d.Gap != missing[0] || len(missing) == 0 && d.Gap != want {
			t.Errorf("Decide chose %q from missing %v", d.Gap, missing)
		}
		if quote != "" && !strings.Contains(all, quote) {
			t.Errorf("the echoed quote %q is not in the answers", quote)
		}

		if grade.Score == nil || *grade.Score < 0 || *grade.Score > 4 {
			t.Errorf("score %v out of 0 to 4", grade.Score)
		}
		for _, e := range grade.Evidence {
			if _, ok := text[e.Seq]; !ok || !strings.Contains(text[e.Seq], e.Quote) {
				t.Errorf("evidence %q of seq %d is not in that answer", e.Quote, e.Seq)
			}
		}
	})
}

// markdownSpecial are the characters that would act as Markdown if the
// candidate's text brought them in unescaped: markdownInline. A '#'
// inside a line is inert, and one at its start is a line kind.
const markdownSpecial = markdownInline

// isASCIIPunct reports whether c is ASCII punctuation, which a backslash
// escapes in CommonMark.
func isASCIIPunct(c byte) bool {
	return '!' <= c && c <= '/' || ':' <= c && c <= '@' || '[' <= c && c <= '`' || '{' <= c && c <= '~'
}

// unescapedSpecials counts, by character, the characters of
// markdownSpecial in s that no backslash escapes.
func unescapedSpecials(s string) map[byte]int {
	n := map[byte]int{}
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
			continue
		}
		if strings.IndexByte(markdownSpecial, s[i]) >= 0 {
			n[s[i]]++
		}
	}
	return n
}

// unescapeMarkdown drops every backslash that escapes ASCII punctuation:
// the text a CommonMark reader sees.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// lineKind names the block a CommonMark reader starts with line: code
// (indented four spaces), blank, heading (with its level), quote, fence,
// html, rule, setext, bullet, ordered or text. For a quote or a list item
// the kind of what follows the marker is appended, since that starts a
// block of its own.
func lineKind(line string) string {
	trimmed := strings.TrimLeft(line, " ")
	if len(line)-len(trimmed) >= 4 {
		return "code"
	}
	l := trimmed
	if strings.TrimSpace(l) == "" {
		return "blank"
	}
	if h := len(l) - len(strings.TrimLeft(l, "#")); h >= 1 && h <= 6 && (len(l) == h || l[h] == ' ' || l[h] == '\t') {
		return "h" + string(rune('0'+h))
	}
	if rest, ok := strings.CutPrefix(l, ">"); ok {
		return "quote/" + lineKind(strings.TrimPrefix(rest, " "))
	}
	if strings.HasPrefix(l, "```") || strings.HasPrefix(l, "~~~") {
		return "fence"
	}
	if l[0] == '<' {
		return "html"
	}
	if c := l[0]; c == '-' || c == '*' || c == '_' || c == '=' {
		if only := strings.Trim(l, string(c)+" \t"); only == "" {
			if c == '=' || c == '-' && !strings.ContainsAny(strings.TrimSpace(l), " \t") {
				return "setext"
			}
			if strings.Count(l, string(c)) >= 3 {
				return "rule"
			}
		}
	}
	if c := l[0]; (c == '-' || c == '+' || c == '*') && (len(l) == 1 || l[1] == ' ' || l[1] == '\t') {
		return "bullet/" + lineKind(strings.TrimLeft(l[1:], " \t"))
	}
	if d := len(l) - len(strings.TrimLeft(l, "0123456789")); d >= 1 && d <= 9 && d < len(l) && (l[d] == '.' || l[d] == ')') &&
		(d+1 == len(l) || l[d+1] == ' ' || l[d+1] == '\t') {
		return "ordered/" + lineKind(strings.TrimLeft(l[d+1:], " \t"))
	}
	return "text"
}

// FuzzMarkdownEscape checks MarkdownEscape on arbitrary text: it returns
// one line with single spaces and none at either end; no character of
// markdownInline is left unescaped; the line does not start a block of its
// own, even after a list or quote marker; and with the escapes read, it is
// the text with its white space folded, as a CommonMark reader would see it.
func FuzzMarkdownEscape(f *testing.F) {
	for _, s := range []string{
		"plain words, on-call, 3.5x faster",
		"# Heading", "\n# Heading", "```go\ncode\n```", "~~~", "<script>alert(1)</script>",
		"1. first", "123456789) ninth", "- item", "+ item", "* item", "> quote", "=== underline", "---", "___",
		"[click](http://evil.example)", "![img](x.png)", "&lt; &#60;", `back\slash\`, "a | b", "\\#", "\\\n#",
		"    indented code", "\u00a0\u2028# after odd spaces", "\xff\xfe#", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MarkdownEscape(s)
		if got != strings.Join(strings.Fields(got), " ") {
			t.Fatalf("MarkdownEscape(%q) = %q: white space not folded to single spaces on one line", s, got)
		}
		if n := unescapedSpecials(got); len(n) > 0 {
			t.Fatalf("MarkdownEscape(%q) = %q leaves %v unescaped", s, got, n)
		}
		if got != "" {
			for _, prefix := range []string{"", "- ", "> "} {
				if k, want := lineKind(prefix+got), lineKind(prefix+"x"); k != want {
					t.Fatalf("%q starts a %s block, want %s", prefix+got, k, want)
				}
			}
		}
		// Ranging over a string reads each invalid byte as U+FFFD, as
		// []rune does.
		want := string([]rune(strings.Join(strings.Fields(s), " ")))
		if read := unescapeMarkdown(got); read != want {
			t.Fatalf("MarkdownEscape(%q) = %q reads as %q, want %q", s, got, read, want)
		}
	})
}

// placeholder stands for a text in the rendering the fuzzed one is
// compared with: s itself when empty, one space for other blank text, else
// a word that Markdown leaves alone.
func placeholder(s string) string {
	switch {
	case s == "":
		return ""
	case len(strings.Fields(s)) == 0:
		return " "
	}
	return "text"
}

// placeholderParagraphs is placeholder for each paragraph of s, the text
// between blank lines.
func placeholderParagraphs(s string) string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if len(strings.Fields(p)) > 0 {
			out = append(out, "text")
		}
	}
	return strings.Join(out, "\n\n")
}

// fuzzDebrief is a debrief with text a in every field that a candidate, a
// model or the corpus fills, and b where a second text fits; text maps
// each of them to what stands in its place.
func fuzzDebrief(a, b string, text, paragraphs func(string) string) (*Interview, *Debrief) {
	two := 2
	iv := &Interview{ID: text(b), Role: Role(text(a)), Level: Level(text(b)), Focus: text(a)}
	d := &Debrief{Recommendation: Rating(text(b)), Summary: paragraphs(a), GraderNote: paragraphs(b), GradedBy: text(b),
		Principles: []PrincipleGrade{
			{Principle: text(a), Name: text(b), Score: &two, Rating: Rating(text(a)),
				Evidence:  []Evidence{{Seq: 2, Quote: text(a)}, {Seq: 4, Quote: text(b)}},
				Strengths: []string{text(a), text(b)}, Concerns: []string{text(b)},
				RedFlags: []string{text(a), text(b)}, Advice: text(a)},
			{Principle: text(b), Name: text(a), Rating: Rating(text(b)), RedFlag: text(b), Advice: text(b)},
		}}
	return iv, d
}

// FuzzDebriefMarkdown renders a debrief whose every free text is fuzzed
// and compares it with the same debrief rendered with a plain word in
// place of each non-blank text. The two documents must have the same
// lines, each starting the same kind of block (so no text opens a heading,
// list, quote, fence, HTML block or code block, or adds a line), and the
// same count of each unescaped character of markdownInline (so no text
// adds emphasis, code, a link, an image, HTML, an entity or a table cell).
func FuzzDebriefMarkdown(f *testing.F) {
	f.Add("I paged myself at 2 a.m. and rolled back.", "Good ownership.\n\nThin on data.")
	f.Add("fine\n\n# Hired!\n[click me](https://evil.example)<img src=x onerror=alert(1)>\n```\n- ![x](y)\n1. z", "<script>alert(1)</script>")
	f.Add("\r\n\r\n  \n", "a\r\rb\n \n\n***\n\n===\n\n    code")
	f.Add("C# and F# **bold** _em_ `tick` ~~gone~~ | cell |", "&amp; &#x3C; \\")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		same := func(s string) string { return s }
		iv, d := fuzzDebrief(a, b, same, same)
		got := d.Markdown(iv)
		piv, pd := fuzzDebrief(a, b, placeholder, placeholderParagraphs)
		want := pd.Markdown(piv)
		gotLines, wantLines := strings.Split(got, "\n"), strings.Split(want, "\n")
		if len(gotLines) != len(wantLines) {
			t.Fatalf("%d lines, want %d:\n%s\n--- want the shape of:\n%s", len(gotLines), len(wantLines), got, want)
		}
		for i := range gotLines {
			if g, w := lineKind(gotLines[i]), lineKind(wantLines[i]); g != w {
				t.Fatalf("line %d %q starts a %s block, want %s like %q", i+1, gotLines[i], g, w, wantLines[i])
			}
		}
		if g, w := unescapedSpecials(got), unescapedSpecials(want); !reflect.DeepEqual(g, w) {
			t.Fatalf("unescaped Markdown characters %v, want %v:\n%s", g, w, got)
		}
	})
}
