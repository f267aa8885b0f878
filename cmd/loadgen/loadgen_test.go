package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/openai"
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/retrieval/pgvector"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/barraiser/barraiser/store/sqlite"
	"github.com/barraiser/barraiser/web"
)

// startServer runs the real server in this process on a free loopback
// port, wired as cmd/barraiser wires it: with the embedded store, or with
// PostgreSQL when databaseURL is set, and with the model at modelURL, or
// the rules interviewer when it is empty. It returns the server's URL.
func startServer(t *testing.T, databaseURL, modelURL string) string {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	corpus, err := retrieval.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	var st agent.Store
	var rt agent.Retriever
	var keys agent.KeyStore
	var claims web.ClaimWatcher
	if databaseURL != "" {
		db, err := postgres.Open(ctx, databaseURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		if rt, err = pgvector.New(ctx, db, corpus, retrieval.Hash{}); err != nil {
			t.Fatal(err)
		}
		st, keys, claims = db, db, db
	} else {
		db, err := sqlite.Open(ctx, t.TempDir(), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if rt, err = retrieval.NewMemory(ctx, corpus, retrieval.Hash{}, db); err != nil {
			t.Fatal(err)
		}
		st, keys = db, db
	}
	svc := agent.NewService(st, rt, log)
	if modelURL != "" {
		m, err := openai.New(openai.Config{BaseURL: modelURL, APIKey: "test", Model: simModelName, Timeout: 20 * time.Second, Logger: log}, corpus.Principles)
		if err != nil {
			t.Fatal(err)
		}
		svc.Model = m
	}
	srv := web.NewServer(svc, log)
	srv.Keys, srv.Claims = keys, claims
	srv.Info = map[string]string{"version": "test", "model": svc.Model.Name(), "embedder": "hash", "store": "test"}
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.URL()
}

// fakeMetrics serves a Prometheus exposition whose histogram gains ten
// observations between the first request and the next ones, as a server's
// would over a run.
func fakeMetrics(t *testing.T) string {
	t.Helper()
	var calls atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		extra := 0
		if calls.Add(1) > 1 {
			extra = 10
		}
		fmt.Fprintf(w, "# TYPE barraiser_answer_to_question_seconds histogram\n"+
			"barraiser_answer_to_question_seconds_bucket{le=\"0.01\"} %d\n"+
			"barraiser_answer_to_question_seconds_bucket{le=\"0.1\"} %d\n"+
			"barraiser_answer_to_question_seconds_bucket{le=\"+Inf\"} %d\n"+
			"barraiser_answer_to_question_seconds_sum 1\n"+
			"barraiser_answer_to_question_seconds_count %d\n", 100, 100+extra, 100+extra, 100+extra)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestLoadgen runs the tool for a few seconds with five candidates, in both
// modes, against a real server with the rules interviewer and with the
// simulated model, on each store. Every run must finish interviews (or, in
// idle mode, hold its connections) without a single error, and measure
// latencies and the server's memory.
func TestLoadgen(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			// Both servers share one PostgreSQL database, as the processes
			// of a cluster do: making and filling one takes seconds.
			dbURL := ""
			if store == "postgres" {
				dbURL = pgtest.URL(t)
			}
			sim, err := startSimModel("127.0.0.1:0", 20*time.Millisecond, 400, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sim.Close() })
			rulesURL := startServer(t, dbURL, "")
			modelURL := startServer(t, dbURL, sim.BaseURL())
			metrics := fakeMetrics(t)

			for _, tc := range []struct {
				name   string
				target string
				sim    *simModel
				args   []string
			}{
				{"active/rules", rulesURL, nil, []string{"-mode", "active", "-interviews", "25", "-metrics", metrics + "/metrics"}},
				{"active/model", modelURL, sim, []string{"-mode", "active", "-interviews", "8"}},
				{"idle/rules", rulesURL, nil, []string{"-mode", "idle", "-hold", "1s", "-metrics", rulesURL + "/no-metrics-here"}},
				{"idle/model", modelURL, sim, []string{"-mode", "idle", "-hold", "1s"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					args := append([]string{"-target", tc.target, "-n", "5", "-principles", "1", "-think-max", "50ms",
						"-turn-timeout", "15s", "-progress", "0", "-seed", "7", "-duration", "20s"}, tc.args...)
					var out bytes.Buffer
					chatsBefore := sim.chats.Load()
					rep := runLoad(t, args, tc.sim, &out)
					t.Logf("report:\n%s", out.String())
					if n := rep.ErrorCount(); n != 0 {
						t.Errorf("%d errors: %v", n, rep.Errors)
					}
					if !strings.Contains(out.String(), "errors: none") {
						t.Errorf("the printed report does not say errors: none")
					}
					if rep.Memory.PID != os.Getpid() {
						t.Errorf("server pid = %d (%s), want this process, %d, which listens on the target's port", rep.Memory.PID, rep.Memory.Note, os.Getpid())
					}
					if rep.Memory.Before <= 0 || rep.Memory.Peak < rep.Memory.Before {
						t.Errorf("server memory before %d, peak %d", rep.Memory.Before, rep.Memory.Peak)
					}
					if _, ok := rep.Memory.PerSession(); !ok {
						t.Errorf("no memory per session: %+v", rep.Memory)
					}
					wantModel := "rules"
					if tc.sim != nil {
						wantModel = "llm:" + simModelName
						if sim.chats.Load() == chatsBefore {
							t.Errorf("the simulated model was never called")
						}
						if rep.Sim == nil || sim.failures.Load() != 0 {
							t.Errorf("simulated model report %+v, %d refused requests", rep.Sim, sim.failures.Load())
						}
					}
					if rep.ServerModel != wantModel {
						t.Errorf("server model = %q, want %q", rep.ServerModel, wantModel)
					}
					if rep.Mode == ModeIdle {
						checkIdle(t, rep)
					} else {
						want, _ := strconv.Atoi(tc.args[slices.Index(tc.args, "-interviews")+1])
						checkActive(t, rep, want, wantModel, tc.sim != nil)
					}
					switch {
					case strings.HasPrefix(rep.Mode, ModeActive) && tc.sim == nil:
						checkMetrics(t, rep)
					case tc.sim == nil:
						// A metrics URL that answers 404 leaves a note, not a failure.
						if len(rep.ServerHistograms) != 0 || !strings.Contains(rep.MetricsNote, "404") {
							t.Errorf("metrics from a missing endpoint: %+v, note %q", rep.ServerHistograms, rep.MetricsNote)
						}
					}
				})
			}
		})
	}
}

// runLoad runs loadgen with args, through run, or through execute when sim
// is the model the server already uses.
func runLoad(t *testing.T, args []string, sim *simModel, out *bytes.Buffer) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var logs bytes.Buffer
	if sim == nil {
		rep, err := run(ctx, args, out, &logs)
		if err != nil {
			t.Fatalf("run: %v\n%s", err, logs.String())
		}
		return rep
	}
	cfg, err := parseConfig(args, &logs)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := execute(ctx, cfg, sim, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("execute: %v\n%s", err, logs.String())
	}
	rep.Write(out)
	return rep
}

// checkActive wants at least interviews whole interviews graded by model,
// and every kind of latency an active run measures.
func checkActive(t *testing.T, rep *Report, interviews int, model string, streamed bool) {
	t.Helper()
	// The run stops early once enough interviews are complete; a few more
	// may end at the same instant.
	if rep.Completed < interviews || rep.Completed >= interviews+rep.Candidates || rep.Turns == 0 {
		t.Fatalf("completed %d interviews, %d turns; want %d to %d", rep.Completed, rep.Turns, interviews, interviews+rep.Candidates-1)
	}
	if rep.Elapsed >= 20*time.Second {
		t.Errorf("the run lasted %s: it did not stop once its interviews were complete", rep.Elapsed)
	}
	if rep.GradedBy[model] != rep.Completed {
		t.Errorf("graded by %v, want all %d by %s", rep.GradedBy, rep.Completed, model)
	}
	kinds := []string{LatencyTurn, LatencyOpen, LatencyDebrief}
	if streamed {
		kinds = append(kinds, LatencyFirstDelta)
	}
	for _, k := range kinds {
		s := rep.Latency[k]
		if s.N == 0 || s.P50 <= 0 || s.P99 < s.P50 || s.Max < s.P99 {
			t.Errorf("latency %s = %+v", k, s)
		}
	}
	// Every acknowledged answer is followed by a question or a debrief,
	// except for one per candidate cut short when the run ended.
	if after := rep.Latency[LatencyTurn].N + rep.Completed; after > rep.Turns || after+rep.Candidates < rep.Turns {
		t.Errorf("%d questions and debriefs after %d acknowledged answers", after, rep.Turns)
	}
	if rep.PeakConnected < 1 || rep.PeakConnected > int64(rep.Candidates) {
		t.Errorf("at most %d connected at once, want 1 to %d", rep.PeakConnected, rep.Candidates)
	}
}

// checkMetrics wants the fake server histogram's quantiles over the run
// only: the ten observations it gained, all between 10 and 100 ms.
func checkMetrics(t *testing.T, rep *Report) {
	t.Helper()
	if len(rep.ServerHistograms) != 1 || rep.MetricsNote != "" {
		t.Fatalf("server histograms %+v (%s), want one", rep.ServerHistograms, rep.MetricsNote)
	}
	h := rep.ServerHistograms[0]
	if h.Count != 10 || !h.Seconds || h.P50 < 0.01 || h.P50 > 0.1 || h.P99 < h.P50 || h.MaxBound != 0.1 {
		t.Errorf("server histogram over the run = %+v, want 10 observations between 10 and 100 ms", h)
	}
}

// checkIdle wants every connection opened, held to the end and measured.
func checkIdle(t *testing.T, rep *Report) {
	t.Helper()
	if rep.Opened != rep.Candidates || rep.Memory.HeldConnections != int64(rep.Candidates) {
		t.Errorf("opened %d, held %d; want %d", rep.Opened, rep.Memory.HeldConnections, rep.Candidates)
	}
	if rep.Latency[LatencyOpen].N != rep.Candidates {
		t.Errorf("first-question latencies %+v, want %d", rep.Latency[LatencyOpen], rep.Candidates)
	}
	if rep.Turns != 0 || rep.Completed != 0 {
		t.Errorf("idle candidates answered %d times and completed %d interviews", rep.Turns, rep.Completed)
	}
	if rep.Memory.Held <= 0 {
		t.Errorf("no memory at the end of the hold: %+v", rep.Memory)
	}
}
