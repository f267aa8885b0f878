package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Transports an answer can arrive over, as metric labels.
const (
	TransportWebSocket = "websocket"
	TransportHTTP      = "http"
)

// ActiveWindow is how recently an interview must have had an answer to
// count as an active session.
const ActiveWindow = 5 * time.Minute

// Metrics are the Prometheus metrics of one server process, kept in a
// registry of their own so that nothing else in the process adds to them.
// The server fills in the session, turn and WebSocket figures; cmd wires
// the store, model and retriever figures through the Observe methods. A
// nil *Metrics is valid and records nothing.
type Metrics struct {
	reg *prometheus.Registry

	connected        prometheus.Gauge
	turns            *prometheus.CounterVec
	answerToQuestion *prometheus.HistogramVec
	commitOps        prometheus.Histogram
	commitSeconds    prometheus.Histogram
	llmSeconds       *prometheus.HistogramVec
	llmErrors        *prometheus.CounterVec
	llmTokens        *prometheus.CounterVec
	retrievalSeconds *prometheus.HistogramVec
	wsCloses         *prometheus.CounterVec

	// active holds when each interview last had an answer; entries older
	// than ActiveWindow are dropped as the gauge is read or written.
	mu      sync.Mutex
	active  map[string]time.Time
	pruned  time.Time
	nowFunc func() time.Time
	window  time.Duration
}

// latencyBuckets suit waits a person notices: from a few milliseconds to a
// slow model's minute.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60}

// turnBuckets resolve the rules interviewer's answer-to-question times,
// milliseconds apart where its targets lie, as well as a model's seconds.
var turnBuckets = []float64{.001, .0025, .005, .0075, .01, .0125, .015, .02, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60}

// NewMetrics returns the metrics, registered with a new registry together
// with the Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), active: map[string]time.Time{}, nowFunc: time.Now, window: ActiveWindow}
	m.connected = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "barraiser_websocket_sessions_connected",
		Help: "WebSocket connections open on this process.",
	})
	active := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "barraiser_sessions_active",
		Help: "Interviews that had an answer on this process in the last five minutes, over any transport.",
	}, func() float64 { return float64(m.activeCount()) })
	m.turns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "barraiser_turns_total",
		Help: "Answers accepted, by transport.",
	}, []string{"transport"})
	m.answerToQuestion = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "barraiser_answer_to_question_seconds",
		Help:    "Time from reading an answer to writing the next question, by transport.",
		Buckets: turnBuckets,
	}, []string{"transport"})
	m.commitOps = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "barraiser_store_commit_batch_ops",
		Help:    "Writes carried by each store commit.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 10),
	})
	m.commitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "barraiser_store_commit_seconds",
		Help:    "Duration of each store commit.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	})
	m.llmSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "barraiser_llm_call_seconds",
		Help:    "Duration of model calls, retries included, by operation (decide, ask, grade).",
		Buckets: latencyBuckets,
	}, []string{"op"})
	m.llmErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "barraiser_llm_call_errors_total",
		Help: "Model calls that failed after their retries, by operation; the rules took those turns.",
	}, []string{"op"})
	m.llmTokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "barraiser_llm_tokens_total",
		Help: "Model tokens spent, by kind (prompt, cached_prompt, completion); cached prompt tokens are also prompt tokens.",
	}, []string{"kind"})
	m.retrievalSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "barraiser_retrieval_seconds",
		Help:    "Duration of retrieval searches, by operation (principles, questions).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"op"})
	m.wsCloses = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "barraiser_websocket_closes_total",
		Help: "WebSocket connections ended, by close code: the code the server sent, else the client's, else 1006 for a connection that dropped.",
	}, []string{"code"})
	m.reg.MustRegister(m.connected, active, m.turns, m.answerToQuestion, m.commitOps, m.commitSeconds,
		m.llmSeconds, m.llmErrors, m.llmTokens, m.retrievalSeconds, m.wsCloses,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Gatherer returns the registry, for tests that read the metrics directly.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// ObserveCommit records one store commit that carried ops writes and took d.
func (m *Metrics) ObserveCommit(ops int, d time.Duration) {
	if m == nil {
		return
	}
	m.commitOps.Observe(float64(ops))
	m.commitSeconds.Observe(d.Seconds())
}

// ObserveLLM records one model call of operation op: its duration d, the
// tokens u it spent and whether it failed.
func (m *Metrics) ObserveLLM(op string, d time.Duration, u agent.Usage, err error) {
	if m == nil {
		return
	}
	m.llmSeconds.WithLabelValues(op).Observe(d.Seconds())
	if err != nil {
		m.llmErrors.WithLabelValues(op).Inc()
	}
	for _, t := range []struct {
		kind string
		n    int
	}{{"prompt", u.PromptTokens}, {"cached_prompt", u.CachedPromptTokens}, {"completion", u.CompletionTokens}} {
		if t.n > 0 {
			m.llmTokens.WithLabelValues(t.kind).Add(float64(t.n))
		}
	}
}

// ObserveRetrieval records one retrieval search of operation op.
func (m *Metrics) ObserveRetrieval(op string, d time.Duration) {
	if m == nil {
		return
	}
	m.retrievalSeconds.WithLabelValues(op).Observe(d.Seconds())
}

// ObserveAnswer records an answer accepted over transport for interview id.
func (m *Metrics) ObserveAnswer(transport, id string) {
	if m == nil {
		return
	}
	m.turns.WithLabelValues(transport).Inc()
	now := m.nowFunc()
	m.mu.Lock()
	m.active[id] = now
	m.pruneLocked(now)
	m.mu.Unlock()
}

// ObserveQuestion records the time from reading an answer, at answered, to
// writing the question that follows it over transport.
func (m *Metrics) ObserveQuestion(transport string, answered time.Time) {
	if m == nil || answered.IsZero() {
		return
	}
	m.answerToQuestion.WithLabelValues(transport).Observe(time.Since(answered).Seconds())
}

// sessionOpened counts a WebSocket connection as connected.
func (m *Metrics) sessionOpened() {
	if m != nil {
		m.connected.Inc()
	}
}

// sessionClosed counts a WebSocket connection as gone, ended with code.
func (m *Metrics) sessionClosed(code websocket.StatusCode) {
	if m == nil {
		return
	}
	m.connected.Dec()
	m.wsCloses.WithLabelValues(strconv.Itoa(int(code))).Inc()
}

// closedBeforeSession counts a connection closed before it became a session.
func (m *Metrics) closedBeforeSession(code websocket.StatusCode) {
	if m != nil {
		m.wsCloses.WithLabelValues(strconv.Itoa(int(code))).Inc()
	}
}

// activeCount returns how many interviews had an answer within the window.
func (m *Metrics) activeCount() int {
	now := m.nowFunc()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pruned = time.Time{} // always prune when read
	m.pruneLocked(now)
	return len(m.active)
}

// pruneLocked drops the interviews whose last answer is older than the
// window; called on a write, it does so at most once a minute. m.mu must
// be held.
func (m *Metrics) pruneLocked(now time.Time) {
	if now.Sub(m.pruned) < time.Minute {
		return
	}
	m.pruned = now
	for id, t := range m.active {
		if now.Sub(t) > m.window {
			delete(m.active, id)
		}
	}
}

// close records code as how the session ended, unless it ended already,
// and closes the connection with code and reason. Recording comes first:
// closing wakes the reader, which would otherwise record a dropped
// connection.
func (s *session) close(code websocket.StatusCode, reason string) {
	s.closeCode.CompareAndSwap(0, int32(code))
	s.conn.Close(code, reason)
}

// readEnded records how a failed read ended the session: the client's
// close code, 1009 for a frame over the limit, 1001 when the server is
// shutting down, else 1006. A code the server sent first stands.
func (s *session) readEnded(err error) {
	code := websocket.CloseStatus(err)
	switch {
	case code != -1:
	case errors.Is(err, websocket.ErrMessageTooBig):
		code = websocket.StatusMessageTooBig
	case errors.Is(err, context.Canceled):
		code = websocket.StatusGoingAway // the session's context ends only with the server
	default:
		code = websocket.StatusAbnormalClosure
	}
	s.closeCode.CompareAndSwap(0, int32(code))
}

// closeStatus is the code the session ended with: 1006 when nothing was
// recorded, as when a write found the peer gone.
func (s *session) closeStatus() websocket.StatusCode {
	if c := s.closeCode.Load(); c != 0 {
		return websocket.StatusCode(c)
	}
	return websocket.StatusAbnormalClosure
}

// asked records the wait for a question just written, when the frame being
// served was an answer read at readAt; the first question of a connection
// follows no answer and is not counted.
func (s *session) asked() {
	s.srv.Metrics.ObserveQuestion(TransportWebSocket, s.readAt)
	s.readAt = time.Time{}
}
