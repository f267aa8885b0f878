package main

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/coder/websocket"
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
	stores := []struct{ name, flag string }{{"sqlite", "-data-dir"}, {"postgres", "-database-url"}}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			value := b.TempDir()
			if st.name == "postgres" {
				value = pgtest.URL(b)
			}
			m := startArgs(b, []string{st.flag, value, "-rate-limit", "0", "-max-open-interviews", "0"})
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
}
