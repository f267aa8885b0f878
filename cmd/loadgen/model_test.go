package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/openai"
	"github.com/barraiser/barraiser/retrieval"
)

// TestSimModelPace asks the simulated model for questions and a decision
// through the server's own adapter, and checks that it answers in the
// shapes the adapter accepts, at the pace it was given.
func TestSimModelPace(t *testing.T) {
	const ttft, tps = 150 * time.Millisecond, 50.0
	perToken := time.Duration(float64(time.Second) / tps)
	sim, err := startSimModel("127.0.0.1:0", ttft, tps, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	corpus, err := retrieval.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	m, err := openai.New(openai.Config{BaseURL: sim.BaseURL(), Model: simModelName, Timeout: 10 * time.Second, Retries: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, corpus.Principles)
	if err != nil {
		t.Fatal(err)
	}
	p := corpus.Principles[0]
	q := agent.Question{ID: "q", Principles: []string{p.ID}, Text: "Tell me about a time you changed a plan that everyone had agreed on."}
	ctx := context.Background()

	start := time.Now()
	var first time.Duration
	var deltas []string
	text, usage, err := m.Ask(ctx, agent.AskInput{Principle: p, Role: agent.Role("sde"), Level: agent.Level("L5"), Question: q},
		func(d string) {
			if deltas == nil {
				first = time.Since(start)
			}
			deltas = append(deltas, d)
		})
	total := time.Since(start)
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	if text == "" || strings.Join(deltas, "") != text || len(deltas) < 5 {
		t.Fatalf("asked %q in %d deltas %q", text, len(deltas), deltas)
	}
	if usage.CompletionTokens != len(deltas) {
		t.Errorf("usage %+v, want %d completion tokens", usage, len(deltas))
	}
	if first < ttft {
		t.Errorf("first token after %s, want at least %s", first, ttft)
	}
	if want := ttft + time.Duration(len(deltas)-1)*perToken; total < want {
		t.Errorf("%d tokens took %s, want at least %s", len(deltas), total, want)
	}
	if first > total-time.Duration(len(deltas)-2)*perToken {
		t.Errorf("the first token (%s) came too late for the rest to be paced over %s", first, total)
	}

	start = time.Now()
	d, _, err := m.Decide(ctx, agent.DecideInput{Principle: p, Role: agent.Role("sde"), Level: agent.Level("L5"),
		Allowed: []agent.Gap{agent.Gap("metrics")}, Missing: []agent.Gap{agent.Gap("metrics")}})
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	if d.Gap != agent.Gap("metrics") {
		t.Errorf("decision %+v, want the allowed gap", d)
	}
	if took := time.Since(start); took < ttft {
		t.Errorf("a decision came after %s, before the first token was due (%s)", took, ttft)
	}
	if n := sim.failures.Load(); n != 0 {
		t.Errorf("the simulated model refused %d requests", n)
	}
}
