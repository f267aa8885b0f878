package sqlite

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// reportLatency reports the p50 and p99 of ds, which it sorts.
func reportLatency(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkAppendTurn measures one writer alone: each candidate answer is
// durable before the next is sent, so no two ever share a commit. Its p50
// is what a single client waits for each answer to be stored.
func BenchmarkAppendTurn(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	const perInterview = 100
	var (
		id  string
		seq int
	)
	ds := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%perInterview == 0 {
			b.StopTimer()
			id, seq = fmt.Sprintf("iv-%d", i), 0
			if err := db.CreateInterview(ctx, &agent.Interview{ID: id, OwnerID: "bench", Role: agent.RoleSDE,
				Level: "L5", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		seq++
		t := agent.Turn{Seq: seq, Speaker: agent.SpeakerCandidate, Kind: agent.KindAnswer, Principle: "ownership",
			Text: "I owned the outcome end to end.", ClientID: fmt.Sprintf("c-%d", seq), At: time.Now()}
		start := time.Now()
		if _, _, err := agent.AppendTurn(ctx, db, id, 0, t); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, ds)
}

// BenchmarkAppendTurnParallel has GOMAXPROCS writers append turns, each to
// an interview of its own.
func BenchmarkAppendTurnParallel(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprintf("iv-%d", n.Add(1))
		if err := db.CreateInterview(ctx, &agent.Interview{ID: id, OwnerID: "bench", Role: agent.RoleSDE,
			Level: "L5", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			b.Error(err)
			return
		}
		seq := 0
		for pb.Next() {
			seq++
			t := agent.Turn{Seq: seq, Speaker: agent.SpeakerInterviewer, Kind: agent.KindFollowUp,
				Principle: "ownership", Text: "And then?", At: time.Now()}
			if _, _, err := agent.AppendTurn(ctx, db, id, 0, t); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAppendTurn200 has 200 writers, each driving an interview of its
// own, append b.N turns between them as fast as they can, as 200
// interviews answering at once do. It reports turns and commits per
// second (commits only where the store can count them) and the p50 and
// p99 of the time each turn waited to be durable.
//
//	go test -run xxx -bench AppendTurn200 -benchtime 20000x ./store/sqlite
func BenchmarkAppendTurn200(b *testing.B) {
	const writers = 200
	ctx := context.Background()
	var commits atomic.Int64
	opts := Options{}
	counted := countCommits(&opts, &commits)
	db := openTest(b, opts)
	ids := make([]string, writers)
	for w := range ids {
		ids[w] = fmt.Sprintf("iv-%d", w)
		if err := db.CreateInterview(ctx, &agent.Interview{ID: ids[w], OwnerID: "bench", Role: agent.RoleSDE,
			Level: "L5", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	var (
		left = int64(b.N)
		mu   sync.Mutex
		ds   = make([]time.Duration, 0, b.N)
		wg   sync.WaitGroup
	)
	commits.Store(0)
	b.ResetTimer()
	for _, id := range ids {
		wg.Go(func() {
			var mine []time.Duration
			for seq := 1; atomic.AddInt64(&left, -1) >= 0; seq++ {
				t := agent.Turn{Seq: seq, Speaker: agent.SpeakerCandidate, Kind: agent.KindAnswer,
					Principle: "ownership", Text: "I owned the outcome end to end.", ClientID: fmt.Sprintf("c-%d", seq),
					At: time.Now()}
				start := time.Now()
				if _, _, err := agent.AppendTurn(ctx, db, id, 0, t); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			ds = append(ds, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/secs, "turns/s")
	if counted {
		b.ReportMetric(float64(commits.Load())/secs, "commits/s")
	}
	reportLatency(b, ds)
}

// BenchmarkInterview reads an interview of 20 turns, as every answer does
// before it is stored.
func BenchmarkInterview(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	if err := db.CreateInterview(ctx, &agent.Interview{ID: "iv", OwnerID: "bench", Role: agent.RoleSDE,
		Level: "L5", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	for seq := 1; seq <= 20; seq++ {
		t := agent.Turn{Seq: seq, Speaker: agent.SpeakerInterviewer, Kind: agent.KindOpening, Principle: "ownership",
			Text: "Tell me about a time.", At: time.Now()}
		if seq%2 == 0 {
			t.Speaker, t.Kind, t.ClientID, t.Text = agent.SpeakerCandidate, agent.KindAnswer, fmt.Sprint("c-", seq), "I did it."
		}
		if _, _, err := agent.AppendTurn(ctx, db, "iv", 0, t); err != nil {
			b.Fatal(err)
		}
	}
	// A context that can be cancelled, as a request's can.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		iv, err := db.Interview(rctx, "bench", "iv")
		if err != nil || len(iv.Turns) != 20 {
			b.Fatalf("read: %v, %d turns", err, len(iv.Turns))
		}
	}
}
