package client_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/client"
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/store/sqlite"
	"github.com/barraiser/barraiser/web"
)

// testServer is a real Bar Raiser server on a free port, wired as
// cmd/barraiser wires it, over a SQLite store in a temporary directory.
type testServer struct {
	srv *web.Server
	db  *sqlite.DB
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir(), sqlite.Options{Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	corpus, err := retrieval.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	rt, err := retrieval.NewMemory(ctx, corpus, retrieval.Hash{}, db)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := web.NewServer(agent.NewService(db, rt, logger), logger)
	srv.Keys = db
	srv.Info = map[string]string{"version": "test", "store": "sqlite"}
	if err := srv.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &testServer{srv: srv, db: db}
}

// newKey stores a new API key named name and returns its text.
func (s *testServer) newKey(t *testing.T, name string) string {
	t.Helper()
	k, text, err := agent.NewAPIKey(name, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.CreateKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	return text
}

// newClient returns a client with a fresh key of its own.
func (s *testServer) newClient(t *testing.T, name string) *client.Client {
	return client.New(s.srv.URL()+"/", s.newKey(t, name), client.WithHTTPClient(&http.Client{Timeout: time.Minute}))
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// A story with a clear personal part, numbers and a lasting change.
const fullStory = "Two winters ago our nightly billing export at a logistics firm began missing its six o'clock deadline. " +
	"The export belonged to another group, yet finance would have sent late invoices, so I volunteered to dig in. " +
	"I profiled the job, saw one unindexed join scanning forty million rows, added the index and split the export into batches. " +
	"Run time dropped from three hours to twenty minutes, and I added an alert on duration that the owning group still uses."

// A thin one that leaves most gaps open.
const thinStory = "There was an issue with a report once and people fixed it over time."

func TestAPI(t *testing.T) {
	s := startServer(t)
	ctx := testCtx(t)
	c := s.newClient(t, "api-tool")

	me, err := c.Me(ctx)
	if err != nil || me.Kind != "api_key" || me.KeyName != "api-tool" || me.KeyID == "" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	ps, err := c.Principles(ctx)
	if err != nil || len(ps) != 16 || ps[0].ID == "" || ps[0].Name == "" || ps[0].Description == "" {
		t.Fatalf("Principles = %d %+v, %v", len(ps), ps, err)
	}
	if info, err := c.Info(ctx); err != nil || info["store"] != "sqlite" || info["version"] != "test" {
		t.Fatalf("Info = %v, %v", info, err)
	}

	iv, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "pm", Level: "L6", Focus: "a launch", Principles: []string{"ownership", "dive-deep"}})
	if err != nil {
		t.Fatal(err)
	}
	if iv.ID == "" || iv.Status != agent.StatusInProgress || iv.Role != "pm" || iv.Level != "L6" || iv.Focus != "a launch" ||
		len(iv.Principles) != 2 || iv.Principles[1].ID != "dive-deep" || iv.WSURL != "/api/v1/interviews/"+iv.ID+"/ws" || iv.CreatedAt.IsZero() {
		t.Fatalf("CreateInterview = %+v", iv)
	}
	got, err := c.Interview(ctx, iv.ID)
	if err != nil || got.ID != iv.ID || len(got.Turns) != 0 || got.Debrief != nil {
		t.Fatalf("Interview = %+v, %v", got, err)
	}
	page, err := c.Interviews(ctx)
	if err != nil || len(page.Interviews) != 1 || page.Interviews[0].ID != iv.ID {
		t.Fatalf("Interviews = %+v, %v", page, err)
	}
	// Another key sees none of it.
	other := s.newClient(t, "other-tool")
	if page, err := other.Interviews(ctx); err != nil || len(page.Interviews) != 0 {
		t.Fatalf("another key's Interviews = %+v, %v", page, err)
	}

	before := time.Now()
	tk, err := c.Ticket(ctx, iv.ID)
	if err != nil || len(tk.Ticket) != 64 || tk.WSURL != "/api/v1/interviews/"+iv.ID+"/ws?ticket="+tk.Ticket ||
		tk.ExpiresAt.Before(before.Add(agent.TicketTTL-5*time.Second)) || tk.ExpiresAt.After(before.Add(agent.TicketTTL+5*time.Second)) {
		t.Fatalf("Ticket = %+v, %v", tk, err)
	}
}

func TestErrors(t *testing.T) {
	s := startServer(t)
	ctx := testCtx(t)
	c := s.newClient(t, "errors-tool")
	iv, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "sde", Level: "L5", Principles: []string{"frugality"}})
	if err != nil {
		t.Fatal(err)
	}
	revokedKey := s.newKey(t, "gone")
	if _, err := s.db.RevokeKey(ctx, "gone", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	text := "an answer"
	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
	}{
		{"no key", func() error { _, err := client.New(s.srv.URL(), "").Me(ctx); return err }, 401, agent.EUNAUTHORIZED},
		{"unknown key", func() error {
			_, err := client.New(s.srv.URL(), "br_0123456789abcdef_"+strings.Repeat("0", 64)).Me(ctx)
			return err
		}, 401, agent.EUNAUTHORIZED},
		{"revoked key", func() error { _, err := client.New(s.srv.URL(), revokedKey).Interviews(ctx); return err }, 401, agent.EKEYREVOKED},
		{"bad role", func() error {
			_, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "chef", Level: "L5"})
			return err
		}, 400, agent.EINVALIDROLE},
		{"unknown interview", func() error { _, err := c.Interview(ctx, "nope"); return err }, 404, agent.ENOTFOUND},
		{"answer before the question", func() error { _, err := c.Next(ctx, iv.ID, &text, ""); return err }, 409, agent.ENOPENDINGQUESTION},
		{"ticket for an unknown interview", func() error { _, err := c.Ticket(ctx, "nope"); return err }, 404, agent.ENOTFOUND},
		{"dial an unknown interview", func() error { _, err := c.Dial(ctx, "nope"); return err }, 404, agent.ENOTFOUND},
		{"dial with a revoked key", func() error {
			_, err := client.New(s.srv.URL(), revokedKey).Dial(ctx, iv.ID)
			return err
		}, 401, agent.EKEYREVOKED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *client.Error
			if !errors.As(err, &e) || e.Status != tt.status || e.Code != tt.code || e.Message == "" {
				t.Fatalf("error %v (%T), want %d %s", err, err, tt.status, tt.code)
			}
			if client.ErrorCode(err) != tt.code || !strings.Contains(e.Error(), tt.code) {
				t.Errorf("ErrorCode %q, Error() %q", client.ErrorCode(err), e.Error())
			}
		})
	}
	// The refused answer stored nothing.
	if got, err := c.Interview(ctx, iv.ID); err != nil || len(got.Turns) != 0 {
		t.Errorf("after refusals the interview has %+v, %v", got, err)
	}
}

// TestHTTPTurns runs a whole interview one HTTP call per turn.
func TestHTTPTurns(t *testing.T) {
	s := startServer(t)
	ctx := testCtx(t)
	c := s.newClient(t, "turns-tool")
	iv, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "sde", Level: "L5", Principles: []string{"ownership", "dive-deep"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Next(ctx, iv.ID, nil, "")
	if err != nil || r.Ack != nil || r.Question == nil || r.Question.Seq != 1 || r.Status != agent.StatusInProgress || r.Debrief != nil {
		t.Fatalf("first Next = %+v, %v", r, err)
	}
	again, err := c.Next(ctx, iv.ID, nil, "")
	if err != nil || again.Question == nil || *again.Question != *r.Question {
		t.Fatalf("repeated Next = %+v, %v; want %+v", again, err, r.Question)
	}
	answers := 0
	for q := r.Question; q != nil; q = r.Question {
		if answers > 2*(agent.MaxFollowUps+2) {
			t.Fatal("the interview does not end")
		}
		text := thinStory
		if q.Principle == "dive-deep" {
			text = fullStory
		}
		id := "h-" + strconv.Itoa(answers)
		if r, err = c.Next(ctx, iv.ID, &text, id); err != nil {
			t.Fatal(err)
		}
		if r.Ack == nil || *r.Ack != q.Seq+1 {
			t.Fatalf("ack %v for the answer to seq %d", r.Ack, q.Seq)
		}
		answers++
		if answers == 1 {
			// Sent again, the first answer is acked again and not stored twice.
			dup, err := c.Next(ctx, iv.ID, &text, id)
			if err != nil || dup.Ack == nil || *dup.Ack != *r.Ack || dup.Question == nil || *dup.Question != *r.Question {
				t.Fatalf("resent answer = %+v, %v", dup, err)
			}
		}
	}
	if r.Status != agent.StatusComplete || r.Debrief == nil || len(r.Debrief.Principles) != 2 {
		t.Fatalf("last Next = %+v", r)
	}
	got, err := c.Interview(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Turns) != 2*answers || got.Status != agent.StatusComplete || got.Debrief.Recommendation != r.Debrief.Recommendation {
		t.Errorf("stored %d turns for %d answers, status %s", len(got.Turns), answers, got.Status)
	}
	page, err := c.Interviews(ctx)
	if err != nil || len(page.Interviews) != 1 || page.Interviews[0].Recommendation == "" {
		t.Errorf("Interviews after the end = %+v, %v", page, err)
	}
}

// recv reads one frame and wants it of type typ.
func recv(t *testing.T, conn *client.Conn, typ string) client.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := conn.Recv(ctx)
	if err != nil {
		t.Fatalf("Recv, want %s: %v", typ, err)
	}
	if f.Type != typ {
		t.Fatalf("got frame %+v, want %s", f, typ)
	}
	return f
}

// closeStatus reads until the server closes and returns the status.
func closeStatus(t *testing.T, conn *client.Conn) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, err := conn.Recv(ctx); err != nil {
			if client.CloseStatus(err) == -1 {
				t.Fatalf("Recv failed without a close: %v", err)
			}
			return client.CloseStatus(err)
		}
	}
}

// TestWebSocketInterview runs a whole interview over the WebSocket, with
// an answer sent from several goroutines at once and stored once.
func TestWebSocketInterview(t *testing.T) {
	s := startServer(t)
	ctx := testCtx(t)
	c := s.newClient(t, "socket-tool")
	iv, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "em", Level: "L6", Principles: []string{"earn-trust", "think-big"}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := c.Dial(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if f := recv(t, conn, client.FrameSession); f.Interview == nil || f.Interview.ID != iv.ID {
		t.Fatalf("session %+v", f)
	}
	q := recv(t, conn, client.FrameQuestion)
	if q.Turn == nil || q.Turn.Seq != 1 || q.Turn.Principle != "earn-trust" || q.Turn.Kind != agent.KindOpening {
		t.Fatalf("opening %+v", q.Turn)
	}

	// Eight writers at once send the same answer: one turn is stored and
	// every copy is acked with its seq.
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- conn.Answer(ctx, fullStory, "same")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	acks, questions := 0, 0
	for acks < writers || questions < writers {
		f, err := conn.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch f.Type {
		case client.FrameAck:
			acks++
			if f.Seq != 2 || f.ClientID != "same" {
				t.Fatalf("ack %+v", f)
			}
		case client.FrameQuestion:
			questions++
			if f.Turn.Seq != 3 {
				t.Fatalf("question after the answer %+v", f.Turn)
			}
		default:
			t.Fatalf("frame %+v", f)
		}
	}

	// Answer the rest until the second principle, then end early.
	for i := 0; ; i++ {
		if err := conn.Answer(ctx, thinStory, "w-"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		if ack := recv(t, conn, client.FrameAck); ack.ClientID != "w-"+strconv.Itoa(i) {
			t.Fatalf("ack %+v", ack)
		}
		if q = recv(t, conn, client.FrameQuestion); q.Turn.Principle == "think-big" {
			break
		}
		if i > agent.MaxFollowUps+1 {
			t.Fatal("no second principle")
		}
	}
	// A refused answer keeps the connection open.
	if err := conn.Answer(ctx, "   ", "blank"); err != nil {
		t.Fatal(err)
	}
	if f := recv(t, conn, client.FrameError); f.Code != agent.EEMPTYANSWER || f.Message == "" {
		t.Fatalf("blank answer got %+v", f)
	}
	if err := conn.End(ctx); err != nil {
		t.Fatal(err)
	}
	recv(t, conn, client.FrameGrading)
	d := recv(t, conn, client.FrameDebrief).Debrief
	if d == nil || len(d.Principles) != 2 || d.Principles[1].Rating != agent.NotAssessed || d.Principles[0].Score == nil {
		t.Fatalf("debrief %+v", d)
	}
	if st := closeStatus(t, conn); st != client.StatusNormal {
		t.Errorf("closed with %d, want %d", st, client.StatusNormal)
	}
	got, err := c.Interview(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for _, tn := range got.Turns {
		if tn.ClientID == "same" {
			same++
		}
	}
	if same != 1 || got.Status != agent.StatusComplete {
		t.Errorf("answer sent %d times is stored %d times; status %s", writers, same, got.Status)
	}
}

// TestCloseStatuses: a newer connection supersedes an older one (4001),
// and revoking the key closes its connections (4003).
func TestCloseStatuses(t *testing.T) {
	s := startServer(t)
	ctx := testCtx(t)
	c := s.newClient(t, "closing-tool")
	iv, err := c.CreateInterview(ctx, agent.CreateRequest{Role: "sde", Level: "L4", Principles: []string{"bias-for-action"}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.Dial(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer first.CloseNow()
	recv(t, first, client.FrameSession)
	q := recv(t, first, client.FrameQuestion)

	second, err := c.Dial(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer second.CloseNow()
	if f := recv(t, first, client.FrameError); f.Code != agent.ESUPERSEDED {
		t.Errorf("the older connection got %+v", f)
	}
	if st := closeStatus(t, first); st != client.StatusSuperseded {
		t.Errorf("the older connection closed with %d, want %d", st, client.StatusSuperseded)
	}
	recv(t, second, client.FrameSession)
	if again := recv(t, second, client.FrameQuestion); *again.Turn != *q.Turn {
		t.Errorf("the newer connection got %+v, want %+v", again.Turn, q.Turn)
	}

	if _, err := s.db.RevokeKey(ctx, "closing-tool", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if f := recv(t, second, client.FrameError); f.Code != agent.EKEYREVOKED {
		t.Errorf("after the revocation got %+v", f)
	}
	if st := closeStatus(t, second); st != client.StatusKeyRevoked {
		t.Errorf("closed with %d, want %d", st, client.StatusKeyRevoked)
	}
	if _, err := c.Dial(ctx, iv.ID); client.ErrorCode(err) != agent.EKEYREVOKED {
		t.Errorf("Dial with the revoked key = %v", err)
	}
}

// TestRequests checks what the client puts on the wire, against a server
// that records it: the key, the list options as query parameters, the
// answer body, and an error body of an unknown shape.
func TestRequests(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, string(b))
		mu.Unlock()
		switch r.URL.Path {
		case "/api/v1/interviews":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"interviews":[{"id":"a","status":"complete"}],"next_cursor":"c2"}`)
		case "/api/v1/interviews/x%2Fy/next", "/api/v1/interviews/x/y/next":
			io.WriteString(w, `{"ack":4,"question":null,"status":"grading","debrief":null}`)
		default:
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "upstream down\n")
		}
	}))
	defer srv.Close()
	ctx := testCtx(t)
	c := client.New(srv.URL, "br_secret")

	from := time.Date(2025, 3, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	page, err := c.Interviews(ctx, client.ListOptions{Limit: 5, Cursor: "c1", Status: agent.StatusComplete,
		Principle: "ownership", Role: agent.RoleSDE, From: from, To: from.Add(24 * time.Hour)})
	if err != nil || page.NextCursor != "c2" || len(page.Interviews) != 1 || page.Interviews[0].ID != "a" {
		t.Fatalf("Interviews = %+v, %v", page, err)
	}
	text := "hello"
	r, err := c.Next(ctx, "x/y", &text, "k1")
	if err != nil || r.Ack == nil || *r.Ack != 4 || r.Status != agent.StatusGrading {
		t.Fatalf("Next = %+v, %v", r, err)
	}
	if _, err := c.Next(ctx, "x/y", nil, ""); err != nil {
		t.Fatal(err)
	}
	_, err = c.Me(ctx)
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway || e.Code != client.CodeHTTP || e.Message != "upstream down" {
		t.Errorf("Me against a bad gateway = %#v", err)
	}
	if _, err := c.Interviews(ctx); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, r := range got {
		if h := r.Header.Get("Authorization"); h != "Bearer br_secret" {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.URL, h)
		}
	}
	want := map[string]string{"limit": "5", "cursor": "c1", "status": "complete", "principle": "ownership", "role": "sde",
		"from": "2025-03-01T08:00:00Z", "to": "2025-03-02T08:00:00Z"}
	q := got[0].URL.Query()
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("query %s = %q, want %q (%s)", k, q.Get(k), v, got[0].URL.RawQuery)
		}
	}
	if len(q) != len(want) {
		t.Errorf("query %s has parameters beyond %v", got[0].URL.RawQuery, want)
	}
	if got[1].Method != http.MethodPost || got[1].Header.Get("Content-Type") != "application/json" ||
		bodies[1] != `{"answer":"hello","client_id":"k1"}` || bodies[2] != `{}` {
		t.Errorf("Next sent %s %q with %q, then %q", got[1].Method, got[1].Header.Get("Content-Type"), bodies[1], bodies[2])
	}
	if got[1].URL.EscapedPath() != "/api/v1/interviews/x%2Fy/next" {
		t.Errorf("Next path %s, want the id escaped", got[1].URL.EscapedPath())
	}
	// Without options the first page is asked for with no parameters.
	if len(got) != 5 || got[4].URL.Path != "/api/v1/interviews" || got[4].URL.RawQuery != "" {
		t.Errorf("Interviews() sent %v", got[len(got)-1].URL)
	}
}
