package main

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	brclient "github.com/barraiser/barraiser/client"
	"github.com/barraiser/barraiser/openai/openaitest"
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
