package retrieval

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// reportPercentiles adds p50 and p99 of the recorded durations to the
// benchmark's output.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) == 0 {
		return
	}
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}

func BenchmarkSearchPrinciples(b *testing.B) {
	m, err := NewMemory(context.Background(), loadCorpus(b), Hash{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	qs := loadQueries(b)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := m.SearchPrinciples(context.Background(), qs[i%len(qs)].Query, 3); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		i++
	}
	reportPercentiles(b, ds)
}

func BenchmarkSearchQuestionsFiltered(b *testing.B) {
	c := loadCorpus(b)
	m, err := NewMemory(context.Background(), c, Hash{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	qs := loadQueries(b)
	var ds []time.Duration
	i := 0
	for b.Loop() {
		p := c.Principles[i%len(c.Principles)]
		f := agent.QuestionFilter{Principle: p.ID, Role: agent.Roles[i%len(agent.Roles)], Level: agent.Levels[i%len(agent.Levels)]}
		start := time.Now()
		if _, err := m.SearchQuestions(context.Background(), qs[i%len(qs)].Query, 1, f); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		i++
	}
	reportPercentiles(b, ds)
}

func BenchmarkEmbedCorpus(b *testing.B) {
	c := loadCorpus(b)
	for b.Loop() {
		if _, err := Embed(context.Background(), c, Hash{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
