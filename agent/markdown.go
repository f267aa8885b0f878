package agent

import (
	"fmt"
	"strings"
	"time"
)

// markdownTime is how the Markdown debrief writes a time.
const markdownTime = "2006-01-02 15:04 UTC"

// ratingLabels are the ratings as a reader would say them.
var ratingLabels = map[Rating]string{
	StrongHire:   "Strong hire",
	Hire:         "Hire",
	NoHire:       "No hire",
	StrongNoHire: "Strong no hire",
	NotAssessed:  "Not assessed",
}

// Label returns the rating as a reader would say it ("Strong hire"), or
// r itself when it is not one of the ratings.
func (r Rating) Label() string {
	if l, ok := ratingLabels[r]; ok {
		return l
	}
	return string(r)
}

// ratingLabel returns the label of r for Markdown.
func ratingLabel(r Rating) string { return MarkdownEscape(r.Label()) }

// roleLabel returns a role as a title: SDE, EM, PM, TPM or General.
func roleLabel(r Role) string {
	if r == RoleGeneral {
		return "General"
	}
	return MarkdownEscape(strings.ToUpper(string(r)))
}

// Markdown renders the debrief of iv as a Markdown document for people:
// the recommendation, who graded it and when, the summary, then every
// principle with its rating and score, the quotes it rests on, strengths,
// concerns, red flags and advice. Every text that comes from the candidate,
// the model or the interview is escaped by MarkdownEscape, so none of it
// can open a heading, a link, emphasis, code or HTML.
func (d *Debrief) Markdown(iv *Interview) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	line("# Debrief: %s %s mock interview", roleLabel(iv.Role), MarkdownEscape(string(iv.Level)))
	line("")
	rec := "**" + ratingLabel(d.Recommendation) + "**"
	if d.BarRaiserVeto {
		rec += " (bar raiser veto)"
	}
	line("- Recommendation: %s", rec)
	line("- Interview: %s, started %s", MarkdownEscape(iv.ID), markdownDate(iv.CreatedAt))
	graded := "Graded: " + markdownDate(d.CreatedAt)
	if d.GradedBy != "" {
		graded += ", by " + MarkdownEscape(d.GradedBy)
	}
	line("- %s", graded)
	if strings.TrimSpace(iv.Focus) != "" {
		line("- Focus: %s", MarkdownEscape(iv.Focus))
	}
	if strings.TrimSpace(d.GraderNote) != "" {
		line("")
		line("%s", markdownParagraphs(d.GraderNote))
	}
	if strings.TrimSpace(d.Summary) != "" {
		line("")
		line("## Summary")
		line("")
		line("%s", markdownParagraphs(d.Summary))
	}
	line("")
	line("## Principles")
	for _, g := range d.Principles {
		name := g.Name
		if strings.TrimSpace(name) == "" {
			name = g.Principle
		}
		heading := ratingLabel(g.Rating)
		if g.Score != nil {
			heading = fmt.Sprintf("%s, %d of 4", heading, *g.Score)
		}
		line("")
		line("### %s: %s", MarkdownEscape(name), heading)
		if len(g.Evidence) > 0 {
			line("")
			line("Evidence:")
			for _, e := range g.Evidence {
				line("")
				line("> “%s” (answer at turn %d)", MarkdownEscape(e.Quote), e.Seq)
			}
		}
		mdList(line, "Strengths:", g.Strengths)
		mdList(line, "Concerns:", g.Concerns)
		if len(g.RedFlags) > 0 || g.RedFlag != "" {
			flags := g.RedFlags
			if len(flags) == 0 {
				flags = []string{g.RedFlag}
			}
			escaped := make([]string, len(flags))
			for i, f := range flags {
				escaped[i] = MarkdownEscape(f)
			}
			line("")
			line("Red flags: %s", strings.Join(escaped, ", "))
		}
		if strings.TrimSpace(g.Advice) != "" {
			line("")
			line("Advice: %s", MarkdownEscape(g.Advice))
		}
	}
	return b.String()
}

// mdList writes a titled bullet list, or nothing when items is empty.
func mdList(line func(string, ...any), title string, items []string) {
	if len(items) == 0 {
		return
	}
	line("")
	line("%s", title)
	line("")
	for _, it := range items {
		line("- %s", MarkdownEscape(it))
	}
}

// markdownParagraphs escapes each paragraph of s, the text between blank
// lines, with MarkdownEscape and keeps them apart.
func markdownParagraphs(s string) string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = MarkdownEscape(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// markdownInline are the characters that mean something to Markdown
// wherever they stand: escapes, code, emphasis, links and images, raw HTML
// and entities, tables and strikethrough.
const markdownInline = "\\`*_[]<>&|~"

// markdownLineStart are the characters that mean something at the start
// of a line: headings, list items, quotes and setext underlines.
const markdownLineStart = "#+-=>"

// MarkdownEscape makes s inert text on one Markdown line: every run of
// white space becomes one space, and a backslash goes before each
// character of markdownInline, before a first character that would start
// a heading, list or quote, and before the "." or ")" of a leading number,
// which would start an ordered list. What it returns renders as s reads.
func MarkdownEscape(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	digits := 0 // leading digits seen so far, -1 once past them
	for i, r := range s {
		switch {
		case i == 0 && strings.ContainsRune(markdownLineStart, r):
			b.WriteByte('\\')
		case digits > 0 && (r == '.' || r == ')'):
			b.WriteByte('\\')
		case strings.ContainsRune(markdownInline, r):
			b.WriteByte('\\')
		}
		if digits >= 0 && '0' <= r && r <= '9' {
			digits++
		} else {
			digits = -1
		}
		b.WriteRune(r)
	}
	return b.String()
}

// markdownDate formats t for the debrief, or says the date is unknown
// when t is zero.
func markdownDate(t time.Time) string {
	if t.IsZero() {
		return "date unknown"
	}
	return t.UTC().Format(markdownTime)
}
