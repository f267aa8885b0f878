package main

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	brclient "github.com/barraiser/barraiser/client"
	"github.com/barraiser/barraiser/openai/openaitest"
	goopenai "github.com/sashabaranov/go-openai"
)

// TestHTTPTurnsWithModel runs an interview over POST …/next with the
// model interviewer: every question a model streams comes back whole, as
// stored, and the debrief is the model's.
func TestHTTPTurnsWithModel(t *testing.T) {
	srv := openaitest.NewServer(nil)
	defer srv.Close()
	dir := t.TempDir()
	m := startArgs(t, []string{"-data-dir", dir, "-openai-base-url", srv.BaseURL(), "-llm-model", "test-model", "-llm-timeout", "5s"})
	key := cliKey(t, []string{"-data-dir", dir}, "model-script")
	c := newKeyClient(t, m.Server.URL(), key)
	api := brclient.New(m.Server.URL(), key, brclient.WithHTTPClient(withContract(t, &http.Client{Timeout: time.Minute})))
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	r := nextTurn(t, api, iv.ID, nil, "")
	for i := 0; r.Question != nil; i++ {
		if i > 6 {
			t.Fatal("the interview does not end")
		}
		var stored struct {
			Turns []struct {
				Seq  int    `json:"seq"`
				Text string `json:"text"`
			} `json:"turns"`
		}
		c.do("GET", "/api/v1/interviews/"+iv.ID, "", &stored)
		last := stored.Turns[len(stored.Turns)-1]
		if r.Question.Text == "" || last.Seq != r.Question.Seq || last.Text != r.Question.Text {
			t.Fatalf("question %d = %q (seq %d); stored %q (seq %d)", i, r.Question.Text, r.Question.Seq, last.Text, last.Seq)
		}
		answer := strongAnswer
		r = nextTurn(t, api, iv.ID, &answer, "m-"+strconv.Itoa(i))
	}
	if r.Status != "complete" || r.Debrief == nil || r.Debrief.GradedBy != "llm:test-model" {
		t.Fatalf("the end = status %s, debrief %+v", r.Status, r.Debrief)
	}
}

// TestHTTPTurnsWhileGrading checks that an HTTP turn waits for a debrief
// being graded only so long, then answers with the status alone, and that
// a later call gets the debrief.
func TestHTTPTurnsWhileGrading(t *testing.T) {
	slowGrades := func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		r := openaitest.Scripted(req)
		if strings.Contains(openaitest.LastUser(req), "Task: grade") {
			r.Delay = 2 * time.Second
		}
		return r
	}
	srv := openaitest.NewServer(slowGrades)
	defer srv.Close()
	dir := t.TempDir()
	m := startWith(t, []string{"-data-dir", dir, "-openai-base-url", srv.BaseURL(), "-llm-model", "test-model", "-llm-timeout", "10s"},
		func(c *Config) { c.NextWait = 300 * time.Millisecond }, io.Discard)
	key := cliKey(t, []string{"-data-dir", dir}, "patient")
	c := newKeyClient(t, m.Server.URL(), key)
	api := brclient.New(m.Server.URL(), key, brclient.WithHTTPClient(withContract(t, &http.Client{Timeout: time.Minute})))
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	nextTurn(t, api, iv.ID, nil, "")
	answer := strongAnswer
	nextTurn(t, api, iv.ID, &answer, "only")
	// Grading starts; the end itself waits as /next does, and gives up.
	if code := c.do("POST", "/api/v1/interviews/"+iv.ID+"/end", "", nil); code != 200 {
		t.Fatalf("end = %d", code)
	}
	start := time.Now()
	r := nextTurn(t, api, iv.ID, nil, "")
	if waited := time.Since(start); r.Status != "grading" || r.Debrief != nil || waited < 250*time.Millisecond || waited > 1500*time.Millisecond {
		t.Fatalf("while grading: status %s, debrief %v, after %v; want grading, none, after about 300ms", r.Status, r.Debrief != nil, waited)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r.Status != "complete" {
		if time.Now().After(deadline) {
			t.Fatal("grading never finished")
		}
		r = nextTurn(t, api, iv.ID, nil, "")
	}
	if r.Debrief == nil || r.Debrief.GradedBy != "llm:test-model" {
		t.Fatalf("after grading: %+v", r.Debrief)
	}
}
