package agent_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

const ownershipStory = "Last March I was the on-call engineer for our checkout service at Brightcart when a partner's payment API started timing out. " +
	"The payments team owned that integration, but nobody there was answering pages, so I took it on. " +
	"I pulled the request traces, found that our retries were tripling the load on the partner, and I shipped a circuit breaker behind a flag within two hours. " +
	"Checkout errors fell from 4.1% to 0.3% that night. I wrote the postmortem with the payments team, and circuit breakers are now the default in our client library. " +
	"What I learned is that waiting for the owning team can cost more than acting carefully yourself."

func start(t *testing.T, svc *agent.Service, principles ...string) (owner string, iv *agent.Interview) {
	t.Helper()
	owner = agent.NewID()
	iv, err := svc.Create(context.Background(), owner, agent.CreateRequest{Role: "sde", Level: "L5", Principles: principles})
	if err != nil {
		t.Fatal(err)
	}
	return owner, iv
}

// TestOffTopicStoryIsAdvice grades one story under the principle it shows
// and under one it does not: fit by retrieval is advice in the debrief,
// never a cap, since the local embedder is not right often enough to cap.
func TestOffTopicStoryIsAdvice(t *testing.T) {
	svc := newService(t)
	grade := func(principle string) agent.PrincipleGrade {
		return interview(t, svc, principle, ownershipStory).Principles[0]
	}
	on, off := grade("ownership"), grade("frugality")
	if *on.Score < 3 {
		t.Errorf("ownership story graded %d for ownership", *on.Score)
	}
	if *off.Score != *on.Score || !strings.Contains(off.Advice, "Ownership") {
		t.Errorf("ownership story graded %d for frugality (%d for ownership), advice %q", *off.Score, *on.Score, off.Advice)
	}
}

func TestAnswerWithoutPendingQuestion(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	svc.Model = &fakeModel{} // a model: the next question waits for Advance
	owner, iv := start(t, svc, "dive-deep")
	// No question has been asked yet.
	if _, _, err := svc.Answer(ctx, owner, iv.ID, 0, "An answer.", ""); agent.ErrorCode(err) != agent.ENOPENDINGQUESTION {
		t.Fatalf("answer before the opening: %v", err)
	}
	svc.Advance(ctx, owner, iv.ID, 0, nil)
	if _, _, err := svc.Answer(ctx, owner, iv.ID, 0, "First.", "a"); err != nil {
		t.Fatal(err)
	}
	// The answer is stored, the next question not yet asked.
	if _, _, err := svc.Answer(ctx, owner, iv.ID, 0, "Second.", "b"); agent.ErrorCode(err) != agent.ENOPENDINGQUESTION {
		t.Fatalf("answer with no pending question: %v", err)
	}
	// Another owner cannot answer.
	if _, _, err := svc.Answer(ctx, agent.NewID(), iv.ID, 0, "Mine.", ""); agent.ErrorCode(err) != agent.ENOTFOUND {
		t.Fatalf("foreign answer: %v", err)
	}
}

// TestAnswerStoresTheRulesQuestion checks who asks the question after an
// answer: with the rules as interviewer Answer stores it with the answer,
// the same question AdvanceFrom would have asked; with a model it is left
// to AdvanceFrom.
func TestAnswerStoresTheRulesQuestion(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		model     agent.Model
		withTurns int // turns stored by Answer
	}{
		{"rules", agent.Rules{}, 3},
		{"model", &fakeModel{}, 2},
	}
	var asked []agent.Turn
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newService(t)
			svc.Model = tt.model
			owner, iv := start(t, svc, "dive-deep")
			iv.ID = "fixed-id" // the probe a follow-up picks depends on the id
			if err := svc.Store.CreateInterview(ctx, iv); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.Advance(ctx, owner, iv.ID, 0, nil); err != nil {
				t.Fatal(err)
			}
			ans, after, err := svc.Answer(ctx, owner, iv.ID, 0, "We shipped it.", "a")
			if err != nil || ans.Seq != 2 {
				t.Fatalf("Answer = seq %d, %v", ans.Seq, err)
			}
			if got := len(mustGet(t, svc, owner, iv.ID).Turns); got != tt.withTurns || len(after.Turns) != tt.withTurns {
				t.Fatalf("after Answer: %d turns stored, %d returned; want %d", got, len(after.Turns), tt.withTurns)
			}
			_, q, err := svc.AdvanceFrom(ctx, after, 0, nil)
			if err != nil || q == nil || q.Seq != 3 || q.Speaker != agent.SpeakerInterviewer {
				t.Fatalf("AdvanceFrom = %+v, %v; want the interviewer's turn 3", q, err)
			}
			if got := len(mustGet(t, svc, owner, iv.ID).Turns); got != 3 {
				t.Fatalf("%d turns after AdvanceFrom, want 3", got)
			}
			q.At = time.Time{}
			asked = append(asked, *q)
		})
	}
	if len(asked) == 2 && asked[0] != asked[1] {
		t.Errorf("the question stored with the answer %+v differs from the one AdvanceFrom asks %+v", asked[0], asked[1])
	}
}

// TestConcurrentAdvanceAsksOnce races two connections to ask the next
// question: one question is stored and both see it.
func TestConcurrentAdvanceAsksOnce(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	owner, iv := start(t, svc, "earn-trust", "think-big")
	var wg sync.WaitGroup
	seqs := make([]int, 8)
	for i := range seqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, q, err := svc.Advance(ctx, owner, iv.ID, 0, nil)
			if err != nil {
				t.Error(err)
				return
			}
			seqs[i] = q.Seq
		}()
	}
	wg.Wait()
	got, _ := svc.Get(ctx, owner, iv.ID)
	if len(got.Turns) != 1 {
		t.Fatalf("%d turns stored, want 1", len(got.Turns))
	}
	for _, s := range seqs {
		if s != 1 {
			t.Errorf("a caller saw seq %d", s)
		}
	}
}

func TestEndBeforeAnyAnswer(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	owner, iv := start(t, svc, "frugality", "ownership")
	svc.Advance(ctx, owner, iv.ID, 0, nil)
	if err := svc.End(ctx, owner, iv.ID, 0); err != nil {
		t.Fatal(err)
	}
	d, err := svc.Grade(ctx, owner, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Recommendation != agent.NoHire || d.BarRaiserVeto || !strings.Contains(d.Summary, "No principle was assessed") {
		t.Errorf("debrief %+v", d)
	}
	for _, g := range d.Principles {
		if g.Rating != agent.NotAssessed || g.Score != nil {
			t.Errorf("%s rated %s", g.Principle, g.Rating)
		}
	}
	// Grading again returns the stored debrief.
	again, err := svc.Grade(ctx, owner, iv.ID)
	if err != nil || again.Summary != d.Summary {
		t.Errorf("second grade: %v %+v", err, again)
	}
}

// TestPlanPrefersLeastPractised: with no principles and no focus, a new
// interview avoids the principles this owner has already practised and
// never repeats a question while unasked ones remain.
func TestPlanPrefersLeastPractised(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	owner := agent.NewID()
	seen := map[string]int{}
	asked := map[string]bool{}
	for i := 0; i < 8; i++ {
		iv, err := svc.Create(ctx, owner, agent.CreateRequest{Role: "sde", Level: "L4"})
		if err != nil {
			t.Fatal(err)
		}
		if len(iv.Principles) != agent.DefaultPrincipleCount {
			t.Fatalf("planned %d principles", len(iv.Principles))
		}
		for _, p := range iv.Principles {
			seen[p.ID]++
			if asked[p.QuestionID] {
				t.Errorf("question %s asked twice", p.QuestionID)
			}
			asked[p.QuestionID] = true
			q, _ := svc.Retriever.Question(p.QuestionID)
			if !q.Fits("sde", "L4") {
				t.Errorf("question %s does not fit an L4 engineer", q.ID)
			}
		}
		// Practise the first principle so it counts in the history.
		if _, _, err := svc.Advance(ctx, owner, iv.ID, 0, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Answer(ctx, owner, iv.ID, 0, ownershipStory, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Eight interviews of two principles, each practising one: at least
	// eight different principles came up instead of the same two.
	if len(seen) < 8 {
		t.Errorf("only %d distinct principles in 8 interviews: %v", len(seen), seen)
	}
	// A focus retrieves principles that match it.
	iv, err := svc.Create(ctx, owner, agent.CreateRequest{Role: "em", Level: "L6", Focus: "cutting our cloud bill without hurting customers", PrincipleCount: ptr(1)})
	if err != nil {
		t.Fatal(err)
	}
	if iv.Principles[0].ID != "frugality" {
		t.Errorf("focus on cost planned %v", iv.Principles)
	}
}

func ptr(i int) *int { return &i }

// TestAnswerFromStaleInterview checks that AnswerFrom ends as Answer does
// whatever the interview it is handed: current, moved on by another
// connection, with no question pending, or another interview altogether.
func TestAnswerFromStaleInterview(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	// answeredMeanwhile hands over the interview as it was before an
	// answer of text, with clientID, was stored behind its back.
	answeredMeanwhile := func(text, clientID string) func(t *testing.T, owner, id string) *agent.Interview {
		return func(t *testing.T, owner, id string) *agent.Interview {
			old := mustGet(t, svc, owner, id)
			if _, _, err := svc.Answer(ctx, owner, id, 0, text, clientID); err != nil {
				t.Fatal(err)
			}
			return old
		}
	}
	tests := []struct {
		name string
		// known returns the interview handed to AnswerFrom, after doing
		// whatever else the case needs to the stored interview.
		known   func(t *testing.T, owner, id string) *agent.Interview
		seq     int // the stored answer's seq
		answers int // candidate turns stored in the end
	}{
		{"current", func(t *testing.T, owner, id string) *agent.Interview {
			return mustGet(t, svc, owner, id)
		}, 2, 1},
		{"moved on by another answer", answeredMeanwhile("Someone else's answer.", "other"), 4, 2},
		{"no question pending", func(t *testing.T, owner, id string) *agent.Interview {
			iv := mustGet(t, svc, owner, id)
			iv.Turns = iv.Turns[:0]
			return iv
		}, 2, 1},
		{"another interview", func(t *testing.T, owner, id string) *agent.Interview {
			_, other := start(t, svc, "ownership")
			return other
		}, 2, 1},
		{"the same answer stored meanwhile", answeredMeanwhile("My answer.", "mine"), 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owner, iv := start(t, svc, "dive-deep")
			if _, _, err := svc.Advance(ctx, owner, iv.ID, 0, nil); err != nil {
				t.Fatal(err)
			}
			known := tt.known(t, owner, iv.ID)
			got, after, err := svc.AnswerFrom(ctx, owner, iv.ID, known, 0, "My answer.", "mine")
			if err != nil || got.Seq != tt.seq || got.ClientID != "mine" {
				t.Fatalf("AnswerFrom = seq %d client %q, %v; want seq %d", got.Seq, got.ClientID, err, tt.seq)
			}
			stored := mustGet(t, svc, owner, iv.ID)
			var answers int
			for _, tr := range stored.Turns {
				if tr.Speaker == agent.SpeakerCandidate {
					answers++
				}
			}
			if answers != tt.answers || after.ID != iv.ID || len(after.Turns) != len(stored.Turns) {
				t.Fatalf("%d answers stored (want %d); returned interview %s with %d turns, stored %d",
					answers, tt.answers, after.ID, len(after.Turns), len(stored.Turns))
			}
		})
	}
}

// mustGet reads an interview.
func mustGet(t *testing.T, svc *agent.Service, owner, id string) *agent.Interview {
	t.Helper()
	iv, err := svc.Get(context.Background(), owner, id)
	if err != nil {
		t.Fatal(err)
	}
	return iv
}
