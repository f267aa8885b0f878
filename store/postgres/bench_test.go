package postgres

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// BenchmarkAppendTurn measures write-to-ack of one candidate answer:
// AppendTurn from call to return, its transaction committed. It reports
// the median and 99th percentile in microseconds.
func BenchmarkAppendTurn(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	const perInterview = 200
	var (
		id   string
		seq  int
		took = make([]time.Duration, 0, b.N)
	)
	for i := 0; b.Loop(); i++ {
		if i%perInterview == 0 {
			b.StopTimer()
			id, seq = fmt.Sprintf("iv-%d", i/perInterview), 0
			now := time.Now()
			if err := db.CreateInterview(ctx, &agent.Interview{ID: id, OwnerID: "bench", Role: agent.RoleSDE,
				Level: "L5", CreatedAt: now, UpdatedAt: now}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		seq++
		tr := agent.Turn{Seq: seq, Speaker: agent.SpeakerCandidate, Kind: agent.KindAnswer, Principle: "ownership",
			Text: "I owned the rollback and paged myself.", ClientID: fmt.Sprintf("c-%d", seq)}
		start := time.Now()
		if _, created, err := agent.AppendTurn(ctx, db, id, 0, tr); err != nil || !created {
			b.Fatalf("AppendTurn = %v, %v", created, err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50_µs")
	b.ReportMetric(pct(0.99), "p99_µs")
}

// BenchmarkInterview measures loading an interview of 20 turns with its
// debrief, as the service does before each answer (one snapshot).
func BenchmarkInterview(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	now := time.Now()
	if err := db.CreateInterview(ctx, &agent.Interview{ID: "iv-1", OwnerID: "bench", Role: agent.RoleSDE, Level: "L5",
		Principles: []agent.PlannedPrinciple{{ID: "ownership", Name: "Ownership", QuestionID: "q-1"}},
		CreatedAt:  now, UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
	for seq := 1; seq <= 20; seq++ {
		tr := agent.Turn{Seq: seq, Speaker: agent.SpeakerInterviewer, Kind: agent.KindFollowUp, Principle: "ownership",
			Text: "Tell me more about the rollback: what did you measure?"}
		if _, _, err := agent.AppendTurn(ctx, db, "iv-1", 0, tr); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.SetStatus(ctx, "iv-1", 0, agent.StatusInProgress, agent.StatusGrading); err != nil {
		b.Fatal(err)
	}
	if err := db.SaveDebrief(ctx, "iv-1", &agent.Debrief{Recommendation: agent.Hire, Summary: "ok"}); err != nil {
		b.Fatal(err)
	}
	took := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		iv, err := db.Interview(ctx, "bench", "iv-1")
		if err != nil || len(iv.Turns) != 20 || iv.Debrief == nil {
			b.Fatalf("Interview = %v", err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50_µs")
	b.ReportMetric(float64(took[min(len(took)-1, len(took)*99/100)].Microseconds()), "p99_µs")
}
