package agent_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/openai"
	"github.com/barraiser/barraiser/openai/openaitest"
)

// evalFiles are the labelled answer sets in shared/eval.
var evalFiles = []string{"answers.json", "answers-2.json"}

// findEvalSets reads every labelled answer set from shared/eval beside the
// repository, in place, looking upward from the working directory. It skips
// the test when there is none, and fails it under CI.
func findEvalSets(t *testing.T) []evalEntry {
	t.Helper()
	dir := ""
	for d, _ := os.Getwd(); dir == ""; d = filepath.Dir(d) {
		if p := filepath.Join(d, "shared", "eval"); fileExists(filepath.Join(p, evalFiles[0])) {
			dir = p
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run the evaluation, but shared/eval was not found beside the repository")
		}
		t.Skip("shared/eval not found beside the repository; skipping the evaluation")
	}
	var all []evalEntry
	seen := map[string]bool{}
	for _, name := range evalFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var es []evalEntry
		if err := json.Unmarshal(b, &es); err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		for _, e := range es {
			if seen[e.ID] || e.ExpectedScore < 1 || e.ExpectedScore > 4 || e.Answer == "" {
				t.Fatalf("%s: entry %q is repeated or incomplete", name, e.ID)
			}
			seen[e.ID] = true
		}
		all = append(all, es...)
	}
	return all
}

// gaming reports whether the entry is an attempt to game the grader.
func gaming(e evalEntry) bool { return strings.HasPrefix(e.ID, "adv-") }

// llmService is newService with the OpenAI adapter as its model, talking to
// an in-test server that answers with respond.
func llmService(t *testing.T, name string, respond openaitest.RespondFunc) (*agent.Service, *openaitest.Server) {
	t.Helper()
	svc := newService(t)
	srv := openaitest.NewServer(respond)
	t.Cleanup(srv.Close)
	m, err := openai.New(openai.Config{BaseURL: srv.BaseURL(), Model: name, Timeout: 10 * time.Second, Retries: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, svc.Retriever.Principles())
	if err != nil {
		t.Fatal(err)
	}
	svc.Model = m
	return svc, srv
}

// firstSentence is s up to its first sentence end, or all of s.
func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if strings.IndexByte(".!?", s[i]) >= 0 && s[i+1] == ' ' {
			return s[:i+1]
		}
	}
	return s
}

// exactModel grades as the labels say: it finds the one labelled entry
// whose opening answer the grade prompt holds, gives that entry's expected
// score, quotes the answer's first sentence with the seq of the turn it is
// in, and raises no red flag. It decides and asks as openaitest.Scripted
// does: it probes the first gap allowed and asks the reference wording.
func exactModel(t *testing.T, entries []evalEntry) openaitest.RespondFunc {
	return func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		user := openaitest.LastUser(req)
		if !strings.Contains(user, "Task: grade") {
			return openaitest.Scripted(req)
		}
		var found []evalEntry
		for _, e := range entries {
			if strings.Contains(user, e.Answer) {
				found = append(found, e)
			}
		}
		if len(found) != 1 {
			t.Errorf("exact model: the grade prompt holds %d labelled answers, want 1", len(found))
			return openaitest.Reply{Status: http.StatusInternalServerError}
		}
		e := found[0]
		quote := firstSentence(e.Answer)
		seq, text, ok := openaitest.FirstAnswer(user)
		if !ok || !strings.Contains(text, quote) {
			t.Errorf("exact model: %s: the first candidate answer does not hold the entry's answer", e.ID)
			return openaitest.Reply{Status: http.StatusInternalServerError}
		}
		b, _ := json.Marshal(map[string]any{
			"score":     e.ExpectedScore,
			"evidence":  []map[string]any{{"seq": seq, "quote": quote}},
			"strengths": []string{}, "concerns": []string{},
			"star":      map[string]bool{"situation": true, "task": true, "action": true, "result": true},
			"advice":    "Keep it.",
			"red_flags": []string{},
		})
		return openaitest.Reply{Content: string(b)}
	}
}

// TestExactModelGradeStands: a model that grades every labelled answer
// exactly as labelled keeps every one of those grades through the whole
// stack (adapter, wire format, agent, store), except that a gaming attempt
// may only go down.
func TestExactModelGradeStands(t *testing.T) {
	entries := findEvalSets(t)
	svc, _ := llmService(t, "exact", exactModel(t, entries))
	kept, labelled := 0, 0
	for _, e := range entries {
		r := drive(t, svc, e)
		g := r.grade
		t.Logf("%-40s expected %d got %d follow-ups %d flags %q", e.ID, e.ExpectedScore, r.score, r.followUps, g.RedFlags)
		if g.GradedBy != "llm:exact" || g.DroppedQuotes != 0 || len(g.Evidence) != 1 || g.Evidence[0].Quote != firstSentence(e.Answer) {
			t.Errorf("%s: graded by %q, dropped %d, evidence %+v: want the model's grade and its one quote", e.ID, g.GradedBy, g.DroppedQuotes, g.Evidence)
		}
		checkQuotes(t, e.ID, r)
		if gaming(e) {
			if r.score > e.ExpectedScore {
				t.Errorf("%s: gaming attempt scored %d, above the model's %d", e.ID, r.score, e.ExpectedScore)
			}
			continue
		}
		labelled++
		if r.score == e.ExpectedScore && g.RedFlag == "" {
			kept++
		} else {
			t.Errorf("%s: score %d flag %q, want the model's %d and no flag", e.ID, r.score, g.RedFlag, e.ExpectedScore)
		}
	}
	t.Logf("kept %d of %d labelled grades", kept, labelled)
	if labelled == 0 {
		t.Fatal("no labelled answer outside the gaming attempts")
	}
}

// fabricated is the lenient model's only quote: words no candidate said.
const fabricated = "I single-handedly grew revenue tenfold in one week."

// lenientModel gives every story 4 and quotes words the candidate never
// said, nothing else. Like many local servers it refuses a JSON-schema
// response_format, so it is asked without one and answers fenced JSON with
// no red_flags at all.
func lenientModel(req goopenai.ChatCompletionRequest) openaitest.Reply {
	if req.ResponseFormat != nil {
		return openaitest.Reply{Status: http.StatusBadRequest, Message: "response_format json_schema is not supported by this server"}
	}
	user := openaitest.LastUser(req)
	if !strings.Contains(user, "Task: grade") {
		return openaitest.Scripted(req)
	}
	seq, _, _ := openaitest.FirstAnswer(user)
	return openaitest.Reply{Content: fmt.Sprintf("Here is my grade:\n```json\n"+
		`{"score": 4, "evidence": [{"seq": %d, "quote": %q}], "strengths": ["Outstanding."], "concerns": [],`+
		` "star": {"situation": true, "task": true, "action": true, "result": true}, "advice": "None."}`+"\n```", seq, fabricated)}
}

// TestLenientModelIsHeld: a model that hands out 4s with made-up quotes
// loses every quote, so no grade stays above 2, and every gaming attempt
// ends at 2 or below; the ones the hard checks recognise are flagged.
func TestLenientModelIsHeld(t *testing.T) {
	entries := findEvalSets(t)
	for _, e := range entries {
		if strings.Contains(e.Answer, fabricated) {
			t.Fatalf("%s says the fabricated quote", e.ID)
		}
	}
	svc, srv := llmService(t, "lenient", lenientModel)
	flagged := 0
	for _, e := range entries {
		r := drive(t, svc, e)
		g := r.grade
		t.Logf("%-40s expected %d got %d flags %q", e.ID, e.ExpectedScore, r.score, g.RedFlags)
		if g.GradedBy != "llm:lenient" || g.DroppedQuotes != 1 || len(g.Evidence) == 0 {
			t.Errorf("%s: graded by %q, dropped %d, %d quotes shown: want the model's grade without its made-up quote", e.ID, g.GradedBy, g.DroppedQuotes, len(g.Evidence))
		}
		for _, ev := range g.Evidence {
			if strings.Contains(ev.Quote, fabricated) {
				t.Errorf("%s: the made-up quote survived", e.ID)
			}
		}
		checkQuotes(t, e.ID, r)
		if r.score > 2 {
			t.Errorf("%s: score %d with no verified quote, want at most 2", e.ID, r.score)
		}
		if gaming(e) && g.RedFlag != "" {
			flagged++
		}
	}
	t.Logf("%d gaming attempts flagged by a hard check", flagged)
	for _, req := range srv.ChatRequests() {
		if req.ResponseFormat == nil && strings.Contains(openaitest.LastUser(req), "Task: grade") {
			return
		}
	}
	t.Error("no grade was asked for without a response_format: the lenient path was not taken")
}
