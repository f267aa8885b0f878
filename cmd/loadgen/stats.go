package main

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The latencies a run measures, as seen by the candidates.
const (
	// LatencyTurn runs from sending an answer until the following
	// question arrives.
	LatencyTurn = "turn"
	// LatencyFirstDelta runs from an answer sent to the first chunk of a
	// streamed question; only a model streams.
	LatencyFirstDelta = "first_delta"
	// LatencyOpen runs from the WebSocket handshake to the first question.
	LatencyOpen = "open"
	// LatencyDebrief runs from the last answer sent to the debrief.
	LatencyDebrief = "debrief"
)

// stats collects what the candidates see. It is safe for concurrent use.
type stats struct {
	turns     atomic.Int64 // answers acknowledged
	completed atomic.Int64 // interviews that ended with a debrief
	connected atomic.Int64 // WebSockets open right now
	opened    atomic.Int64 // WebSockets opened in all

	mu        sync.Mutex
	latencies map[string][]time.Duration
	errors    map[string]int
	gradedBy  map[string]int
}

func newStats() *stats {
	return &stats{latencies: map[string][]time.Duration{}, errors: map[string]int{}, gradedBy: map[string]int{}}
}

// observe records one latency of kind.
func (s *stats) observe(kind string, d time.Duration) {
	s.mu.Lock()
	s.latencies[kind] = append(s.latencies[kind], d)
	s.mu.Unlock()
}

// fail counts one error under code.
func (s *stats) fail(code string) {
	s.mu.Lock()
	s.errors[code]++
	s.mu.Unlock()
}

// graded counts one debrief by who graded it.
func (s *stats) graded(by string) {
	s.mu.Lock()
	s.gradedBy[by]++
	s.mu.Unlock()
}

// errorCount returns the number of errors so far.
func (s *stats) errorCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.errors {
		n += v
	}
	return n
}

// Summary is the distribution of one kind of latency.
type Summary struct {
	N             int
	P50, P99, Max time.Duration
}

// summarize returns the count, median, 99th percentile and maximum of ds
// (nearest rank), sorting ds in place.
func summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	slices.Sort(ds)
	rank := func(q float64) time.Duration {
		i := int(q*float64(len(ds))+0.999999) - 1
		return ds[min(max(i, 0), len(ds)-1)]
	}
	return Summary{N: len(ds), P50: rank(0.50), P99: rank(0.99), Max: ds[len(ds)-1]}
}

// snapshot copies what was collected into r.
func (s *stats) snapshot(r *Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Turns = int(s.turns.Load())
	r.Completed = int(s.completed.Load())
	r.Opened = int(s.opened.Load())
	r.Errors = maps.Clone(s.errors)
	r.GradedBy = maps.Clone(s.gradedBy)
	r.Latency = map[string]Summary{}
	for k, ds := range s.latencies {
		r.Latency[k] = summarize(slices.Clone(ds))
	}
}
