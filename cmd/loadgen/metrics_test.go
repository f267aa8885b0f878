package main

import (
	"math"
	"regexp"
	"testing"
)

// exposition is a Prometheus text page with two series of one histogram,
// a histogram of another name, a summary and a counter.
const exposition = `# HELP barraiser_answer_to_question_seconds Time from an answer to the next question.
# TYPE barraiser_answer_to_question_seconds histogram
barraiser_answer_to_question_seconds_bucket{interviewer="rules",le="0.005"} 10
barraiser_answer_to_question_seconds_bucket{interviewer="rules",le="0.01"} 50
barraiser_answer_to_question_seconds_bucket{interviewer="rules",le="0.1"} 90
barraiser_answer_to_question_seconds_bucket{interviewer="rules",le="1"} 100
barraiser_answer_to_question_seconds_bucket{interviewer="rules",le="+Inf"} 100
barraiser_answer_to_question_seconds_sum{interviewer="rules"} 2.5
barraiser_answer_to_question_seconds_count{interviewer="rules"} 100
barraiser_answer_to_question_seconds_bucket{interviewer="llm",le="0.005"} 0
barraiser_answer_to_question_seconds_bucket{interviewer="llm",le="0.01"} 0
barraiser_answer_to_question_seconds_bucket{interviewer="llm",le="0.1"} 0
barraiser_answer_to_question_seconds_bucket{interviewer="llm",le="1"} 2
barraiser_answer_to_question_seconds_bucket{interviewer="llm",le="+Inf"} 4
barraiser_answer_to_question_seconds_sum{interviewer="llm"} 9
barraiser_answer_to_question_seconds_count{interviewer="llm"} 4
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{path="/a,b=\"c\"",le="1"} 3 1700000000000
http_request_duration_seconds_bucket{path="/a,b=\"c\"",le="+Inf"} 3 1700000000000
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0.5"} 0.001
go_gc_duration_seconds_sum 0.01
go_gc_duration_seconds_count 7
# TYPE barraiser_sessions gauge
barraiser_sessions 12
`

func TestParseHistograms(t *testing.T) {
	hs := parseHistograms(exposition)
	if len(hs) != 3 {
		t.Fatalf("parsed %d histograms, want 3: %v", len(hs), hs)
	}
	rules := hs[`barraiser_answer_to_question_seconds{interviewer="rules"}`]
	if rules == nil || len(rules.Buckets) != 5 || rules.Count != 100 || rules.Sum != 2.5 {
		t.Fatalf("rules series = %+v", rules)
	}
	if h := hs[`http_request_duration_seconds{path="/a,b=\"c\""}`]; h == nil || h.Count != 3 {
		t.Errorf("a series with an escaped label and timestamps = %+v (keys %v)", h, keys(hs))
	}
	for _, tc := range []struct {
		series string
		q      float64
		want   float64
	}{
		// Rank 50 ends the 0.005–0.01 bucket exactly.
		{`barraiser_answer_to_question_seconds{interviewer="rules"}`, 0.5, 0.01},
		// Rank 5 is half-way through the first bucket, from 0.
		{`barraiser_answer_to_question_seconds{interviewer="rules"}`, 0.05, 0.0025},
		// Rank 99 is nine tenths into the 0.1–1 bucket.
		{`barraiser_answer_to_question_seconds{interviewer="rules"}`, 0.99, 0.91},
		// Rank 3.96 falls in +Inf: the highest finite bound is all we know.
		{`barraiser_answer_to_question_seconds{interviewer="llm"}`, 0.99, 1},
		{`barraiser_answer_to_question_seconds{interviewer="llm"}`, 0.25, 0.55},
	} {
		if got := hs[tc.series].quantile(tc.q); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s quantile(%g) = %g, want %g", tc.series, tc.q, got, tc.want)
		}
	}
	if got := hs[`barraiser_answer_to_question_seconds{interviewer="rules"}`].maxBound(); got != 1 {
		t.Errorf("maxBound = %g, want 1", got)
	}
	if got := hs[`barraiser_answer_to_question_seconds{interviewer="llm"}`].maxBound(); !math.IsInf(got, 1) {
		t.Errorf("maxBound with observations in +Inf = %g, want +Inf", got)
	}
}

func TestHistogramSince(t *testing.T) {
	before := &histogram{Name: "h", Buckets: []bucket{{0.1, 10}, {1, 20}, {math.Inf(1), 20}}, Count: 20, Sum: 3}
	after := &histogram{Name: "h", Buckets: []bucket{{0.1, 10}, {1, 30}, {math.Inf(1), 31}}, Count: 31, Sum: 10}
	d := after.since(before)
	if d.Count != 11 || d.Sum != 7 || d.Buckets[0].Count != 0 || d.Buckets[1].Count != 10 || d.Buckets[2].Count != 11 {
		t.Errorf("since = %+v", d)
	}
	// Only observations between 0.1 and 1 are left: the median is inside.
	if q := d.quantile(0.5); q <= 0.1 || q > 1 {
		t.Errorf("median over the run = %g, want in (0.1, 1]", q)
	}
	// A server that restarted has fewer observations than before: the
	// later counts are all there is.
	restarted := &histogram{Name: "h", Buckets: []bucket{{0.1, 1}, {1, 1}, {math.Inf(1), 1}}, Count: 1}
	if got := restarted.since(before); got != restarted {
		t.Errorf("since across a restart = %+v, want the later counts", got)
	}
	empty := &histogram{Name: "h", Buckets: []bucket{{0.1, 0}, {math.Inf(1), 0}}}
	if q := empty.quantile(0.5); !math.IsNaN(q) {
		t.Errorf("quantile of nothing = %g, want NaN", q)
	}
}

func TestServerHistograms(t *testing.T) {
	after := parseHistograms(exposition)
	got := serverHistograms(nil, after, regexp.MustCompile(defaultMetricsMatch))
	if len(got) != 2 {
		t.Fatalf("picked %+v, want the two answer-to-question series", got)
	}
	for _, h := range got {
		if !h.Seconds || h.Count == 0 {
			t.Errorf("series %+v", h)
		}
	}
	if got := serverHistograms(nil, after, regexp.MustCompile(`^nothing$`)); len(got) != 0 {
		t.Errorf("a pattern matching nothing picked %+v", got)
	}
}

func keys(m map[string]*histogram) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
