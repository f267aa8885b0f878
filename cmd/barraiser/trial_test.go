package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
)

// A candidate as a trial plays one: an opening answer and what they say to
// each probe. The stories were written for this trial, not taken from any
// labelled set.
type trialCandidate struct {
	opening string
	probes  map[agent.Gap]string
}

var vagueCandidate = trialCandidate{
	opening: "There was a time our group had a rough patch with another department. We talked it through over a few meetings " +
		"and things got better eventually. Being open matters a lot to me and I think people could tell I was sincere. " +
		"It worked out okay in the end.",
	probes: map[agent.Gap]string{
		agent.GapRole:        "I was part of the conversations, mostly listening.",
		agent.GapMetrics:     "I don't really remember, it just felt calmer afterwards.",
		agent.GapOutcome:     "I don't really remember, it just felt calmer afterwards.",
		agent.GapDifferently: "Probably nothing, it went fine.",
		agent.GapImpact:      "Not sure, I moved groups not long after.",
	},
}

var specificCandidate = trialCandidate{
	opening: "In March last year I was the on-call lead for the billing API at Marrow Health when a deploy of mine charged 212 clinics twice " +
		"for their monthly plan. I spotted it from a spike in refund tickets forty minutes after the release and rolled the deploy back myself. " +
		"Before anyone asked, I emailed every affected clinic that afternoon, said plainly the fault was ours and what we had charged, " +
		"and promised refunds within two business days. I wrote the refund script, ran it on ten accounts with our finance analyst checking each one, " +
		"then on the rest that night. All 212 refunds settled within 36 hours, and only three clinics complained, against the forty or so our support lead expected. " +
		"I learned to put a dry-run billing check in front of every pricing deploy, and that check has been part of our release pipeline since then.",
	probes: map[agent.Gap]string{
		agent.GapRole: "I made the call to roll back, wrote the email to the clinics and the refund script, and ran both. " +
			"My manager approved the email and finance verified every refund.",
		agent.GapMetrics: "212 clinics were charged twice and all were refunded within 36 hours. Three complaints against about forty expected, " +
			"and only one of those clinics left in the next quarter, the same as our usual rate.",
		agent.GapDifferently: "I would add the dry-run check before a pricing release rather than after a mistake, and I now send the first note to customers within the hour.",
		agent.GapImpact:      "The dry-run check is still a required step in the pipeline and has stopped two bad releases this year.",
	},
}

// TestFreshStoriesAsANewUser plays two candidates through the WebSocket as
// a new user would, on the embedded default: a vague story is graded no
// hire and a specific one hire or better, each with reasons that quote the
// candidate's own words.
func TestFreshStoriesAsANewUser(t *testing.T) {
	m := startMain(t, t.TempDir())
	c := newClient(t, m.Server.URL())
	play := func(cand trialCandidate) *agent.Debrief {
		iv := c.create(`{"role":"sde","level":"L5","principles":["earn-trust"]}`)
		conn, _ := c.open(iv.WSURL)
		readType(t, conn, "question")
		send(t, conn, answer(cand.opening, "a-0"))
		for n := 1; ; n++ {
			readType(t, conn, "ack")
			f := read(t, conn)
			if f.Type == "grading" {
				return readType(t, conn, "debrief").Debrief
			}
			reply, ok := cand.probes[agent.Gap(f.Turn.Probe)]
			if !ok {
				reply = "I don't have more to add on that."
			}
			send(t, conn, answer(reply, "a-"+strconv.Itoa(n)))
		}
	}
	said := func(cand trialCandidate) []string {
		out := []string{cand.opening}
		for _, a := range cand.probes {
			out = append(out, a)
		}
		return out
	}
	quotes := func(reasons []string, cand trialCandidate) int {
		n := 0
		for _, r := range reasons {
			for _, s := range said(cand) {
				if i, j := strings.Index(r, `"`), strings.LastIndex(r, `"`); i >= 0 && j > i+10 && strings.Contains(s, r[i+1:j]) {
					n++
					break
				}
			}
		}
		return n
	}

	vague := play(vagueCandidate)
	g := vague.Principles[0]
	t.Logf("vague: %s, score %d, concerns %q", vague.Recommendation, *g.Score, g.Concerns)
	if vague.Recommendation != agent.NoHire && vague.Recommendation != agent.StrongNoHire {
		t.Errorf("a vague story was graded %s", vague.Recommendation)
	}
	if quotes(g.Concerns, vagueCandidate) == 0 {
		t.Errorf("no concern about the vague story quotes it: %q", g.Concerns)
	}

	specific := play(specificCandidate)
	g = specific.Principles[0]
	t.Logf("specific: %s, score %d, strengths %q", specific.Recommendation, *g.Score, g.Strengths)
	if specific.Recommendation != agent.Hire && specific.Recommendation != agent.StrongHire {
		t.Errorf("a specific story was graded %s (concerns %q)", specific.Recommendation, g.Concerns)
	}
	if quotes(g.Strengths, specificCandidate) == 0 {
		t.Errorf("no strength of the specific story quotes it: %q", g.Strengths)
	}
}
