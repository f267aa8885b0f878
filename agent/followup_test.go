package agent

import (
	"strings"
	"testing"
)

func TestClosedGaps(t *testing.T) {
	tests := []struct {
		name   string
		probe  Gap
		answer string
		closed []Gap
		open   []Gap
	}{
		{"forgotten outcome closes its numbers and what lasted", GapOutcome, "Honestly I can't recall how it ended.",
			[]Gap{GapOutcome, GapMetrics, GapImpact}, []Gap{GapDifferently, GapRole}},
		{"forgotten numbers close only the numbers", GapMetrics, "I don't remember the exact figures.",
			[]Gap{GapMetrics}, []Gap{GapOutcome, GapImpact}},
		{"an adverb inside the negation still closes it", GapMetrics, "To be fair I don't really remember the numbers now.",
			[]Gap{GapMetrics}, []Gap{GapOutcome, GapImpact}},
		{"a modal form of forgetting closes it", GapOutcome, "I can't quite recall where it landed.",
			[]Gap{GapOutcome, GapMetrics, GapImpact}, []Gap{GapDifferently, GapRole}},
		{"remembering after a negation is not forgetting", GapMetrics, "I didn't trust it at first, I remember, so errors fell from 40 to 3.",
			nil, []Gap{GapMetrics, GapOutcome}},
		{"a real answer closes nothing", GapMetrics, "Refund time fell from nine days to two.", nil,
			[]Gap{GapMetrics, GapOutcome}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turns := []Turn{
				{Seq: 1, Speaker: SpeakerInterviewer, Kind: KindOpening},
				candidate(2, "Last year I rebuilt the refund flow for our shop."),
				{Seq: 3, Speaker: SpeakerInterviewer, Kind: KindFollowUp, FollowUp: 1, Probe: string(tt.probe)},
				candidate(4, tt.answer),
			}
			a := Analyze(turns)
			closed := ClosedGaps(a)
			for _, g := range tt.closed {
				if !closed[g] {
					t.Errorf("%s is not closed (%v)", g, closed)
				}
			}
			for _, g := range tt.open {
				if closed[g] {
					t.Errorf("%s is closed (%v)", g, closed)
				}
			}
			_, allowed := followUpChoices(turns, a)
			for _, g := range allowed {
				if closed[g] {
					t.Errorf("%s is still allowed after the candidate could not recall it", g)
				}
			}
		})
	}
}

func TestRealExampleIsAskedOnceAndNotCounted(t *testing.T) {
	hypothetical := "I would first talk to the customer and understand their needs. Usually I gather the data before I decide. You should always keep the user in mind."
	tests := []struct {
		name  string
		turns []Turn
		want  bool
	}{
		{"a hypothetical opening", []Turn{{Seq: 1, Speaker: SpeakerInterviewer, Kind: KindOpening}, candidate(2, hypothetical)}, true},
		{"a real story", []Turn{{Seq: 1, Speaker: SpeakerInterviewer, Kind: KindOpening},
			candidate(2, "Last March I called the three customers who had churned and I rewrote the onboarding email.")}, false},
		{"asked already", []Turn{{Seq: 1, Speaker: SpeakerInterviewer, Kind: KindOpening}, candidate(2, hypothetical),
			{Seq: 3, Speaker: SpeakerInterviewer, Kind: KindFollowUp, Probe: string(GapRealExample)}, candidate(4, hypothetical)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := needsRealExample(tt.turns, Analyze(tt.turns)); got != tt.want {
				t.Errorf("needsRealExample = %v, want %v", got, tt.want)
			}
		})
	}
	asked := tests[2].turns
	if n := FollowUpCount(asked); n != 0 {
		t.Errorf("the request for a real example counted as %d follow-up(s)", n)
	}
}

func TestFollowUpQuotesTheCandidate(t *testing.T) {
	turns := []Turn{{Seq: 1, Speaker: SpeakerInterviewer, Kind: KindOpening},
		candidate(2, "Our team moved the billing jobs to the new scheduler. We made a few tweaks along the way and it went fine.")}
	a := Analyze(turns)
	for _, g := range []Gap{GapRole, GapMetrics, GapOutcome} {
		q, _, _ := Rules{}.Ask(t.Context(), AskInput{Probe: &Probe{Gap: g, Text: "Tell me more."}, Turns: turns, Analysis: a}, nil)
		if !strings.HasPrefix(q, "You said \"") {
			t.Errorf("%s probe %q does not quote the candidate", g, q)
		}
	}
}
