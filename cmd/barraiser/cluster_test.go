package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/barraiser/barraiser/web"
	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
)

// binDir holds the binary built for the process tests; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary compiles ./cmd/barraiser once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "barraiser-bin-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "barraiser")
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is a barraiser server running as its own OS process.
type process struct {
	cmd *exec.Cmd
	url string
}

// startProcess runs `barraiser serve` against databaseURL on a free port
// and waits for it to print its URL.
func startProcess(t testing.TB, databaseURL string) *process {
	return startServe(t, "-database-url", databaseURL)
}

// startServe runs `barraiser serve` with args on a free port and waits for
// it to print its URL.
func startServe(t testing.TB, args ...string) *process {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0", "-log-level", "error"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd}
	t.Cleanup(func() { p.kill() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Bar Raiser is running at "); ok {
				lines <- u
			}
		}
	}()
	select {
	case p.url = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("server process did not start")
	}
	return p
}

// kill ends the process with SIGKILL, as a crash would.
func (p *process) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

// TestTwoProcessesOneDatabase runs two real server processes on one
// PostgreSQL: a newer connection on B supersedes the older one on A at
// once, and after A is killed with SIGKILL, B resumes the interview with
// every acknowledged answer and the pending question, and finishes it.
func TestTwoProcessesOneDatabase(t *testing.T) {
	url := pgtest.URL(t)
	a, b := startProcess(t, url), startProcess(t, url)
	c := newClient(t, a.url)
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)

	connA, _ := c.open(iv.WSURL)
	readType(t, connA, "question")
	for i := 0; i < 2; i++ {
		send(t, connA, answer(vagueAnswer, fmt.Sprint("a-", i)))
		readType(t, connA, "ack")
		readType(t, connA, "question")
	}

	// A connection to B takes over; A's connection hears of it from B's
	// claim, without writing anything.
	c.base = b.url
	connB, _, err := c.dial(iv.WSURL, "")
	if err != nil {
		t.Fatal(err)
	}
	if f := readType(t, connA, "error"); f.Code != "superseded" {
		t.Fatalf("A's connection got %+v", f)
	}
	if code := expectClose(t, connA); code != 4001 {
		t.Errorf("A's connection closed with %d, want 4001", code)
	}
	readType(t, connB, "session")
	readType(t, connB, "question")
	connB.CloseNow()

	// Back on A: one more answer is acked, then A dies mid-interview.
	c.base = a.url
	connA, _ = c.open(iv.WSURL)
	readType(t, connA, "question")
	send(t, connA, answer(vagueAnswer, "a-2"))
	acked := readType(t, connA, "ack")
	pending := readType(t, connA, "question")
	a.kill()

	c.base = b.url
	connB, s := c.open(iv.WSURL)
	answers := map[string]int{}
	for _, tn := range s.Interview.Turns {
		if tn.Speaker == agent.SpeakerCandidate {
			answers[tn.ClientID] = tn.Seq
		}
	}
	if len(answers) != 3 || answers["a-2"] != acked.Seq {
		t.Fatalf("B's session has answers %v, want a-0, a-1 and a-2 at seq %d", answers, acked.Seq)
	}
	q := readType(t, connB, "question")
	if q.Turn.Seq != pending.Turn.Seq || q.Turn.Text != pending.Turn.Text {
		t.Fatalf("B's pending question %+v, want %+v", q.Turn, pending.Turn)
	}
	// Finish on B.
	for i := 0; ; i++ {
		send(t, connB, answer(strongAnswer, fmt.Sprint("b-", i)))
		readType(t, connB, "ack")
		if f := read(t, connB); f.Type == "grading" {
			break
		} else if f.Type != "question" {
			t.Fatalf("frame %+v", f)
		}
		if i > 10 {
			t.Fatal("interview did not finish")
		}
	}
	d := readType(t, connB, "debrief").Debrief
	if len(d.Principles) != 2 || d.Principles[0].Score == nil || d.Principles[1].Score == nil {
		t.Fatalf("debrief %+v", d)
	}
}

// TestConnectionsDoNotHoldDatabaseConnections serves many WebSockets from a
// pool of four database connections.
func TestConnectionsDoNotHoldDatabaseConnections(t *testing.T) {
	url := pgtest.URL(t)
	// One owner holds all forty interviews: lift the per-owner limits.
	m := startArgs(t, []string{"-database-url", pgtest.WithParams(t, url, "pool_max_conns=4"), "-rate-limit", "0", "-max-open-interviews", "0"})
	c := newClient(t, m.Server.URL())
	const n = 40
	conns := make([]*websocket.Conn, n)
	for i := range conns {
		iv := c.create(`{"role":"pm","level":"L6","principles":["customer-obsession"]}`)
		conn, _ := c.open(iv.WSURL)
		readType(t, conn, "question")
		conns[i] = conn
	}
	// Every connection answers at once; all are acknowledged.
	var wg sync.WaitGroup
	for i, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := conn.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf(`{"type":"answer","text":%q,"client_id":"c%d"}`, vagueAnswer, i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, conn := range conns {
		readType(t, conn, "ack")
		readType(t, conn, "question")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var open int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&open); err != nil {
		t.Fatal(err)
	}
	// Four pooled connections and one listening for claims.
	if open > 5 {
		t.Errorf("%d database connections for %d open WebSockets", open, n)
	}
}

// TestDeleteClosesSocketOnAnotherProcess deletes an interview through one
// server process while its WebSocket is open on another: that socket is
// told at once and closed with 4004.
func TestDeleteClosesSocketOnAnotherProcess(t *testing.T) {
	url := pgtest.URL(t)
	a, b := startProcess(t, url), startProcess(t, url)
	c := newClient(t, a.url)
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")
	c.base = b.url
	if code := c.do("DELETE", "/api/v1/interviews/"+iv.ID, "", nil); code != 204 {
		t.Fatalf("DELETE on B = %d", code)
	}
	if f := readType(t, conn, "error"); f.Code != agent.EINTERVIEWDELETED {
		t.Fatalf("the socket on A got %+v", f)
	}
	if st := expectClose(t, conn); st != web.StatusInterviewDeleted {
		t.Errorf("the socket on A closed with %d, want %d", st, web.StatusInterviewDeleted)
	}
}
