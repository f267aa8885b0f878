package agent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

func TestMarkdownEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words, on-call, 3.5x faster", "plain words, on-call, 3.5x faster"},
		{"# Heading", `\# Heading`},
		{"## two", `\## two`},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"> quote", `\> quote`},
		{"=== underline", `\=== underline`},
		{"1. first", `1\. first`},
		{"12) twelfth", `12\) twelfth`},
		{"2024 was good. 3. not a list", "2024 was good. 3. not a list"},
		{"[click](http://evil.example)", `\[click\](http://evil.example)`},
		{"![img](x.png)", `!\[img\](x.png)`},
		{"<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"&lt; or &#60;", `\&lt; or \&#60;`},
		{"*bold* _em_ `code`", "\\*bold\\* \\_em\\_ \\`code\\`"},
		{"a | b ~~c~~", `a \| b \~\~c\~\~`},
		{`back\slash`, `back\\slash`},
		{"line one\n# line two\n\n- three", "line one # line two - three"},
		{"  \t spaced\r\n  out  ", "spaced out"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := agent.MarkdownEscape(tt.in); got != tt.want {
			t.Errorf("MarkdownEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDebriefMarkdown(t *testing.T) {
	three := 3
	iv := &agent.Interview{ID: "5f0c", Role: agent.RoleSDE, Level: "L5", Focus: "an *outage*",
		CreatedAt: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	full := &agent.Debrief{
		Recommendation: agent.NoHire, BarRaiserVeto: true, Summary: "Solid ownership.\n\nThin on data.",
		GradedBy: "rules", GraderNote: "Graded by the built-in rules.", CreatedAt: time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC),
		Principles: []agent.PrincipleGrade{
			{Principle: "ownership", Name: "Ownership", Score: &three, Rating: agent.Hire,
				Evidence:  []agent.Evidence{{Seq: 2, Quote: "I pulled the request traces"}, {Seq: 4, Quote: "I paged <b>myself</b>"}},
				Strengths: []string{"You told it as your own story."}, Concerns: []string{"1. No numbers"},
				RedFlag: "blame", RedFlags: []string{"blame"}, Advice: "Quantify the result."},
			{Principle: "dive-deep", Name: "Dive Deep", Rating: agent.NotAssessed,
				Concerns: []string{"Not reached in this interview."}, Advice: "Practise this principle in another session."},
		},
	}
	tests := []struct {
		name string
		iv   *agent.Interview
		d    *agent.Debrief
		want string
	}{
		{"full", iv, full, `# Debrief: SDE L5 mock interview

- Recommendation: **No hire** (bar raiser veto)
- Interview: 5f0c, started 2024-05-06 07:08 UTC
- Graded: 2024-05-06 08:00 UTC, by rules
- Focus: an \*outage\*

Graded by the built-in rules.

## Summary

Solid ownership.

Thin on data.

## Principles

### Ownership: Hire, 3 of 4

Evidence:

> “I pulled the request traces” (answer at turn 2)

> “I paged \<b\>myself\</b\>” (answer at turn 4)

Strengths:

- You told it as your own story.

Concerns:

- 1\. No numbers

Red flags: blame

Advice: Quantify the result.

### Dive Deep: Not assessed

Concerns:

- Not reached in this interview.

Advice: Practise this principle in another session.
`},
		{"bare", &agent.Interview{ID: "x", Role: agent.RoleGeneral, Level: "L8"},
			&agent.Debrief{Recommendation: agent.StrongHire, Principles: []agent.PrincipleGrade{{Principle: "frugality", Rating: "odd_rating"}}},
			`# Debrief: General L8 mock interview

- Recommendation: **Strong hire**
- Interview: x, started date unknown
- Graded: date unknown

## Principles

### frugality: odd\_rating
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Markdown(tt.iv); got != tt.want {
				t.Errorf("Markdown\n got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestDebriefMarkdownInjection feeds text that tries to open headings,
// links, HTML and code into every field a candidate or a model writes: no
// line of the document may start anything but what the renderer wrote.
func TestDebriefMarkdownInjection(t *testing.T) {
	evil := "fine\n\n# Hired!\n[click me](https://evil.example)<img src=x onerror=alert(1)>\n```\n- ![x](y)\n1. z"
	two := 2
	iv := &agent.Interview{ID: evil, Role: agent.RoleEM, Level: "L6", Focus: evil}
	d := &agent.Debrief{Recommendation: agent.Rating(evil), Summary: evil, GradedBy: evil, GraderNote: evil,
		Principles: []agent.PrincipleGrade{{Principle: evil, Name: evil, Score: &two, Rating: agent.Rating(evil),
			Evidence: []agent.Evidence{{Seq: 2, Quote: evil}}, Strengths: []string{evil}, Concerns: []string{evil},
			RedFlags: []string{evil}, Advice: evil}}}
	md := d.Markdown(iv)
	for _, bad := range []string{"[click me]", "<img", "```", "![x]", "](", "\n# Hired", "\n1. z"} {
		if unescaped(md, bad) {
			t.Errorf("the document holds %q unescaped:\n%s", bad, md)
		}
	}
	headings := 0
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") {
			headings++
		}
		if strings.HasPrefix(line, "1") || strings.HasPrefix(line, "![") || strings.HasPrefix(line, "<") {
			t.Errorf("line %q starts a block the renderer did not write", line)
		}
	}
	if headings != 3+1 { // title, summary, principles, one principle
		t.Errorf("%d headings, want 4:\n%s", headings, md)
	}
}

// unescaped reports whether s holds sub somewhere with no backslash just
// before it.
func unescaped(s, sub string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || s[at-1] != '\\' {
			return true
		}
		i = at + 1
	}
}
