package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/sqlite"
)

// pgRoot is the Debian root that scripts/test-postgres.sh builds and
// scripts/private-postgres.sh runs a server of the test's own from.
func pgRoot() string {
	if r := os.Getenv("PG_ROOT"); r != "" {
		return r
	}
	return "/var/tmp/barraiser-pgroot"
}

// needRoot skips a test that mounts file systems or runs chroot when the
// test does not run as root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to mount file systems or to chroot")
	}
}

// privatePostgres starts a PostgreSQL server that only this test uses,
// with scripts/private-postgres.sh, and deletes it when the test ends. It
// returns the server's URL and ctl, which runs the script's restart or
// stop command on it with the given shutdown mode (fast or immediate), or
// start. The test is skipped unless it runs as root, the root that
// scripts/test-postgres.sh builds exists and TEST_DATABASE_URL is set (the
// sign that the PostgreSQL tests are wanted).
func privatePostgres(t *testing.T) (dbURL string, ctl func(cmd, mode string)) {
	t.Helper()
	needRoot(t)
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL not set; skipping PostgreSQL tests")
	}
	if _, err := os.Stat(filepath.Join(pgRoot(), ".barraiser-complete")); err != nil {
		t.Skipf("no PostgreSQL root (run scripts/test-postgres.sh once): %v", err)
	}
	script, err := filepath.Abs("../../scripts/private-postgres.sh")
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("private-postgres.sh %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out)), nil
	}
	dbURL, err = run("start")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil || u.Port() == "" {
		t.Fatalf("private-postgres.sh printed %q", dbURL)
	}
	port := u.Port()
	t.Cleanup(func() {
		if _, err := run("destroy", port); err != nil {
			t.Error(err)
		}
	})
	return dbURL, func(cmd, mode string) {
		t.Helper()
		args := []string{cmd, port}
		if mode != "" {
			args = append(args, mode)
		}
		if _, err := run(args...); err != nil {
			t.Fatal(err)
		}
	}
}

// faultDriver answers one interview over WebSocket, resending an answer
// that the server refused as store_unavailable, and reconnecting when the
// connection is lost, until the debrief arrives. It keeps what it sent and
// what the server acknowledged, for checking the transcript afterwards.
type faultDriver struct {
	c    *client
	id   string
	text func(cid string) string
	// retry is the error code the driver answers by resending.
	retry string

	n int
	// allowed, when not nil, caps n: the driver waits to answer a
	// question until the test allows it another answer.
	allowed *atomic.Int64
	sent    map[string]string // client id → text
	acked   map[string]int    // client id → seq
	refused map[string]int    // client id → refusals before its first ack
	last    string            // the answer sent last
	pending bool              // last has not been acknowledged yet
	done    bool

	acks, refusals *atomic.Int64 // shared by the drivers of a test
}

func newFaultDriver(c *client, id, retry string, text func(string) string, acks, refusals *atomic.Int64) *faultDriver {
	return &faultDriver{c: c, id: id, text: text, retry: retry, sent: map[string]string{}, acked: map[string]int{},
		refused: map[string]int{}, acks: acks, refusals: refusals}
}

// errLost is a connection that ended without the debrief.
var errLost = errors.New("connection lost")

// drive runs the interview to its debrief, or returns the first thing
// that is wrong.
func (d *faultDriver) drive(ctx context.Context) error {
	for !d.done {
		if ctx.Err() != nil {
			return fmt.Errorf("interview %s: no debrief in time: %w", d.id, ctx.Err())
		}
		conn, resp, err := d.c.dial("/api/v1/interviews/"+d.id+"/ws", "")
		if err != nil {
			// Refused before the upgrade, as while the database is down.
			if resp != nil && resp.StatusCode != http.StatusServiceUnavailable {
				return fmt.Errorf("interview %s: dial: %d %w", d.id, resp.StatusCode, err)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		err = d.session(ctx, conn)
		conn.CloseNow()
		if err != nil && !errors.Is(err, errLost) {
			return fmt.Errorf("interview %s: %w", d.id, err)
		}
	}
	return nil
}

// session serves one connection; it returns nil once the debrief came,
// an error wrapping errLost when the connection may be opened again.
func (d *faultDriver) session(ctx context.Context, conn *websocket.Conn) error {
	var f frame
	if err := wsjson.Read(ctx, conn, &f); err != nil {
		// The server may fail between the check before the upgrade and
		// the session frame, while the database goes away.
		return fmt.Errorf("%w before the session: %v", errLost, err)
	}
	if f.Type != "session" || f.Interview == nil {
		return fmt.Errorf("first frame %+v, want the session", f)
	}
	if f.Interview.Status == agent.StatusComplete {
		d.done = true
		return nil
	}
	for {
		var f frame
		if err := wsjson.Read(ctx, conn, &f); err != nil {
			if d.done && websocket.CloseStatus(err) == websocket.StatusNormalClosure {
				return nil
			}
			if s := websocket.CloseStatus(err); s != -1 {
				return fmt.Errorf("closed with %d during the session: %v", s, err)
			}
			return fmt.Errorf("%w: %v", errLost, err)
		}
		switch f.Type {
		case "question":
			if !d.pending {
				for d.allowed != nil && int64(d.n) >= d.allowed.Load() {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					time.Sleep(5 * time.Millisecond)
				}
				d.n++
				d.last = fmt.Sprintf("%s-%d", d.id[:8], d.n)
				d.sent[d.last] = d.text(d.last)
				d.pending = true
			}
			if err := wsjson.Write(ctx, conn, answer(d.sent[d.last], d.last)); err != nil {
				return fmt.Errorf("%w: %v", errLost, err)
			}
		case "ack":
			if f.ClientID != d.last {
				return fmt.Errorf("ack %+v, but the answer sent last is %q", f, d.last)
			}
			if seq, ok := d.acked[f.ClientID]; ok && seq != f.Seq {
				return fmt.Errorf("answer %s acked as %d, then as %d", f.ClientID, seq, f.Seq)
			}
			if _, ok := d.acked[f.ClientID]; !ok {
				d.acks.Add(1)
			}
			d.acked[f.ClientID] = f.Seq
			d.pending = false
		case "error":
			if f.Code != d.retry {
				return fmt.Errorf("error frame %+v, want only %s", f, d.retry)
			}
			d.refusals.Add(1)
			if d.pending {
				d.refused[d.last]++
			}
			if d.last == "" {
				return fmt.Errorf("error frame %+v before any answer", f)
			}
			// Refused answer, or the question after an acked one not
			// stored: either way the same answer sent again moves on.
			time.Sleep(200 * time.Millisecond)
			if err := wsjson.Write(ctx, conn, answer(d.sent[d.last], d.last)); err != nil {
				return fmt.Errorf("%w: %v", errLost, err)
			}
		case "grading", "question_delta":
		case "debrief":
			if f.Debrief == nil {
				return fmt.Errorf("a debrief frame without a debrief")
			}
			d.done = true
		default:
			return fmt.Errorf("unexpected frame %+v", f)
		}
	}
}

// verify checks the stored interview against what the driver sent and
// was told: a whole transcript, every answer stored once, each acked one
// at the seq of its ack, and a debrief.
func (d *faultDriver) verify(iv *agent.Interview) error {
	if err := checkTranscriptShape(iv); err != nil {
		return err
	}
	if iv.Status != agent.StatusComplete {
		return fmt.Errorf("interview %s is %s", d.id, iv.Status)
	}
	return checkAnswersStoredOnce(iv, d.sent, d.acked)
}

// outageCheck makes one API request while the database is down and wants
// a prompt 503 with code, and Retry-After when retry is set.
func outageCheck(t *testing.T, c *client, method, path, code string, retry bool) {
	t.Helper()
	start := time.Now()
	resp, body := c.raw(method, path, "")
	took := time.Since(start)
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != http.StatusServiceUnavailable || e.Error.Code != code {
		t.Errorf("%s %s with the database down = %d %s, want 503 %s", method, path, resp.StatusCode, body, code)
	}
	if retry && resp.Header.Get("Retry-After") == "" {
		t.Errorf("%s %s with the database down has no Retry-After", method, path)
	}
	if took > 10*time.Second {
		t.Errorf("%s %s with the database down took %s", method, path, took)
	}
}

// TestPostgresRestartMidInterview restarts the PostgreSQL server under a
// running server while interviews answer over real WebSockets: once
// stopped for a while and started again, once restarted at once, both in
// immediate mode (as a crash would). Answers the server refused in the
// meantime carry store_unavailable on a socket that stays open, and are
// resent; requests made while the database is down get a prompt 503; and
// the same server, never restarted, carries every interview to its
// debrief with each answer stored once, at the seq it was acknowledged
// with.
func TestPostgresRestartMidInterview(t *testing.T) {
	dbURL, ctl := privatePostgres(t)
	logs := &syncBuffer{}
	m := startWith(t, []string{"-database-url", dbURL}, func(c *Config) {
		// The drivers answer faster than people do, and resend often.
		c.RateLimit, c.MaxOpenInterviews, c.WSFrameRate = 0, 0, 0
	}, logs)
	c := newClient(t, m.Server.URL())

	const interviews = 3
	var acks, refusals, allowed atomic.Int64
	allowed.Store(2) // answers each driver may send so far
	drivers := make([]*faultDriver, interviews)
	for i := range drivers {
		iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep","earn-trust"]}`)
		// Vague answers draw follow-ups, so the interviews last.
		drivers[i] = newFaultDriver(c, iv.ID, agent.ESTOREUNAVAILABLE, func(cid string) string {
			return vagueAnswer + " (" + cid + ")"
		}, &acks, &refusals)
		drivers[i].allowed = &allowed
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, interviews)
	var failed atomic.Bool // a driver gave up
	for i, d := range drivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = d.drive(ctx); errs[i] != nil {
				failed.Store(true)
			}
		}()
	}
	waitAcks := func(n int64) {
		t.Helper()
		for acks.Load() < n {
			if ctx.Err() != nil || failed.Load() {
				cancel()
				wg.Wait()
				t.Fatalf("only %d answers acked, waiting for %d; drivers: %v\nserver log:\n%s", acks.Load(), n, errors.Join(errs...), logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// First the database goes away for a while, and the next answers
	// are sent while it is.
	waitAcks(2 * interviews)
	ctl("stop", "immediate")
	outageCheck(t, c, "GET", "/api/v1/interviews/"+drivers[0].id, agent.ESTOREUNAVAILABLE, true)
	outageCheck(t, c, "GET", "/api/v1/interviews", agent.ESTOREUNAVAILABLE, true)
	outageCheck(t, c, "GET", "/readyz", "not_ready", false)
	allowed.Add(1)
	for refusals.Load() == 0 && ctx.Err() == nil && !failed.Load() {
		time.Sleep(10 * time.Millisecond) // until an answer is refused
	}
	ctl("start", "")

	// Then it restarts at once while answers keep coming, one more per
	// driver every 100 ms, and after that as fast as they go.
	waitAcks(3 * interviews)
	pace := make(chan struct{})
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-pace:
				return
			case <-tick.C:
				allowed.Add(1)
			}
		}
	}()
	ctl("restart", "immediate")
	close(pace)
	allowed.Store(1 << 30)

	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.Logf("server log:\n%s", logs.String())
		return
	}
	for _, d := range drivers {
		var iv agent.Interview
		if code := c.do("GET", "/api/v1/interviews/"+d.id, "", &iv); code != http.StatusOK {
			t.Fatalf("GET interview after the restarts = %d", code)
		}
		if err := d.verify(&iv); err != nil {
			t.Errorf("interview %s: %v", d.id, err)
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the server logged errors; a lost database should only warn:\n%s", logs.String())
	}
	t.Logf("%d answers acked, %d refusals of store_unavailable, across %d interviews", acks.Load(), refusals.Load(), interviews)
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory, unmounted
// when the test ends (after the servers the test starts later are closed).
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk leaves about free bytes free on dir's file system by
// allocating the rest to a file.
func fillDisk(t *testing.T, dir string, free int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	avail := int64(st.Bavail) * st.Bsize
	if avail <= free {
		t.Fatalf("only %d bytes free before filling, want more than %d", avail, free)
	}
	f, err := os.Create(filepath.Join(dir, "ballast"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, avail-free); err != nil {
		t.Fatalf("fallocate: %v", err)
	}
}

// storedAnswers returns the client ids of the answers stored in iv, with
// their seqs.
func storedAnswers(iv *agent.Interview) map[string]int {
	out := map[string]int{}
	for _, tn := range iv.Turns {
		if tn.Speaker == agent.SpeakerCandidate {
			out[tn.ClientID] = tn.Seq
		}
	}
	return out
}

// TestSQLiteFullDisk runs the embedded store on a small tmpfs and answers
// long answers until the disk is full. The write that does not fit is
// refused with storage_full, on a socket that stays open; nothing
// acknowledged is lost; reads go on working; new interviews are refused
// with 507; and the database left behind passes SQLite's integrity check.
func TestSQLiteFullDisk(t *testing.T) {
	needRoot(t)
	dir := mountTmpfs(t, 32<<20)
	m := startWith(t, []string{"-data-dir", dir}, func(c *Config) {
		c.RateLimit, c.MaxOpenInterviews, c.WSFrameRate = 0, 0, 0
	}, io.Discard)
	c := newClient(t, m.Server.URL())

	// Several interviews, each with its first question stored, so that
	// once one can store no further question another can still take an
	// answer.
	const interviews = 6
	long := strings.Repeat(vagueAnswer+" ", 80)[:7900]
	var acks, refusals atomic.Int64
	var drivers []*faultDriver
	for range interviews {
		iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep","earn-trust","bias-for-action"]}`)
		conn, _ := c.open(iv.WSURL)
		readType(t, conn, "question")
		conn.Close(websocket.StatusNormalClosure, "")
		drivers = append(drivers, newFaultDriver(c, iv.ID, agent.ESTORAGEFULL, func(cid string) string {
			return cid + " " + long[:7900-len(cid)-1]
		}, &acks, &refusals))
	}
	fillDisk(t, dir, 192<<10)

	// Answer each interview until one of its writes is refused. One that
	// fits on the disk to its end is left complete for the next.
	var refusedAnswer string
	var refusedIn *faultDriver
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, d := range drivers {
		conn, _ := c.open("/api/v1/interviews/" + d.id + "/ws")
		full, finished := false, false
		for !full && !finished {
			f := read(t, conn)
			switch f.Type {
			case "question":
				d.n++
				d.last = fmt.Sprintf("%s-%d", d.id[:8], d.n)
				d.sent[d.last], d.pending = d.text(d.last), true
				send(t, conn, answer(d.sent[d.last], d.last))
			case "ack":
				if f.ClientID != d.last {
					t.Fatalf("ack %+v, want %s", f, d.last)
				}
				d.acked[f.ClientID], d.pending = f.Seq, false
				acks.Add(1)
			case "error":
				if f.Code != agent.ESTORAGEFULL {
					t.Fatalf("error frame %+v, want %s", f, agent.ESTORAGEFULL)
				}
				full = true
				if d.pending && refusedAnswer == "" {
					refusedAnswer, refusedIn = d.last, d
				}
			case "grading":
			case "debrief":
				finished = true
			default:
				t.Fatalf("unexpected frame %+v", f)
			}
		}
		if finished {
			conn.Close(websocket.StatusNormalClosure, "")
			continue
		}
		// The socket stays open: the same answer, sent again, is refused
		// again (or acknowledged again, if it was stored) rather than the
		// connection closed.
		send(t, conn, answer(d.sent[d.last], d.last))
		switch f := read(t, conn); {
		case f.Type == "error" && f.Code == agent.ESTORAGEFULL:
		case f.Type == "ack" && !d.pending && f.Seq == d.acked[d.last]:
			// The question after it, or the debrief, still refused.
			g := read(t, conn)
			if g.Type == "grading" {
				g = read(t, conn)
			}
			if g.Type != "error" || g.Code != agent.ESTORAGEFULL {
				t.Fatalf("after the answer acknowledged again on a full disk: %+v, want a storage_full error", g)
			}
		default:
			t.Fatalf("the answer sent again on a full disk got %+v", f)
		}
		conn.Close(websocket.StatusNormalClosure, "")
		if refusedAnswer != "" {
			break
		}
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	if refusedAnswer == "" {
		t.Fatalf("no answer was refused: every interview stopped at a question that could not be stored (%d acked)", acks.Load())
	}

	// Reads keep working while the disk is full.
	var iv agent.Interview
	if code := c.do("GET", "/api/v1/interviews/"+refusedIn.id, "", &iv); code != http.StatusOK {
		t.Fatalf("GET interview on a full disk = %d", code)
	}
	if seq, ok := storedAnswers(&iv)[refusedAnswer]; ok {
		t.Errorf("the refused answer %s is stored, at %d", refusedAnswer, seq)
	}
	var list struct {
		Interviews []json.RawMessage `json:"interviews"`
	}
	if code := c.do("GET", "/api/v1/interviews", "", &list); code != http.StatusOK || len(list.Interviews) != interviews {
		t.Errorf("GET interviews on a full disk = %d with %d interviews, want 200 with %d", code, len(list.Interviews), interviews)
	}
	if code := c.do("GET", "/api/v1/progress", "", nil); code != http.StatusOK {
		t.Errorf("GET progress on a full disk = %d", code)
	}
	// Over HTTP the same answer is refused with 507.
	next, _ := json.Marshal(map[string]string{"answer": refusedIn.sent[refusedAnswer], "client_id": refusedAnswer})
	resp, body := c.raw("POST", "/api/v1/interviews/"+refusedIn.id+"/next", string(next))
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(string(body), `"storage_full"`) {
		t.Errorf("POST next on a full disk = %d %s, want 507 storage_full", resp.StatusCode, body)
	}

	// Stop the server and check a copy of what it left.
	if err := m.Close(); err != nil {
		t.Logf("close on a full disk: %v", err) // the final checkpoint may not fit
	}
	cp := t.TempDir()
	for _, name := range []string{sqlite.FileName, sqlite.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cp, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(cp, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	raw.Close()
	db, err := sqlite.Open(context.Background(), cp, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, d := range drivers {
		iv, err := db.Interview(context.Background(), "", d.id)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkTranscriptShape(iv); err != nil {
			t.Errorf("interview %s: %v", d.id, err)
		}
		stored := storedAnswers(iv)
		for cid, seq := range d.acked {
			if stored[cid] != seq {
				t.Errorf("answer %s was acked as %d but is stored at %d (0: lost)", cid, seq, stored[cid])
			}
		}
		if d == refusedIn {
			if _, ok := stored[refusedAnswer]; ok {
				t.Errorf("the refused answer %s was stored", refusedAnswer)
			}
		}
	}
	t.Logf("%d answers acked before the disk filled", acks.Load())
}

// bindReadOnly mounts dir read-only on a new directory, unmounted when the
// test ends.
func bindReadOnly(t *testing.T, dir string) string {
	t.Helper()
	ro := t.TempDir()
	if out, err := exec.Command("mount", "--bind", dir, ro).CombinedOutput(); err != nil {
		t.Fatalf("bind mount: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", ro).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", ro, err, out)
		}
	})
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", ro).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v: %s", err, out)
	}
	return ro
}

// TestSQLiteReadOnlyDisk starts the server on a data directory mounted
// read-only. It serves reads (interviews, their list, a debrief, the
// socket's session and pending question) and refuses writes with
// read_only, on HTTP and on a socket that stays open; while it runs, no
// server can write to the same directory through another mount. A
// directory whose write-ahead log still holds writes is refused at start.
func TestSQLiteReadOnlyDisk(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	m := startMain(t, dir)
	c := newClient(t, m.Server.URL())
	done := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	conn, _ := c.open(done.WSURL)
	readType(t, conn, "question")
	send(t, conn, map[string]string{"type": "end"})
	for f := read(t, conn); f.Type != "debrief"; f = read(t, conn) {
	}
	open := c.create(`{"role":"sde","level":"L5","principles":["dive-deep"]}`)
	conn, _ = c.open(open.WSURL)
	q := readType(t, conn, "question")
	conn.Close(websocket.StatusNormalClosure, "")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	ro := bindReadOnly(t, dir)
	m = startMain(t, ro)
	rc := *c
	rc.base = m.Server.URL()

	var iv agent.Interview
	if code := rc.do("GET", "/api/v1/interviews/"+done.ID, "", &iv); code != http.StatusOK || iv.Debrief == nil || len(iv.Turns) == 0 {
		t.Fatalf("GET a complete interview read-only = %d %+v", code, iv)
	}
	var list struct {
		Interviews []json.RawMessage `json:"interviews"`
	}
	if code := rc.do("GET", "/api/v1/interviews", "", &list); code != http.StatusOK || len(list.Interviews) != 2 {
		t.Errorf("GET interviews read-only = %d with %d, want 200 with 2", code, len(list.Interviews))
	}
	if resp, body := rc.raw("GET", "/api/v1/interviews/"+done.ID+"/debrief.md", ""); resp.StatusCode != http.StatusOK || len(body) == 0 {
		t.Errorf("GET debrief.md read-only = %d", resp.StatusCode)
	}
	if resp, body := rc.raw("GET", "/readyz", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /readyz read-only = %d %s", resp.StatusCode, body)
	}
	resp, body := rc.raw("POST", "/api/v1/interviews", `{"role":"sde","level":"L5","principles":["ownership"]}`)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"read_only"`) {
		t.Errorf("create read-only = %d %s, want 503 read_only", resp.StatusCode, body)
	}

	// The socket shows the pending question and refuses the answer.
	conn, s := rc.open(open.WSURL)
	if s.Interview == nil || len(s.Interview.Turns) != 1 {
		t.Fatalf("session read-only = %+v", s.Interview)
	}
	if f := readType(t, conn, "question"); f.Turn != q.Turn {
		t.Errorf("pending question read-only = %+v, want %+v", f.Turn, q.Turn)
	}
	for range 2 { // refused twice: the connection stays open
		send(t, conn, answer(strongAnswer, "ro-1"))
		if f := readType(t, conn, "error"); f.Code != agent.EREADONLY {
			t.Fatalf("answer read-only = %+v, want %s", f, agent.EREADONLY)
		}
	}
	conn.Close(websocket.StatusNormalClosure, "")
	if code := rc.do("GET", "/api/v1/interviews/"+open.ID, "", &iv); code != http.StatusOK || len(iv.Turns) != 1 {
		t.Errorf("after the refused answer: %d with %d turns, want 1", code, len(iv.Turns))
	}

	// No server may write through the writable mount meanwhile.
	if _, err := sqlite.Open(context.Background(), dir, sqlite.Options{Lock: true}); !errors.Is(err, sqlite.ErrLocked) {
		t.Errorf("opening the writable directory while a read-only server runs: %v, want ErrLocked", err)
	}

	// A copy taken while a server ran keeps writes in its log: refused.
	live := t.TempDir()
	m2 := startMain(t, live)
	newClient(t, m2.Server.URL()).create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	snap := t.TempDir()
	for _, name := range []string{sqlite.FileName, sqlite.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(live, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(snap, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := sqlite.Open(context.Background(), bindReadOnly(t, snap), sqlite.Options{Lock: true})
	if err == nil || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "writable") {
		t.Errorf("opening a read-only copy with writes in its log: %v, want a refusal that says how to fix it", err)
	}
}
