package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/openai/openaitest"
	"github.com/barraiser/barraiser/web"
	"github.com/coder/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// families are the metric families the server defines; llmFamilies are
// the ones only a model fills in.
var (
	families = []string{
		"barraiser_websocket_sessions_connected",
		"barraiser_sessions_active",
		"barraiser_turns_total",
		"barraiser_answer_to_question_seconds",
		"barraiser_store_commit_batch_ops",
		"barraiser_store_commit_seconds",
		"barraiser_retrieval_seconds",
		"barraiser_websocket_closes_total",
	}
	llmFamilies = []string{
		"barraiser_llm_call_seconds",
		"barraiser_llm_call_errors_total",
		"barraiser_llm_tokens_total",
	}
)

// startObserved runs the server with ADMIN_ADDR on a free port, logging
// JSON at debug level to logs.
func startObserved(t *testing.T, args []string, logs io.Writer) *Main {
	t.Helper()
	args = append([]string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-log-format", "json"}, args...)
	cfg, err := parseConfig(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, newFormatLogger(logs, "debug", cfg.LogFormat))
	if err := m.Run(t.Context()); err != nil {
		m.Close()
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestMetricsEndToEnd runs an interview over a real WebSocket, once with
// the rules interviewer and once with a model that fails its first call,
// on each store, and scrapes ADMIN_ADDR: every family has a sample that is
// not zero (the model's families only with the model), the counts match
// the interview, and the public address serves neither the metrics nor the
// profiler. The logs, JSON, carry the ids and none of the answers.
func TestMetricsEndToEnd(t *testing.T) {
	for _, llm := range []bool{false, true} {
		name := map[bool]string{false: "rules", true: "llm"}[llm]
		t.Run(name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, args []string) { testMetricsEndToEnd(t, args, llm) })
		})
	}
}

func testMetricsEndToEnd(t *testing.T, args []string, llm bool) {
	if llm {
		// Without retries the first call's failure reaches the service,
		// which lets the rules word that question.
		srv := openaitest.NewServer(openaitest.FailFirst(1, openaitest.Reply{Status: 500}, nil))
		t.Cleanup(srv.Close)
		args = append(args, "-openai-base-url", srv.BaseURL(), "-llm-model", "test-model", "-llm-timeout", "5s", "-llm-retries", "0")
	}
	logs := &syncBuffer{}
	m := startObserved(t, args, logs)
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
	conn, _ := c.open(iv.WSURL)
	answers := 0
	for {
		if f, _ := nextQuestion(t, conn); f.Type == "grading" {
			break
		}
		send(t, conn, answer(strongAnswer, "a-"+strconv.Itoa(answers)))
		readType(t, conn, "ack")
		if answers++; answers > 12 {
			t.Fatal("the interview did not end")
		}
	}
	readType(t, conn, "debrief")
	if code := expectClose(t, conn); code != websocket.StatusNormalClosure {
		t.Fatalf("close %d, want normal", code)
	}
	// A second interview stays connected while the metrics are read.
	open := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	conn2, _ := c.open(open.WSURL)
	nextQuestion(t, conn2)

	// The session that closed is counted once its handler has returned,
	// which may come just after the client saw the close.
	var got map[string]*dto.MetricFamily
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = scrape(t, m.admin.URL()+"/metrics")
		if value(got, "barraiser_websocket_closes_total", "code", "1000") == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := families
	if llm {
		want = append(slices.Clone(families), llmFamilies...)
	}
	for _, name := range want {
		if !nonZero(got[name]) {
			t.Errorf("family %s has no sample above zero: %v", name, got[name])
		}
	}
	if !llm {
		for _, name := range llmFamilies {
			if nonZero(got[name]) {
				t.Errorf("the rules interviewer shows in %s: %v", name, got[name])
			}
		}
	}
	checks := []struct {
		name, family, label, value string
		want                       float64
	}{
		{"closed normally", "barraiser_websocket_closes_total", "code", "1000", 1},
		{"connected now", "barraiser_websocket_sessions_connected", "", "", 1},
		{"answers", "barraiser_turns_total", "transport", web.TransportWebSocket, float64(answers)},
		// The last answer is followed by the debrief, not by a question.
		{"answers followed by a question", "barraiser_answer_to_question_seconds", "transport", web.TransportWebSocket, float64(answers - 1)},
		{"interviews answered lately", "barraiser_sessions_active", "", "", 1},
	}
	if llm {
		checks = append(checks, struct {
			name, family, label, value string
			want                       float64
		}{"the failed first call", "barraiser_llm_call_errors_total", "op", "ask", 1})
	}
	for _, ck := range checks {
		if v := value(got, ck.family, ck.label, ck.value); v != ck.want {
			t.Errorf("%s: %s{%s=%q} = %v, want %v", ck.name, ck.family, ck.label, ck.value, v, ck.want)
		}
	}

	// The admin address serves the profiler; the public one serves neither.
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/goroutine?debug=1"} {
		if code := status(t, m.admin.URL()+p); code != http.StatusOK {
			t.Errorf("admin GET %s = %d", p, code)
		}
	}
	for _, p := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/cmdline"} {
		if code := status(t, m.Server.URL()+p); code != http.StatusNotFound {
			t.Errorf("public GET %s = %d, want 404", p, code)
		}
	}

	checkLogs(t, logs.String(), iv.ID, c)
}

// checkLogs checks that every log line is a JSON object, that the
// WebSocket's request was logged with a request id and the interview's
// id, and that neither an answer nor the owner cookie was logged.
func checkLogs(t *testing.T, logs, interviewID string, c *client) {
	t.Helper()
	found := false
	for line := range strings.Lines(logs) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if r["msg"] == "http" && r["route"] == "/api/v1/interviews/:id/ws" && r["interview_id"] == interviewID && r["request_id"] != "" {
			found = true
		}
	}
	if !found {
		t.Error("no log record of the WebSocket request with its request and interview ids")
	}
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if strings.Contains(logs, ck.Value) {
			t.Errorf("cookie %s reached the log", ck.Name)
		}
	}
	if strings.Contains(logs, "circuit breaker") {
		t.Error("an answer reached the log")
	}
}

// scrape reads the metrics at u in the text exposition format.
func scrape(t *testing.T, u string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", u, err)
	}
	return mfs
}

// sample is the value of m: a counter's or gauge's value, or a
// histogram's count of observations.
func sample(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

// nonZero reports whether any sample of mf is above zero.
func nonZero(mf *dto.MetricFamily) bool {
	if mf == nil {
		return false
	}
	for _, m := range mf.Metric {
		if sample(m) > 0 {
			return true
		}
	}
	return false
}

// value returns the sample of family whose label is v (any sample when
// label is empty), or -1 when there is none.
func value(mfs map[string]*dto.MetricFamily, family, label, v string) float64 {
	mf := mfs[family]
	if mf == nil {
		return -1
	}
	for _, m := range mf.Metric {
		if label == "" {
			return sample(m)
		}
		for _, lp := range m.Label {
			if lp.GetName() == label && lp.GetValue() == v {
				return sample(m)
			}
		}
	}
	return -1
}

// status returns the status of GET u.
func status(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestObservabilityConfig checks the settings of the admin address and
// the log format.
func TestObservabilityConfig(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		admin  string
		format string
		fail   bool
	}{
		{"defaults: no admin address, text logs", nil, nil, "", "text", false},
		{"from the environment", nil, map[string]string{"ADMIN_ADDR": "127.0.0.1:9090", "LOG_FORMAT": "json"}, "127.0.0.1:9090", "json", false},
		{"flags win", []string{"-admin-addr", ":9191", "-log-format", "text"}, map[string]string{"ADMIN_ADDR": ":1", "LOG_FORMAT": "json"}, ":9191", "text", false},
		{"an unknown format", nil, map[string]string{"LOG_FORMAT": "xml"}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if (err != nil) != tt.fail {
				t.Fatalf("err = %v", err)
			}
			if !tt.fail && (c.AdminAddr != tt.admin || c.LogFormat != tt.format) {
				t.Errorf("admin %q format %q, want %q %q", c.AdminAddr, c.LogFormat, tt.admin, tt.format)
			}
		})
	}
}
