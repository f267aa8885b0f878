package main

import (
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/openai/openaitest"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/coder/websocket"
	goopenai "github.com/sashabaranov/go-openai"
)

// expectRestart reads the server_restarting frame, after any frames the
// turn in flight still sends when sawAck is not nil (an ack sets it), and
// then the 1012 close.
func expectRestart(t *testing.T, conn *websocket.Conn, sawAck *bool) {
	t.Helper()
	for {
		f := read(t, conn)
		if f.Type == "error" {
			if f.Code != agent.ESERVERRESTARTING {
				t.Fatalf("error frame %+v, want code %s", f, agent.ESERVERRESTARTING)
			}
			break
		}
		if sawAck == nil {
			t.Fatalf("frame %+v before server_restarting on an idle connection", f)
		}
		if f.Type == "ack" {
			*sawAck = true
		}
	}
	if code := expectClose(t, conn); code != websocket.StatusServiceRestart {
		t.Fatalf("closed with %d, want 1012", code)
	}
}

// storedAnswer reports whether iv holds an answer with clientID.
func storedAnswer(iv agent.Interview, clientID string) bool {
	for _, tu := range iv.Turns {
		if tu.ClientID == clientID {
			return true
		}
	}
	return false
}

func TestShutdownClosesSessions(t *testing.T) { forEachStore(t, testShutdownClosesSessions) }

// testShutdownClosesSessions: on shutdown every connected client reads
// server_restarting and then the close 1012, new connections are refused,
// and an answer sent just before is acknowledged if and only if it was
// stored, as a second server on the same data shows.
func testShutdownClosesSessions(t *testing.T, args []string) {
	m := startArgs(t, args)
	c := newClient(t, m.Server.URL())
	var conns []*websocket.Conn
	var ids []string
	for range 3 {
		iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
		conn, _ := c.open(iv.WSURL)
		readType(t, conn, "question")
		conns, ids = append(conns, conn), append(ids, iv.ID)
	}
	send(t, conns[0], answer(vagueAnswer, "last-words"))
	closed := make(chan error, 1)
	start := time.Now()
	go func() { closed <- m.Close() }()

	var acked bool
	expectRestart(t, conns[0], &acked)
	for _, conn := range conns[1:] {
		expectRestart(t, conn, nil)
	}
	if err := <-closed; err != nil {
		t.Fatalf("close: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v with idle clients", d)
	}
	if resp, err := http.Get(m.Server.URL() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("a request after shutdown was answered %d", resp.StatusCode)
	}

	// The same data, served again: the answer is there exactly when acked.
	next := startArgs(t, args)
	c.base = next.Server.URL()
	var got agent.Interview
	if code := c.do("GET", "/api/v1/interviews/"+ids[0], "", &got); code != http.StatusOK {
		t.Fatalf("get after restart = %d", code)
	}
	if stored := storedAnswer(got, "last-words"); stored != acked {
		t.Errorf("answer acked %v but stored %v", acked, stored)
	}
	t.Logf("answer sent just before shutdown: acked and stored = %v", acked)
}

// TestShutdownWaitsForTurnInFlight: a session whose turn is still running
// when shutdown begins (here the model is slow to word the next question)
// finishes that turn before it is told server_restarting, and shutdown
// waits for it.
func TestShutdownWaitsForTurnInFlight(t *testing.T) {
	var hold atomic.Bool
	entered, release := make(chan struct{}, 1), make(chan struct{})
	srv := openaitest.NewServer(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		if req.Stream && hold.Load() {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-release
		}
		return openaitest.Scripted(req)
	})
	m := startLLM(t, srv)
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
	conn, _ := c.open(iv.WSURL)
	nextQuestion(t, conn)

	hold.Store(true)
	send(t, conn, answer(strongAnswer, "in-flight"))
	readType(t, conn, "ack")
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the model was never asked for the next question")
	}
	closed := make(chan error, 1)
	go func() { closed <- m.Server.Close() }()
	select {
	case err := <-closed:
		close(release)
		t.Fatalf("shutdown returned %v while a turn was in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if f, _ := nextQuestion(t, conn); f.Type != "question" {
		t.Fatalf("turn in flight ended with %+v, want its question", f)
	}
	expectRestart(t, conn, nil)
	if err := <-closed; err != nil {
		t.Fatalf("close: %v", err)
	}
}

// TestSIGTERMThenResume runs the real binary: on SIGTERM a connected client
// reads server_restarting and the close 1012, the process exits 0 well
// within SHUTDOWN_TIMEOUT, and a second process on the same data resumes
// the interview. With PostgreSQL the second process already runs beside
// the first.
func TestSIGTERMThenResume(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		a := startServe(t, "-data-dir", dir, "-shutdown-timeout", "5s")
		testSIGTERMThenResume(t, a, func() *process { return startServe(t, "-data-dir", dir) })
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv("TEST_DATABASE_URL") == "" {
			t.Skip("TEST_DATABASE_URL is not set")
		}
		url := pgtest.URL(t)
		a := startServe(t, "-database-url", url, "-shutdown-timeout", "5s")
		b := startServe(t, "-database-url", url)
		testSIGTERMThenResume(t, a, func() *process { return b })
	})
}

func testSIGTERMThenResume(t *testing.T, a *process, second func() *process) {
	c := newClient(t, a.url)
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")
	send(t, conn, answer(vagueAnswer, "before-term"))
	readType(t, conn, "ack")
	pending := readType(t, conn, "question")

	start := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	expectRestart(t, conn, nil)
	exited := make(chan error, 1)
	go func() { exited <- a.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("process exit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("process still running past SHUTDOWN_TIMEOUT")
	}
	t.Logf("SIGTERM to exit: %v", time.Since(start).Round(time.Millisecond))

	b := second()
	c.base = b.url
	again, s := c.open(iv.WSURL)
	if !storedAnswer(*s.Interview, "before-term") {
		t.Fatalf("resumed interview lacks the acked answer: %+v", s.Interview.Turns)
	}
	if q := readType(t, again, "question"); q.Turn.Seq != pending.Turn.Seq || strings.TrimSpace(q.Turn.Text) != strings.TrimSpace(pending.Turn.Text) {
		t.Fatalf("resumed with question %+v, want %+v", q.Turn, pending.Turn)
	}
	send(t, again, answer(strongAnswer, "after-restart"))
	readType(t, again, "ack")
}
