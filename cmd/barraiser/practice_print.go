package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/barraiser/barraiser/agent"
)

// printDebrief writes a debrief for reading in a terminal.
func printDebrief(w io.Writer, id string, d *agent.Debrief) {
	rating := func(r agent.Rating) string { return strings.ReplaceAll(string(r), "_", " ") }
	fmt.Fprintf(w, "\n=== Debrief ===\nRecommendation: %s", rating(d.Recommendation))
	if d.BarRaiserVeto {
		fmt.Fprint(w, " (bar raiser veto)")
	}
	fmt.Fprintf(w, "\n%s\n", d.Summary)
	for _, g := range d.Principles {
		fmt.Fprintf(w, "\n%s: %s", g.Name, rating(g.Rating))
		if g.Score != nil {
			fmt.Fprintf(w, ", score %d of 4", *g.Score)
		}
		fmt.Fprintln(w)
		if len(g.RedFlags) > 0 {
			fmt.Fprintf(w, "  Red flags: %s\n", strings.Join(g.RedFlags, ", "))
		}
		if len(g.Evidence) > 0 {
			fmt.Fprintln(w, "  Evidence:")
			for _, e := range g.Evidence {
				fmt.Fprintf(w, "    %q (turn %d)\n", e.Quote, e.Seq)
			}
		}
		printList(w, "Strengths", g.Strengths)
		printList(w, "Concerns", g.Concerns)
		if g.Advice != "" {
			fmt.Fprintf(w, "  Advice: %s\n", g.Advice)
		}
	}
	if d.GraderNote != "" {
		fmt.Fprintf(w, "\n%s\n", d.GraderNote)
	}
	fmt.Fprintf(w, "Interview %s is complete.\n", id)
}

// printList writes a titled list of lines, or nothing when there are none.
func printList(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s:\n", title)
	for _, s := range items {
		fmt.Fprintf(w, "    - %s\n", s)
	}
}
