package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// startMain runs the real server on a free port with its store in dir.
func startMain(t testing.TB, dir string) *Main {
	t.Helper()
	return startArgs(t, []string{"-data-dir", dir})
}

// forEachStore runs a test against the embedded store and, when
// TEST_DATABASE_URL is set, against PostgreSQL, each time with a fresh,
// empty store; args configures the store for startArgs.
func forEachStore(t *testing.T, test func(t *testing.T, args []string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, []string{"-data-dir", t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) { test(t, []string{"-database-url", pgtest.URL(t)}) })
}

// startArgs runs the real server on a free port with the given flags.
func startArgs(t testing.TB, args []string) *Main {
	t.Helper()
	return startWith(t, args, nil, io.Discard)
}

// startWith is startArgs with adjust, when not nil, applied to the
// configuration the flags give, and the server's log, at debug level,
// written to logs.
func startWith(t testing.TB, args []string, adjust func(*Config), logs io.Writer) *Main {
	t.Helper()
	cfg, err := parseConfig(append([]string{"-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if adjust != nil {
		adjust(&cfg)
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// syncBuffer is a bytes.Buffer that server goroutines may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// client is a browser-like API client: it fetches / once to get its owner
// cookie and sends it with every request.
type client struct {
	t    testing.TB
	base string
	http *http.Client
	key  string // sent as Authorization: Bearer when set
}

// newKeyClient is a client that authenticates with an API key alone.
func newKeyClient(t testing.TB, base, key string) *client {
	return &client{t: t, base: base, http: withContract(t, &http.Client{Timeout: 60 * time.Second}), key: key}
}

func newClient(t testing.TB, base string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, http: withContract(t, &http.Client{Jar: jar, Timeout: 30 * time.Second})}
	resp, err := c.http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	return c
}

// raw sends a request and returns the response, whose body it has read
// and closed, with that body.
func (c *client) raw(method, path, body string) (*http.Response, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

// do sends a request and decodes the JSON response into out (if not nil).
func (c *client) do(method, path, body string, out any) int {
	c.t.Helper()
	resp, b := c.raw(method, path, body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

type created struct {
	ID         string                   `json:"id"`
	Status     string                   `json:"status"`
	Role       string                   `json:"role"`
	Level      string                   `json:"level"`
	Principles []agent.PlannedPrinciple `json:"principles"`
	WSURL      string                   `json:"ws_url"`
}

func (c *client) create(body string) created {
	c.t.Helper()
	var out created
	if code := c.do("POST", "/api/v1/interviews", body, &out); code != http.StatusCreated {
		c.t.Fatalf("create %s = %d", body, code)
	}
	return out
}

func (c *client) dial(path string, origin string) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	if c.key != "" {
		h.Set("Authorization", "Bearer "+c.key)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.base, "http")+path, &websocket.DialOptions{HTTPClient: c.http, HTTPHeader: h})
}

// frame is any server frame.
type frame struct {
	Type      string           `json:"type"`
	Interview *agent.Interview `json:"interview"`
	Turn      agent.Turn       `json:"turn"`
	Seq       int              `json:"seq"`
	Text      string           `json:"text"`
	ClientID  string           `json:"client_id"`
	Debrief   *agent.Debrief   `json:"debrief"`
	Code      string           `json:"code"`
	Message   string           `json:"message"`
}

// open dials path, has the connection closed when the test ends and reads
// the session frame that opens every connection.
func (c *client) open(path string) (*websocket.Conn, frame) {
	c.t.Helper()
	conn, _, err := c.dial(path, "")
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { conn.CloseNow() })
	return conn, readType(c.t, conn, "session")
}

func read(t testing.TB, c *websocket.Conn) frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var f frame
	if err := wsjson.Read(ctx, c, &f); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return f
}

func readType(t testing.TB, c *websocket.Conn, typ string) frame {
	t.Helper()
	f := read(t, c)
	if f.Type != typ {
		t.Fatalf("got frame %+v, want type %q", f, typ)
	}
	return f
}

func send(t testing.TB, c *websocket.Conn, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, c, v); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func answer(text, clientID string) map[string]string {
	return map[string]string{"type": "answer", "text": text, "client_id": clientID}
}

// expectClose reads until the connection closes and returns its status.
func expectClose(t testing.TB, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

const strongAnswer = "Last March I was the on-call engineer for our checkout service at Brightcart when a partner's payment API started timing out. " +
	"The payments team owned that integration, but nobody there was answering pages, so I took it on. " +
	"I pulled the request traces, found that our retries were tripling the load on the partner, and I shipped a circuit breaker behind a flag within two hours. " +
	"Checkout errors fell from 4.1% to 0.3% that night. I wrote the postmortem with the payments team, and circuit breakers are now the default in our client library. " +
	"What I learned is that waiting for the owning team can cost more than acting carefully yourself."

const vagueAnswer = "We had some problems with a service and the team worked on it for a while. It got better eventually."

func TestInterviewEndToEnd(t *testing.T) { forEachStore(t, testInterviewEndToEnd) }

func testInterviewEndToEnd(t *testing.T, args []string) {
	m := startArgs(t, args)
	c := newClient(t, m.Server.URL())

	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
	if iv.Status != "in_progress" || iv.Role != "sde" || iv.Level != "L5" || len(iv.Principles) != 2 ||
		iv.Principles[0].ID != "ownership" || iv.Principles[1].Name != "Dive Deep" || iv.WSURL != "/api/v1/interviews/"+iv.ID+"/ws" {
		t.Fatalf("created %+v", iv)
	}
	conn, s := c.open(iv.WSURL)
	if s.Interview.ID != iv.ID || len(s.Interview.Turns) != 0 {
		t.Fatalf("session %+v", s.Interview)
	}
	q := readType(t, conn, "question")
	if q.Turn.Seq != 1 || q.Turn.Kind != agent.KindOpening || q.Turn.Principle != "ownership" || q.Turn.Text == "" {
		t.Fatalf("opening %+v", q.Turn)
	}

	// A vague story draws follow-ups, at most four, each on a new gap.
	answers := 0
	probes := map[string]bool{}
	send(t, conn, answer(vagueAnswer, "c-0"))
	for {
		ack := readType(t, conn, "ack")
		answers++
		if ack.ClientID != "c-"+strconv.Itoa(answers-1) {
			t.Fatalf("ack %+v", ack)
		}
		q = readType(t, conn, "question")
		if q.Turn.Principle != "ownership" {
			break
		}
		if q.Turn.Kind != agent.KindFollowUp || q.Turn.FollowUp != answers || probes[q.Turn.Probe] {
			t.Fatalf("follow-up %+v (probes so far %v)", q.Turn, probes)
		}
		probes[q.Turn.Probe] = true
		send(t, conn, answer("We just kept going. I think it was fine.", "c-"+strconv.Itoa(answers)))
	}
	if len(probes) != agent.MaxFollowUps {
		t.Errorf("vague story drew %d follow-ups, want the cap of %d", len(probes), agent.MaxFollowUps)
	}
	if q.Turn.Kind != agent.KindOpening || q.Turn.Principle != "dive-deep" {
		t.Fatalf("second opening %+v", q.Turn)
	}
	// A complete story draws fewer.
	deepFollowUps := 0
	send(t, conn, answer(strongAnswer, "d-0"))
	for {
		readType(t, conn, "ack")
		f := read(t, conn)
		if f.Type == "grading" {
			break
		}
		if f.Type != "question" || f.Turn.Kind != agent.KindFollowUp {
			t.Fatalf("frame %+v", f)
		}
		deepFollowUps++
		send(t, conn, answer("I did that part myself and we measured it weekly.", "d-"+strconv.Itoa(deepFollowUps)))
	}
	if deepFollowUps >= len(probes) {
		t.Errorf("complete story drew %d follow-ups, vague one %d", deepFollowUps, len(probes))
	}
	d := readType(t, conn, "debrief").Debrief
	if code := expectClose(t, conn); code != websocket.StatusNormalClosure {
		t.Errorf("close %d, want normal", code)
	}

	var got agent.Interview
	if code := c.do("GET", "/api/v1/interviews/"+iv.ID, "", &got); code != 200 {
		t.Fatalf("get = %d", code)
	}
	if got.Status != agent.StatusComplete || got.Debrief == nil || len(got.Debrief.Principles) != 2 {
		t.Fatalf("stored interview %+v", got)
	}
	checkDebrief(t, &got)
	if d.Recommendation != got.Debrief.Recommendation {
		t.Errorf("sent %s, stored %s", d.Recommendation, got.Debrief.Recommendation)
	}
	byID := map[string]agent.PrincipleGrade{}
	for _, g := range got.Debrief.Principles {
		byID[g.Principle] = g
	}
	if *byID["dive-deep"].Score <= *byID["ownership"].Score {
		t.Errorf("complete story scored %d, vague one %d", *byID["dive-deep"].Score, *byID["ownership"].Score)
	}

	// After a restart on the same store, the interview and debrief remain.
	m.Close()
	m2 := startArgs(t, args)
	c.base = m2.Server.URL()
	var list struct {
		Interviews []agent.InterviewSummary `json:"interviews"`
	}
	if code := c.do("GET", "/api/v1/interviews", "", &list); code != 200 || len(list.Interviews) != 1 ||
		list.Interviews[0].ID != iv.ID || list.Interviews[0].Recommendation == "" {
		t.Fatalf("list after restart = %d %+v", code, list)
	}
	// Connecting to a complete interview sends the session with its debrief.
	conn2, s := c.open(iv.WSURL)
	if s.Interview.Debrief == nil || s.Interview.Status != agent.StatusComplete {
		t.Fatalf("session of complete interview %+v", s.Interview)
	}
	if code := expectClose(t, conn2); code != websocket.StatusNormalClosure {
		t.Errorf("close %d, want normal", code)
	}
}

// checkDebrief asserts the debrief contract: every quote is a verbatim
// substring of the candidate turn it names.
func checkDebrief(t testing.TB, iv *agent.Interview) { checkDebriefBy(t, iv, "rules") }

// checkDebriefBy is checkDebrief for a debrief graded by gradedBy.
func checkDebriefBy(t testing.TB, iv *agent.Interview, gradedBy string) {
	t.Helper()
	bySeq := map[int]agent.Turn{}
	for _, tn := range iv.Turns {
		bySeq[tn.Seq] = tn
	}
	for _, g := range iv.Debrief.Principles {
		if g.Score != nil && (*g.Score < 1 || *g.Score > 4) {
			t.Errorf("%s score %d", g.Principle, *g.Score)
		}
		for _, e := range g.Evidence {
			tn, ok := bySeq[e.Seq]
			if !ok || tn.Speaker != agent.SpeakerCandidate || !strings.Contains(tn.Text, e.Quote) || e.Quote == "" {
				t.Errorf("%s: quote %q is not in candidate turn %d", g.Principle, e.Quote, e.Seq)
			}
		}
	}
	if iv.Debrief.GradedBy != gradedBy || iv.Debrief.Summary == "" {
		t.Errorf("debrief graded_by %q summary %q", iv.Debrief.GradedBy, iv.Debrief.Summary)
	}
}

func TestCreateValidation(t *testing.T) { forEachStore(t, testCreateValidation) }

func testCreateValidation(t *testing.T, args []string) {
	m := startArgs(t, args)
	c := newClient(t, m.Server.URL())
	tests := []struct {
		body string
		code string
	}{
		{`{"role":`, "invalid_json"},
		{`[1,2]`, "invalid_json"},
		{`{"role":"sde","level":"L5"} {}`, "invalid_json"},
		{`{"role":7,"level":"L5"}`, "invalid_json"},
		{`{"role":"chef","level":"L5"}`, "invalid_role"},
		{`{"role":"sde","level":"L9"}`, "invalid_level"},
		{`{"role":"sde","level":"L5","principles":["ownership","kindness"]}`, "unknown_principle"},
		{`{"role":"sde","level":"L5","principles":["ownership","ownership"]}`, "invalid_principles"},
		{`{"role":"sde","level":"L5","principles":["ownership","dive-deep","think-big","frugality","earn-trust"]}`, "invalid_principles"},
		{`{"role":"sde","level":"L5","principle_count":0}`, "invalid_count"},
		{`{"role":"sde","level":"L5","principle_count":5}`, "invalid_count"},
		{`{"role":"sde","level":"L5","focus":"` + strings.Repeat("é", agent.MaxFocusRunes+1) + `"}`, "focus_too_long"},
		{`{"role":"sde","level":"L5","focus":"nul \u0000 here"}`, "invalid_text"},
	}
	for _, tt := range tests {
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if status := c.do("POST", "/api/v1/interviews", tt.body, &body); status != 400 || body.Error.Code != tt.code || body.Error.Message == "" {
			t.Errorf("POST %.60s = %d %+v, want 400 %s", tt.body, status, body, tt.code)
		}
	}
	var list struct {
		Interviews []agent.InterviewSummary `json:"interviews"`
	}
	if c.do("GET", "/api/v1/interviews", "", &list); len(list.Interviews) != 0 {
		t.Errorf("bad requests created %d interviews", len(list.Interviews))
	}
	// Focus of exactly the limit, principle_count ignored next to principles.
	c.create(`{"role":"em","level":"L7","focus":"` + strings.Repeat("é", agent.MaxFocusRunes) + `"}`)
	if iv := c.create(`{"role":"pm","level":"L6","principles":["think-big"],"principle_count":9}`); len(iv.Principles) != 1 {
		t.Errorf("principles %+v", iv.Principles)
	}
	if iv := c.create(`{"role":"tpm","level":"L5","principle_count":3}`); len(iv.Principles) != 3 {
		t.Errorf("principle_count 3 planned %+v", iv.Principles)
	}
}

func TestOwnersAndOrigins(t *testing.T) { forEachStore(t, testOwnersAndOrigins) }

func testOwnersAndOrigins(t *testing.T, args []string) {
	m := startArgs(t, args)
	alice, bob := newClient(t, m.Server.URL()), newClient(t, m.Server.URL())
	iv := alice.create(`{"role":"sde","level":"L4"}`)

	// No cookie: 401 on the API.
	resp, err := http.Get(m.Server.URL() + "/api/v1/interviews")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no cookie = %d", resp.StatusCode)
	}
	// Another owner sees nothing and can join nothing.
	var list struct {
		Interviews []agent.InterviewSummary `json:"interviews"`
	}
	if bob.do("GET", "/api/v1/interviews", "", &list); len(list.Interviews) != 0 {
		t.Errorf("bob sees %+v", list.Interviews)
	}
	if code := bob.do("GET", "/api/v1/interviews/"+iv.ID, "", nil); code != 404 {
		t.Errorf("bob GET = %d", code)
	}
	if _, resp, err := bob.dial(iv.WSURL, ""); err == nil || resp == nil || resp.StatusCode != 404 {
		t.Errorf("bob dial: %v %v", resp, err)
	}
	// A foreign Origin is refused at the upgrade; the own origin is fine.
	if _, resp, err := alice.dial(iv.WSURL, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("foreign origin: %v %v", resp, err)
	}
	conn, _, err := alice.dial(iv.WSURL, m.Server.URL())
	if err != nil {
		t.Fatalf("same origin: %v", err)
	}
	conn.CloseNow()
	if code := alice.do("GET", "/healthz", "", nil); code != 200 {
		t.Errorf("healthz = %d", code)
	}
}

func TestWebSocketBadInput(t *testing.T) { forEachStore(t, testWebSocketBadInput) }

func testWebSocketBadInput(t *testing.T, args []string) {
	m := startArgs(t, args)
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")

	ctx := context.Background()
	tests := []struct {
		name  string
		frame string
		code  string
	}{
		{"not json", `{"type":"answer",`, "invalid_json"},
		{"json but not an object", `"answer"`, "invalid_json"},
		{"unknown type", `{"type":"dance"}`, "unknown_type"},
		{"empty answer", `{"type":"answer","text":""}`, "empty_answer"},
		{"blank answer", `{"type":"answer","text":"  \n\t "}`, "empty_answer"},
		{"too long", `{"type":"answer","text":"` + strings.Repeat("ü", agent.MaxAnswerRunes+1) + `"}`, "answer_too_long"},
		{"nul character", `{"type":"answer","text":"a \u0000 b"}`, "invalid_text"},
		{"client id too long", `{"type":"answer","text":"fine","client_id":"` + strings.Repeat("x", agent.MaxClientIDBytes+1) + `"}`, "invalid_client_id"},
	}
	for _, tt := range tests {
		if err := conn.Write(ctx, websocket.MessageText, []byte(tt.frame)); err != nil {
			t.Fatal(err)
		}
		if f := readType(t, conn, "error"); f.Code != tt.code || f.Message == "" {
			t.Errorf("%s: got %+v, want %s", tt.name, f, tt.code)
		}
	}
	// The connection is still open and nothing was stored: the next answer is seq 2.
	send(t, conn, answer(strings.Repeat("ü", agent.MaxAnswerRunes), "ok"))
	if ack := readType(t, conn, "ack"); ack.Seq != 2 {
		t.Errorf("ack %+v, want seq 2", ack)
	}
	readType(t, conn, "question")
	// A frame over 64 KiB closes the connection with 1009. The server may
	// close before it has read the whole frame, so the client's write can
	// fail; the close frame is read concurrently and arrives first.
	closed := make(chan websocket.StatusCode, 1)
	go func() { closed <- expectClose(t, conn) }()
	_ = conn.Write(ctx, websocket.MessageText, []byte(`{"type":"answer","text":"`+strings.Repeat("a", 65<<10)+`"}`))
	if code := <-closed; code != websocket.StatusMessageTooBig {
		t.Errorf("close %d, want 1009", code)
	}
}

func TestResumeSupersedeAndResend(t *testing.T) { forEachStore(t, testResumeSupersedeAndResend) }

func testResumeSupersedeAndResend(t *testing.T, args []string) {
	m := startArgs(t, args)
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"em","level":"L6","principles":["earn-trust","think-big"]}`)
	a, _ := c.open(iv.WSURL)
	q1 := readType(t, a, "question")
	send(t, a, answer(vagueAnswer, "same-id"))
	ack := readType(t, a, "ack")
	q2 := readType(t, a, "question")

	// A second connection takes over; the first is told and closed with 4001.
	b, _, err := c.dial(iv.WSURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer b.CloseNow()
	if f := readType(t, a, "error"); f.Code != "superseded" {
		t.Errorf("old connection got %+v", f)
	}
	if code := expectClose(t, a); code != 4001 {
		t.Errorf("old connection closed with %d, want 4001", code)
	}
	s := readType(t, b, "session")
	if n := len(s.Interview.Turns); n != 3 {
		t.Fatalf("resumed session has %d turns, want 3", n)
	}
	if q := readType(t, b, "question"); q.Turn.Seq != q2.Turn.Seq || q.Turn.Text != q2.Turn.Text {
		t.Errorf("pending question resent as %+v, want %+v", q.Turn, q2.Turn)
	}
	// Resending an acked answer is acked again with its seq, not stored twice.
	send(t, b, answer(vagueAnswer, "same-id"))
	if again := readType(t, b, "ack"); again.Seq != ack.Seq {
		t.Errorf("resend acked as seq %d, first was %d", again.Seq, ack.Seq)
	}
	readType(t, b, "question")
	var got agent.Interview
	c.do("GET", "/api/v1/interviews/"+iv.ID, "", &got)
	if len(got.Turns) != 3 || got.Turns[0].Text != q1.Turn.Text {
		t.Errorf("turns after resend: %+v", got.Turns)
	}
	// "end" finishes now: the unasked principle is not assessed.
	send(t, b, map[string]string{"type": "end"})
	readType(t, b, "grading")
	d := readType(t, b, "debrief").Debrief
	if d.Principles[1].Rating != agent.NotAssessed || d.Principles[1].Score != nil || d.Principles[0].Score == nil {
		t.Errorf("debrief after end: %+v", d.Principles)
	}
}

func TestSecondServerRefused(t *testing.T) {
	m := startMain(t, t.TempDir())
	second := NewMain(m.Config, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := second.Run(context.Background())
	second.Close()
	if err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("second serve on the same DATA_DIR: %v", err)
	}
}

func TestGradingResumedAtStart(t *testing.T) { forEachStore(t, testGradingResumedAtStart) }

// testGradingResumedAtStart: an interview left in grading is graded when
// the server starts.
func testGradingResumedAtStart(t *testing.T, args []string) {
	m := startArgs(t, args)
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"general","level":"L4","principles":["frugality"]}`)
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")
	send(t, conn, answer(vagueAnswer, "x"))
	readType(t, conn, "ack")
	readType(t, conn, "question")
	conn.Close(websocket.StatusNormalClosure, "")
	if err := m.Store.SetStatus(context.Background(), iv.ID, 0, agent.StatusInProgress, agent.StatusGrading); err != nil {
		t.Fatal(err)
	}
	m.Close()
	m2 := startArgs(t, args)
	iv2, err := m2.Store.Interview(context.Background(), "", iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if iv2.Status != agent.StatusComplete || iv2.Debrief == nil {
		t.Fatalf("interview left in grading is %s", iv2.Status)
	}
}
