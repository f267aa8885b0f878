package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Report is what one run measured.
type Report struct {
	Mode               string
	Target             string
	Candidates         int
	ThinkMin, ThinkMax time.Duration
	// ServerModel is the model the server says it runs ("rules" or
	// "llm:<name>").
	ServerModel string
	Elapsed     time.Duration
	// OpenTime is how long idle mode took to open its connections.
	OpenTime time.Duration

	// Completed counts interviews that reached their debrief, Turns the
	// answers acknowledged and Opened the WebSockets opened.
	Completed, Turns, Opened int
	// PeakConnected is the most WebSockets seen open at once.
	PeakConnected int64
	// Errors counts failures by code: "http:<code>" for a refused request,
	// "frame:<code>" for an error frame, "close:<status>" for a connection
	// the server closed, "net:…" for network failures, "timeout", and
	// "idle:…" for anything that broke the silence of idle mode.
	Errors map[string]int
	// GradedBy counts debriefs by who graded them.
	GradedBy map[string]int
	// Latency summarizes the client-side latencies by kind (LatencyTurn …).
	Latency map[string]Summary

	Memory Memory
	// ServerHistograms is what the server's own metrics say, with
	// MetricsNote saying why they are missing or partial.
	ServerHistograms []ServerHistogram
	MetricsNote      string
	// FileLimit is this process's open-files limit, once raised.
	FileLimit uint64
	Sim       *SimReport
	// Hints are warnings for the person running the tool.
	Hints []string
}

// Memory is the server's resident memory, in bytes.
type Memory struct {
	PID int
	// Before is taken before the first connection, Peak is the highest
	// sample since, with ConnectedAtPeak connections open then, and
	// MostConnected is the most connections seen open at once.
	Before, Peak                   int64
	ConnectedAtPeak, MostConnected int64
	// Held is taken at the end of idle mode's hold, with HeldConnections
	// open.
	Held, HeldConnections int64
	// Note says why there is no measure.
	Note string
}

// PerSession returns the growth of memory per open connection: over the
// hold in idle mode, else at the peak, divided by the connections open
// then (or by the most ever open, when the peak is the measure before the
// run). The garbage collector may make it negative. It reports false
// without a measure.
func (m Memory) PerSession() (int64, bool) {
	switch {
	case m.PID == 0 || m.Before == 0:
		return 0, false
	case m.HeldConnections > 0 && m.Held > 0:
		return (m.Held - m.Before) / m.HeldConnections, true
	case m.ConnectedAtPeak > 0:
		return (m.Peak - m.Before) / m.ConnectedAtPeak, true
	case m.MostConnected > 0:
		return (m.Peak - m.Before) / m.MostConnected, true
	}
	return 0, false
}

// SimReport is what the simulated model served.
type SimReport struct {
	Chats, Streams, Failures int64
	TTFT, PerToken           time.Duration
}

// ErrorCount returns the number of errors of every code.
func (r *Report) ErrorCount() int {
	n := 0
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// Write prints the report for people.
func (r *Report) Write(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("loadgen %s: %d candidates against %s (server model: %s) for %s", r.Mode, r.Candidates, r.Target, r.ServerModel, r.Elapsed.Round(time.Millisecond))
	if r.Mode == ModeActive {
		p("  think time %s to %s", r.ThinkMin, r.ThinkMax)
	}
	p("interviews completed: %d%s", r.Completed, gradedBy(r.GradedBy))
	p("answers acknowledged: %d; WebSockets opened: %d, at most %d at once", r.Turns, r.Opened, r.PeakConnected)
	if r.Mode == ModeIdle {
		p("opening took %s; %d connections held", r.OpenTime.Round(time.Millisecond), r.Memory.HeldConnections)
	}
	if len(r.Errors) == 0 {
		p("errors: none")
	} else {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(r.Errors)) {
			parts = append(parts, fmt.Sprintf("%s=%d", k, r.Errors[k]))
		}
		p("errors: %d (%s)", r.ErrorCount(), strings.Join(parts, ", "))
	}
	p("client-side latency:")
	for _, k := range []struct{ kind, label string }{
		{LatencyTurn, "answer -> next question"},
		{LatencyFirstDelta, "answer -> first streamed chunk"},
		{LatencyOpen, "connect -> first question"},
		{LatencyDebrief, "last answer -> debrief"},
	} {
		s, ok := r.Latency[k.kind]
		if !ok {
			continue
		}
		p("  %-32s n=%-7d p50=%-9s p99=%-9s max=%s", k.label, s.N, roundDur(s.P50), roundDur(s.P99), roundDur(s.Max))
	}
	switch {
	case len(r.ServerHistograms) > 0:
		p("server-side histograms (from -metrics, this run only):")
		for _, h := range r.ServerHistograms {
			p("  %s n=%g p50=%s p99=%s max<=%s", h.Series, h.Count, h.value(h.P50), h.value(h.P99), h.value(h.MaxBound))
		}
		if r.MetricsNote != "" {
			p("  (%s)", r.MetricsNote)
		}
	case r.MetricsNote != "":
		p("server-side histograms: none (%s)", r.MetricsNote)
	}
	m := r.Memory
	if per, ok := m.PerSession(); ok {
		p("server memory (pid %d): %s before, %s at peak with %d connected", m.PID, mib(m.Before), mib(m.Peak), m.ConnectedAtPeak)
		if m.HeldConnections > 0 {
			p("  %s at the end of the hold with %d connected", mib(m.Held), m.HeldConnections)
		}
		p("  growth per connected session: %.1f KiB", float64(per)/1024)
	} else if m.Note != "" {
		p("server memory: unknown (%s)", m.Note)
	}
	if r.Sim != nil {
		p("simulated model: %d chat requests (%d streamed, %d refused), first token after %s, then one every %s",
			r.Sim.Chats, r.Sim.Streams, r.Sim.Failures, r.Sim.TTFT, r.Sim.PerToken)
	}
	p("open-files limit of loadgen: %d", r.FileLimit)
	for _, h := range r.Hints {
		p("hint: %s", h)
	}
}

// gradedBy says who graded the debriefs, when any were.
func gradedBy(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return " (graded by " + strings.Join(parts, ", ") + ")"
}

// value formats a value of the histogram: a duration for seconds.
func (h ServerHistogram) value(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "+Inf"
	case h.Seconds:
		return roundDur(time.Duration(v * float64(time.Second)))
	}
	return fmt.Sprintf("%g", v)
}

// roundDur shows d to a precision that suits its size.
func roundDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Microsecond).String()
}

// mib shows a number of bytes in MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
