package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// hookAttempt is one request a hookReceiver got.
type hookAttempt struct {
	delivery string // X-BarRaiser-Delivery
	event    agent.WebhookEvent
	status   int   // what the receiver answered
	verify   error // the signature check, with the secret the CLI printed
	problem  string
	at       time.Time
}

// hookReceiver is a webhook endpoint: it checks every request as a
// receiver should and answers 500 while failing is set, 200 otherwise.
type hookReceiver struct {
	mu       sync.Mutex
	secret   string
	failing  bool
	failNext int // answer 500 to this many more requests
	got      []hookAttempt
	arrived  chan struct{} // one value per request
}

func newHookReceiver(t *testing.T) (*hookReceiver, *httptest.Server) {
	r := &hookReceiver{arrived: make(chan struct{}, 100)}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer func() {
		r.mu.Unlock()
		r.arrived <- struct{}{}
	}()
	a := hookAttempt{delivery: req.Header.Get("X-BarRaiser-Delivery"), at: time.Now(), status: http.StatusOK}
	a.verify = agent.VerifySignature(r.secret, req.Header.Get("X-BarRaiser-Signature"), body, time.Now(), 5*time.Minute)
	if err := json.Unmarshal(body, &a.event); err != nil {
		a.problem = "body: " + err.Error()
	}
	switch {
	case req.Method != http.MethodPost:
		a.problem = "method " + req.Method
	case req.Header.Get("Content-Type") != "application/json":
		a.problem = "content type " + req.Header.Get("Content-Type")
	case req.URL.Query().Get("token") != "abc":
		a.problem = "the URL's query was lost"
	case a.delivery == "" || a.delivery != a.event.ID:
		a.problem = "delivery header " + a.delivery + " against body id " + a.event.ID
	}
	if r.failing || r.failNext > 0 {
		r.failNext--
		a.status = http.StatusInternalServerError
	}
	r.got = append(r.got, a)
	w.WriteHeader(a.status)
	io.WriteString(w, "noted")
}

// attempts returns a copy of what the receiver got so far.
func (r *hookReceiver) attempts() []hookAttempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookAttempt(nil), r.got...)
}

// waitAccepted waits until the receiver has accepted a delivery and
// returns every attempt so far.
func (r *hookReceiver) waitAccepted(t *testing.T) []hookAttempt {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		for _, a := range r.attempts() {
			if a.status == http.StatusOK {
				return r.attempts()
			}
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("no delivery accepted in time; attempts: %+v", r.attempts())
		}
	}
}

// startHooked runs the server like startArgs, with a webhook worker that
// polls every 10 ms and retries after 50 ms, logging into logs.
func startHooked(t *testing.T, storeArgs []string, logs io.Writer) *Main {
	t.Helper()
	return startWith(t, storeArgs, func(c *Config) {
		c.WebhookPoll, c.WebhookBackoff = 10*time.Millisecond, 50*time.Millisecond
	}, logs)
}

// cliHookKey creates a key with a webhook through the CLI and returns the
// key and the webhook secret, the last two lines printed.
func cliHookKey(t *testing.T, storeArgs []string, args ...string) (key, secret string) {
	t.Helper()
	out, err := runCLI(t, append(append([]string{"keys", "create"}, args...), storeArgs...)...)
	if err != nil {
		t.Fatalf("keys create %v: %v\n%s", args, err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		t.Fatalf("keys create printed %q", out)
	}
	key, secret = lines[len(lines)-1], lines[len(lines)-2]
	if !strings.HasPrefix(key, "br_") || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("keys create printed %q: want the secret, then the key", out)
	}
	return key, secret
}

// hookTurn is the body of POST …/next.
type hookTurn struct {
	Question *agent.Turn    `json:"question"`
	Status   string         `json:"status"`
	Debrief  *agent.Debrief `json:"debrief"`
}

// finishInterview runs a one-principle interview to its debrief over HTTP
// turns and returns its id and the debrief.
func finishInterview(t *testing.T, c *client) (string, *agent.Debrief) {
	t.Helper()
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	var r hookTurn
	if code := c.do("POST", "/api/v1/interviews/"+iv.ID+"/next", `{}`, &r); code != 200 || r.Question == nil {
		t.Fatalf("first next = %d %+v", code, r)
	}
	for i := 0; r.Question != nil; i++ {
		if i > 2*(agent.MaxFollowUps+1) {
			t.Fatal("the interview does not end")
		}
		body, _ := json.Marshal(map[string]string{"answer": strongAnswer, "client_id": "a-" + strconv.Itoa(i)})
		r = hookTurn{}
		if code := c.do("POST", "/api/v1/interviews/"+iv.ID+"/next", string(body), &r); code != 200 {
			t.Fatalf("answer %d = %d", i, code)
		}
	}
	if r.Status != "complete" || r.Debrief == nil {
		t.Fatalf("last answer = %+v", r)
	}
	return iv.ID, r.Debrief
}

func TestWebhookDelivery(t *testing.T) { forEachStore(t, testWebhookDelivery) }

// testWebhookDelivery: the debrief of a key's interview reaches the key's
// webhook, signed, after one failed attempt is retried.
func testWebhookDelivery(t *testing.T, storeArgs []string) {
	rcv, srv := newHookReceiver(t)
	var logs syncBuffer
	m := startHooked(t, storeArgs, &logs)
	key, secret := cliHookKey(t, storeArgs, "hooked", "--webhook", srv.URL+"/hooks?token=abc")
	rcv.mu.Lock()
	rcv.secret, rcv.failNext = secret, 1
	rcv.mu.Unlock()

	// A key without a webhook gets no delivery.
	plainID, _ := finishInterview(t, newKeyClient(t, m.Server.URL(), cliKey(t, storeArgs, "plain")))
	id, debrief := finishInterview(t, newKeyClient(t, m.Server.URL(), key))

	got := rcv.waitAccepted(t)
	time.Sleep(200 * time.Millisecond) // twenty polls: nothing more may come
	if again := rcv.attempts(); len(again) != len(got) {
		t.Fatalf("more requests after the accepted delivery: %+v", again[len(got):])
	}
	if len(got) != 2 || got[0].status != 500 || got[1].status != 200 {
		t.Fatalf("receiver got %+v, want a refused attempt and then an accepted one", got)
	}
	for i, a := range got {
		if a.verify != nil || a.problem != "" {
			t.Errorf("attempt %d: signature %v, %s", i+1, a.verify, a.problem)
		}
		if a.delivery != got[0].delivery {
			t.Errorf("attempt %d is delivery %s, the first was %s", i+1, a.delivery, got[0].delivery)
		}
		if a.event.Type != agent.EventDebriefReady || a.event.InterviewID != id || a.event.InterviewID == plainID {
			t.Errorf("attempt %d is %s for %s, want debrief.ready for %s", i+1, a.event.Type, a.event.InterviewID, id)
		}
		if a.event.Debrief == nil || a.event.Debrief.Recommendation != debrief.Recommendation ||
			!a.event.Debrief.CreatedAt.Equal(debrief.CreatedAt) || len(a.event.Debrief.Principles) != len(debrief.Principles) {
			t.Errorf("attempt %d carries debrief %+v, want %+v", i+1, a.event.Debrief, debrief)
		}
	}
	if wait := got[1].at.Sub(got[0].at); wait < 50*time.Millisecond {
		t.Errorf("the retry came %v after the failure, before the 50ms backoff", wait)
	}

	d, err := m.Store.(agent.WebhookStore).Delivery(context.Background(), got[0].delivery)
	if err != nil || d.Status != agent.DeliveryDelivered || d.Attempts != 2 || d.LastStatus != 200 {
		t.Errorf("stored delivery %+v, %v", d, err)
	}

	// Operators see the failure, never the secret or the body.
	out := logs.String()
	if !strings.Contains(out, "level=WARN msg=\"webhook delivery failed\" delivery="+got[0].delivery) || !strings.Contains(out, "status=500") {
		t.Errorf("no warning names the failed delivery and its status:\n%s", out)
	}
	if strings.Contains(out, secret) || strings.Contains(out, "token=abc") || strings.Contains(out, `"recommendation"`) {
		t.Errorf("the logs show the secret, the URL's token or the body:\n%s", out)
	}

	list, err := runCLI(t, append([]string{"keys", "list"}, storeArgs...)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, srv.URL+"/hooks?token=abc") || strings.Contains(list, secret) {
		t.Errorf("keys list must show the webhook URL and not its secret:\n%s", list)
	}
}

func TestWebhookSurvivesRestart(t *testing.T) { forEachStore(t, testWebhookSurvivesRestart) }

// testWebhookSurvivesRestart: a delivery still pending when the server
// stops is delivered by the next server on the same store.
func testWebhookSurvivesRestart(t *testing.T, storeArgs []string) {
	rcv, srv := newHookReceiver(t)
	first := startHooked(t, storeArgs, io.Discard)
	key, secret := cliHookKey(t, storeArgs, "-webhook="+srv.URL+"/in?token=abc", "restarted")
	rcv.mu.Lock()
	rcv.secret, rcv.failing = secret, true
	rcv.mu.Unlock()
	id, _ := finishInterview(t, newKeyClient(t, first.Server.URL(), key))

	<-rcv.arrived // the first attempt, refused
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	rcv.mu.Lock()
	rcv.failing = false
	rcv.mu.Unlock()

	second := startHooked(t, storeArgs, io.Discard)
	rcv.waitAccepted(t)
	time.Sleep(200 * time.Millisecond) // twenty polls: nothing more may come
	got := rcv.attempts()
	var accepted []hookAttempt
	for _, a := range got {
		if a.delivery != got[0].delivery || a.event.InterviewID != id || a.verify != nil || a.problem != "" {
			t.Errorf("attempt: delivery %s for %s (signature %v, %s); want %s for %s",
				a.delivery, a.event.InterviewID, a.verify, a.problem, got[0].delivery, id)
		}
		if a.status == http.StatusOK {
			accepted = append(accepted, a)
		}
	}
	if len(accepted) != 1 || accepted[0].at.Before(stopped) {
		t.Fatalf("the receiver accepted %+v; want one delivery, after the restart", accepted)
	}
	d, err := second.Store.(agent.WebhookStore).Delivery(context.Background(), accepted[0].delivery)
	if err != nil || d.Status != agent.DeliveryDelivered || d.Attempts < 2 {
		t.Errorf("stored delivery %+v, %v; want delivered at the second attempt or later", d, err)
	}
}

func TestKeysCreateWebhook(t *testing.T) {
	storeArgs := []string{"-data-dir", t.TempDir()}
	for _, tt := range []struct {
		name string
		args []string
		ok   bool
	}{
		{"flag after the name", []string{"a", "--webhook", "https://hooks.example.com/a"}, true},
		{"flag before the name", []string{"-webhook", "http://10.0.0.5:9000/b", "b"}, true},
		{"flag with =", []string{"c", "-webhook=https://hooks.example.com/c"}, true},
		{"relative URL", []string{"d", "-webhook", "/hooks"}, false},
		{"no host", []string{"e", "-webhook", "https:///hooks"}, false},
		{"not http", []string{"f", "-webhook", "ftp://example.com/hooks"}, false},
		{"no URL", []string{"g", "-webhook"}, false},
		{"twice", []string{"h", "-webhook", "https://a.example/", "-webhook", "https://b.example/"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCLI(t, append(append([]string{"keys", "create"}, tt.args...), storeArgs...)...)
			if !tt.ok {
				if err == nil {
					t.Errorf("keys create %v succeeded:\n%s", tt.args, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("keys create %v: %v", tt.args, err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if n := len(lines); n < 3 || !strings.HasPrefix(lines[n-1], "br_") || !strings.HasPrefix(lines[n-2], "whsec_") || len(lines[n-2]) != 6+64 {
				t.Errorf("keys create %v printed %q", tt.args, out)
			}
		})
	}
	// Without the flag, no webhook secret is printed.
	out, err := runCLI(t, append([]string{"keys", "create", "plain"}, storeArgs...)...)
	if err != nil || strings.Contains(out, "whsec_") {
		t.Errorf("keys create without -webhook: %v\n%s", err, out)
	}
	list, err := runCLI(t, append([]string{"keys", "list"}, storeArgs...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"WEBHOOK", "https://hooks.example.com/a", "http://10.0.0.5:9000/b"} {
		if !strings.Contains(list, want) {
			t.Errorf("keys list lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(list, "whsec_") {
		t.Errorf("keys list shows a webhook secret:\n%s", list)
	}
	for _, line := range strings.Split(list, "\n") {
		if name, _, _ := strings.Cut(line, " "); strings.Contains("defgh", name) && len(name) == 1 {
			t.Errorf("a key refused for its webhook was stored: %s", line)
		}
	}
}
