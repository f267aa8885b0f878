package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// BenchmarkStartup measures Main.Run on an empty DATA_DIR: create the
// database, migrate, embed the corpus, listen. Close is not timed.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-data-dir", b.TempDir()}, func(string) string { return "" }, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		b.StartTimer()
		if err := m.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		m.Close()
		b.StartTimer()
	}
}

// BenchmarkAnswerAck measures, over a real WebSocket, the time from sending
// an answer to receiving its ack, which the server sends once the answer is
// durably stored. It reports p50 and p99 for each store.
//
//	TEST_DATABASE_URL=postgres://… go test -run xxx -bench AnswerAck -benchtime 500x ./cmd/barraiser
func BenchmarkAnswerAck(b *testing.B) {
	forEachBenchStore(b, func(b *testing.B, m *Main) {
		c := newClient(b, m.Server.URL())
		var conn *websocket.Conn
		next := func() {
			if conn != nil {
				conn.CloseNow()
			}
			iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep","earn-trust","frugality"]}`)
			conn, _ = c.open(iv.WSURL)
			readType(b, conn, "question")
		}
		next()
		ds := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			send(b, conn, answer(vagueAnswer, strconv.Itoa(i)))
			readType(b, conn, "ack")
			ds = append(ds, time.Since(start))
			b.StopTimer()
			if f := read(b, conn); f.Type != "question" {
				next() // the interview went to grading: start another
			}
			b.StartTimer()
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
	})
}

// burstSize is how many interviews answer at once in BenchmarkBurst200.
const burstSize = 200

// BenchmarkBurst200 measures a burst: 200 interviews, each on its own real
// WebSocket, send an answer at the same moment, and each times how long it
// waits from sending its answer to reading the next question. One
// iteration is one such burst; an interview that runs out of questions is
// replaced by a new one between bursts, and its last answer is not
// counted. It reports p50 and p99 over every answer timed, for each store.
//
//	go test -run xxx -bench Burst200 -benchtime 20x ./cmd/barraiser
func BenchmarkBurst200(b *testing.B) {
	forEachBenchStore(b, func(b *testing.B, m *Main) {
		c := newClient(b, m.Server.URL())
		conns := make([]*websocket.Conn, burstSize)
		fresh := func(i int) {
			if conns[i] != nil {
				conns[i].CloseNow()
			}
			iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep","earn-trust","frugality"]}`)
			conns[i], _ = c.open(iv.WSURL)
			readType(b, conns[i], "question")
		}
		for i := range conns {
			fresh(i)
		}
		var (
			mu   sync.Mutex
			ds   []time.Duration
			done = make([]bool, burstSize) // went to grading: replace it
		)
		b.ResetTimer()
		for n := range b.N {
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, conn := range conns {
				wg.Go(func() {
					<-start
					d, next, err := answerAndWait(conn, fmt.Sprintf("burst-%d-%d", n, i))
					if err != nil {
						b.Errorf("interview %d: %v", i, err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if next {
						ds = append(ds, d)
					} else {
						done[i] = true
					}
				})
			}
			close(start)
			wg.Wait()
			if b.Failed() {
				b.FailNow()
			}
			b.StopTimer()
			for i := range done {
				if done[i] {
					fresh(i)
					done[i] = false
				}
			}
			b.StartTimer()
		}
		b.StopTimer()
		if len(ds) == 0 {
			b.Fatal("no answer was followed by a question")
		}
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(burstSize*b.N)/b.Elapsed().Seconds(), "answers/s")
	})
}

// answerAndWait sends an answer on conn and reads until the next question,
// returning how long that took and true; or false when the interview went
// to grading instead. It reports failures as errors, not through testing,
// because it runs on goroutines of its own.
func answerAndWait(conn *websocket.Conn, clientID string) (time.Duration, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	if err := wsjson.Write(ctx, conn, answer(vagueAnswer, clientID)); err != nil {
		return 0, false, fmt.Errorf("send answer: %w", err)
	}
	for {
		var f frame
		if err := wsjson.Read(ctx, conn, &f); err != nil {
			return 0, false, fmt.Errorf("read frame: %w", err)
		}
		switch f.Type {
		case "question":
			return time.Since(start), true, nil
		case "grading":
			return 0, false, nil
		case "error":
			return 0, false, fmt.Errorf("error frame %s: %s", f.Code, f.Message)
		}
	}
}

// forEachBenchStore runs fn as a sub-benchmark for each store, with a
// server on it that applies no per-owner limits; PostgreSQL runs when
// TEST_DATABASE_URL is set.
func forEachBenchStore(b *testing.B, fn func(b *testing.B, m *Main)) {
	stores := []struct{ name, flag string }{{"sqlite", "-data-dir"}, {"postgres", "-database-url"}}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			value := b.TempDir()
			if st.name == "postgres" {
				value = pgtest.URL(b)
			}
			fn(b, startArgs(b, []string{st.flag, value, "-rate-limit", "0", "-max-open-interviews", "0"}))
		})
	}
}
