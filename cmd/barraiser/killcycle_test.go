package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/barraiser/barraiser/agent"
	brclient "github.com/barraiser/barraiser/client"
)

// killCycles is how many times each store's server is killed.
const killCycles = 20

// killLive is how many interviews are driven at once in a cycle; half
// belong to the API key and half to the browser cookie.
const killLive = 6

// killSeedEnv names the variable that replays a run of TestKillCycles
// with a given seed. Timing still differs from run to run, but every
// random choice (delays, answers, which interviews end) is the seed's.
const killSeedEnv = "KILLCYCLE_SEED"

// recoveredLog is what the server logs for each interview that Recover
// grades at start.
const recoveredLog = "graded interview left in grading"

func TestKillCycles(t *testing.T) { forEachStore(t, testKillCycles) }

// testKillCycles kills a real server process with SIGKILL at random
// moments while it conducts interviews over real WebSockets, restarts it
// on the same store and carries on, killCycles times, then checks every
// transcript: each acknowledged answer is stored once at the seq it was
// acknowledged with, every stored turn is whole, questions and answers
// alternate from seq 1 without gaps, a question once sent is the one
// stored in its slot and is sent again on reconnect, an answer resent
// with its client id after a crash is stored at most once, and no
// interview outlives a restart in grading: every interview ended just
// before a kill ends up graded, with a debrief.
func testKillCycles(t *testing.T, storeArgs []string) {
	start := time.Now()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(killSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", killSeedEnv, s, err)
		}
		seed = v
	}
	t.Logf("seed %d (replay its choices with %s=%d)", seed, killSeedEnv, seed)

	r := newKillRun(t, seed, storeArgs)
	for cycle := 1; cycle <= killCycles && !t.Failed(); cycle++ {
		r.cycle(cycle)
	}
	if t.Failed() {
		return
	}
	r.finish()
	if r.acked.Load() == 0 || r.completed.Load() == 0 {
		t.Errorf("seed %d: %d answers acked and %d interviews completed: the run exercised nothing", seed, r.acked.Load(), r.completed.Load())
	}
	t.Logf("%s in %s: %d cycles, %d interviews (%d completed between kills, %d ended early), %d answers acked, %d resent after a crash (%d of them already stored), %d interviews graded by Recover at start",
		t.Name(), time.Since(start).Round(time.Millisecond), killCycles, len(r.ivs), r.completed.Load(),
		r.ended.Load(), r.acked.Load(), r.resent.Load(), r.resentStored.Load(), r.recovered())
}

// killRun is one store's run of the kill test: the server's configuration
// and owners, and what the test learned from every process it started.
type killRun struct {
	t    *testing.T
	seed uint64
	rng  *rand.Rand // the main goroutine's
	env  []string
	logs *os.File // the stderr of every process, one after the other
	key  string
	// keyHTTP and cookieHTTP carry the two owners' requests: the API key
	// in a header, and the br_owner cookie kept in a jar. The jar ignores
	// ports, as browsers do, so the cookie outlives every restart.
	keyHTTP, cookieHTTP *http.Client

	mu  sync.Mutex
	ivs []*kcInterview // every interview created, in order

	completed, ended, acked, resent, resentStored atomic.Int64
}

// newKillRun prepares a run on the store that storeArgs names: it creates
// the API key owner with the CLI, before any server runs.
func newKillRun(t *testing.T, seed uint64, storeArgs []string) *killRun {
	env := []string{"ADDR=127.0.0.1:0", "LOG_LEVEL=info", "RATE_LIMIT=0", "MAX_OPEN_INTERVIEWS=0"}
	switch storeArgs[0] {
	case "-data-dir":
		env = append(env, "DATA_DIR="+storeArgs[1])
	case "-database-url":
		env = append(env, "DATABASE_URL="+storeArgs[1])
	default:
		t.Fatalf("unknown store flags %q", storeArgs)
	}
	logs, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			t.Logf("the last lines the servers logged:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
		logs.Close()
	})
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &killRun{
		t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, seed)), env: env, logs: logs,
		key:     cliKey(t, storeArgs, "kill-cycles"),
		keyHTTP: &http.Client{Transport: tr}, cookieHTTP: &http.Client{Transport: tr, Jar: jar},
	}
}

// kcCycle is the life of one server process.
type kcCycle struct {
	n       int
	proc    *process
	clients [2]*brclient.Client // by owner: the key, then the cookie
	// killed is set just before the process is killed: from then on a
	// failed call is the kill's doing, not the server's.
	killed atomic.Bool
	// final marks the last process, which is never killed: its drivers
	// take their interviews to the end instead of starting new ones.
	final bool
}

// lost passes err on, unless the process was killed: then the error is
// expected, and lost returns nil.
func (c *kcCycle) lost(err error) error {
	if c.killed.Load() {
		return nil
	}
	return err
}

// start runs a server process on the run's store and checks that nothing
// is left in grading: Recover grades it all before the server listens.
func (r *killRun) start(n int) *kcCycle {
	r.t.Helper()
	fmt.Fprintf(r.logs, "--- process %d\n", n)
	c := &kcCycle{n: n, proc: startCrashable(r.t, r.env, r.logs)}
	opts := []brclient.Option{brclient.WithReadLimit(1 << 20)} // the session frame holds long transcripts
	c.clients[0] = brclient.New(c.proc.url, r.key, append(opts, brclient.WithHTTPClient(r.keyHTTP))...)
	c.clients[1] = brclient.New(c.proc.url, "", append(opts, brclient.WithHTTPClient(r.cookieHTTP))...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if n == 1 {
		// The page hands the browser its owner cookie.
		resp, err := r.cookieHTTP.Get(c.proc.url + "/")
		if err != nil {
			r.t.Fatal(err)
		}
		resp.Body.Close()
	}
	for owner, cl := range c.clients {
		page, err := cl.Interviews(ctx, brclient.ListOptions{Status: agent.StatusGrading, Limit: 100})
		if err != nil {
			r.t.Fatalf("seed %d, process %d, owner %d: list interviews in grading: %v", r.seed, n, owner, err)
		}
		for _, s := range page.Interviews {
			r.t.Errorf("seed %d, process %d: interview %s is still in grading after the restart: Recover did not grade it",
				r.seed, n, s.ID)
		}
	}
	return c
}

// cycle starts a process, drives interviews on it and kills it with
// SIGKILL after a random delay, some interviews having just been ended so
// that the kill may land while they are graded.
func (r *killRun) cycle(n int) {
	began := time.Now()
	c := r.start(n)
	started := time.Since(began)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	acked := r.acked.Load()
	r.drive(ctx, c, &wg)

	// The kill point is counted in answers acknowledged by this process,
	// not in time, so that it falls as deep into the interviews on a slow
	// machine or store as on a fast one; none kills during the reconnects.
	want := int64(r.rng.IntN(12))
	for deadline := time.Now().Add(5 * time.Second); r.acked.Load()-acked < want && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(time.Duration(r.rng.IntN(20)) * time.Millisecond)
	ends := 0
	if n := r.rng.IntN(3); n > 0 {
		r.mu.Lock()
		var open []*kcInterview
		for _, iv := range r.ivs {
			if !iv.done.Load() && !iv.ending.Load() {
				open = append(open, iv)
			}
		}
		r.mu.Unlock()
		r.rng.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
		for _, iv := range open[:min(n, len(open))] {
			ends++
			r.ended.Add(1)
			iv.end(ctx)
		}
		time.Sleep(time.Duration(r.rng.IntN(15)) * time.Millisecond)
	}
	c.killed.Store(true)
	c.proc.kill()
	cancel()
	wg.Wait()
	r.t.Logf("process %d: started in %s, killed %s later after %d acks (%d wanted), %d interviews ended just before",
		n, started.Round(time.Millisecond), (time.Since(began) - started).Round(time.Millisecond), r.acked.Load()-acked, want, ends)
}

// finish starts the last process, takes every open interview to its
// debrief and checks every interview of both owners.
func (r *killRun) finish() {
	t := r.t
	c := r.start(killCycles + 1)
	c.final = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	r.drive(ctx, c, &wg)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Errorf("seed %d: the interviews were not finished within a minute after the last restart", r.seed)
		c.killed.Store(true)
		c.proc.kill()
		cancel()
		<-done
		return
	}

	// Every interview of both owners, those whose creation was cut short
	// by a kill included: the test never learned their ids.
	known := map[string]*kcInterview{}
	for _, iv := range r.ivs {
		known[iv.id] = iv
	}
	rctx, rcancel := context.WithTimeout(context.Background(), time.Minute)
	defer rcancel()
	for owner, cl := range c.clients {
		opts := brclient.ListOptions{Limit: 100}
		for {
			page, err := cl.Interviews(rctx, opts)
			if err != nil {
				t.Fatalf("list interviews of owner %d: %v", owner, err)
			}
			for _, s := range page.Interviews {
				iv, err := cl.Interview(rctx, s.ID)
				if err != nil {
					t.Fatalf("get interview %s: %v", s.ID, err)
				}
				k, ok := known[s.ID]
				delete(known, s.ID)
				switch {
				case !ok:
					// Never driven: no question may have been asked.
					if len(iv.Turns) > 0 || iv.Status != agent.StatusInProgress {
						t.Errorf("seed %d: interview %s, whose creation a kill cut short, is %s with %d turns", r.seed, iv.ID, iv.Status, len(iv.Turns))
					}
				case k.owner != owner:
					t.Errorf("seed %d: interview %s is listed for owner %d, not %d", r.seed, iv.ID, owner, k.owner)
				default:
					if err := k.verify(iv); err != nil {
						t.Errorf("seed %d: interview %s after the last restart: %v", r.seed, iv.ID, err)
					}
					if iv.Status != agent.StatusComplete {
						t.Errorf("seed %d: interview %s is %s after it was driven to its end", r.seed, iv.ID, iv.Status)
					} else {
						checkDebrief(t, iv)
					}
				}
			}
			if page.NextCursor == "" {
				break
			}
			opts.Cursor = page.NextCursor
		}
	}
	for id := range known {
		t.Errorf("seed %d: interview %s is missing from its owner's list", r.seed, id)
	}
	if lines := r.logLines("level=ERROR"); len(lines) > 0 {
		t.Errorf("the server logged errors:\n%s", strings.Join(lines, "\n"))
	}
}

// drive starts one driver for every interview still open and more, each
// on a new interview, up to killLive at once.
func (r *killRun) drive(ctx context.Context, c *kcCycle, wg *sync.WaitGroup) {
	r.mu.Lock()
	var open []*kcInterview
	for _, iv := range r.ivs {
		if !iv.done.Load() {
			open = append(open, iv)
		}
	}
	r.mu.Unlock()
	for len(open) < killLive && !c.final {
		open = append(open, nil)
	}
	for i, iv := range open {
		owner := i % 2
		if iv != nil {
			owner = iv.owner
		}
		rng := rand.New(rand.NewPCG(r.rng.Uint64(), r.rng.Uint64()))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.driver(ctx, c, iv, owner, rng); err != nil {
				r.t.Errorf("seed %d, process %d: %v", r.seed, c.n, err)
			}
		}()
	}
}

// driver drives iv, or a new interview of owner when iv is nil, until the
// process is killed; whenever its interview completes it starts another,
// except on the final process.
func (r *killRun) driver(ctx context.Context, c *kcCycle, iv *kcInterview, owner int, rng *rand.Rand) error {
	for {
		if iv == nil {
			var err error
			if iv, err = r.create(ctx, c, owner, rng); err != nil || iv == nil {
				return err
			}
		}
		if err := r.session(ctx, c, iv, rng); err != nil {
			return fmt.Errorf("interview %s: %w", iv.id, err)
		}
		if !iv.done.Load() || c.final || c.killed.Load() {
			return nil
		}
		r.completed.Add(1)
		iv = nil
	}
}

// create plans a new interview for owner, with a random role, level and
// number of principles. It returns nil, and no error, when the process
// was killed meanwhile.
func (r *killRun) create(ctx context.Context, c *kcCycle, owner int, rng *rand.Rand) (*kcInterview, error) {
	n := 1 + rng.IntN(3)
	req := agent.CreateRequest{Role: string(agent.Roles[rng.IntN(len(agent.Roles))]),
		Level: "L" + strconv.Itoa(4+rng.IntN(5)), PrincipleCount: &n}
	cr, err := c.clients[owner].CreateInterview(ctx, req)
	if err != nil {
		return nil, c.lost(fmt.Errorf("create %+v: %w", req, err))
	}
	iv := &kcInterview{id: cr.ID, owner: owner, sent: map[string]string{}, acked: map[string]int{}, asked: map[int]agent.Turn{}}
	r.mu.Lock()
	r.ivs = append(r.ivs, iv)
	r.mu.Unlock()
	return iv, nil
}

// session is one WebSocket connection to iv: it resumes the interview,
// checks what the server kept, resends the answer left unacknowledged by
// the last kill with its client id, and answers questions until the
// interview completes or the process dies.
func (r *killRun) session(ctx context.Context, c *kcCycle, iv *kcInterview, rng *rand.Rand) error {
	conn, err := c.clients[iv.owner].Dial(ctx, iv.id)
	if err != nil {
		return c.lost(fmt.Errorf("dial: %w", err))
	}
	defer conn.CloseNow()
	iv.conn.Store(conn)
	defer iv.conn.Store(nil)

	f, err := conn.Recv(ctx)
	if err != nil {
		return c.lost(fmt.Errorf("read the session: %w", err))
	}
	if f.Type != brclient.FrameSession || f.Interview == nil {
		return fmt.Errorf("first frame %+v, want the session", f)
	}
	s := f.Interview
	if err := iv.verify(s); err != nil {
		return fmt.Errorf("on reconnect: %w", err)
	}
	if s.Status == agent.StatusComplete {
		iv.graded(s.Debrief)
		iv.done.Store(true)
		return nil
	}
	// An answer sent but never acknowledged may have been stored; if it
	// was, its resend must be acknowledged with the seq it is stored at.
	wantSeq := 0
	if iv.pending != "" {
		if tn, ok := s.TurnByClientID(iv.pending); ok {
			wantSeq = tn.Seq
		}
	}
	if iv.ending.Load() {
		if err := conn.End(ctx); err != nil {
			return c.lost(fmt.Errorf("end: %w", err))
		}
	}
	first := true
	for {
		f, err := conn.Recv(ctx)
		if err != nil {
			if iv.done.Load() && brclient.CloseStatus(err) == brclient.StatusNormal {
				return nil
			}
			return c.lost(fmt.Errorf("read: %w", err))
		}
		switch f.Type {
		case brclient.FrameQuestion:
			q := *f.Turn
			if prev, ok := iv.asked[q.Seq]; ok && (prev.Text != q.Text || prev.Kind != q.Kind) {
				return fmt.Errorf("two questions for slot %d: %q, then %q", q.Seq, prev.Text, q.Text)
			}
			iv.asked[q.Seq] = q
			if first {
				// On reconnect the pending question is sent again as it
				// is stored, or a new one is asked in the next slot.
				first = false
				if p, ok := s.Pending(); ok && (q.Seq != p.Seq || q.Text != p.Text) {
					return fmt.Errorf("on reconnect the question sent is %d %q, but %d %q is pending", q.Seq, q.Text, p.Seq, p.Text)
				} else if !ok && q.Seq != s.LastSeq()+1 {
					return fmt.Errorf("on reconnect a question is asked at seq %d after %d turns", q.Seq, s.LastSeq())
				}
			}
			if iv.ending.Load() {
				continue
			}
			if iv.pending == "" {
				iv.pending = iv.newAnswer(rng)
			} else {
				r.resent.Add(1)
				if wantSeq != 0 {
					r.resentStored.Add(1)
				}
			}
			if err := conn.Answer(ctx, iv.sent[iv.pending], iv.pending); err != nil {
				return c.lost(fmt.Errorf("answer: %w", err))
			}
		case brclient.FrameAck:
			if f.ClientID == "" || f.ClientID != iv.pending {
				return fmt.Errorf("ack %+v, but the answer waiting for one is %q", f, iv.pending)
			}
			if wantSeq != 0 && f.Seq != wantSeq {
				return fmt.Errorf("the resent answer %q is acked as seq %d, but it was stored at %d", f.ClientID, f.Seq, wantSeq)
			}
			iv.acked[f.ClientID] = f.Seq
			iv.pending, wantSeq = "", 0
			r.acked.Add(1)
		case brclient.FrameGrading, brclient.FrameQuestionDelta:
		case brclient.FrameDebrief:
			if f.Debrief == nil {
				return fmt.Errorf("a debrief frame without a debrief")
			}
			iv.graded(f.Debrief)
			iv.done.Store(true)
		default:
			return fmt.Errorf("unexpected frame %+v", f)
		}
	}
}

// kcInterview is what the test knows of one interview. Its driver alone
// touches the plain fields while a process runs; the main goroutine reads
// them only after every driver has returned.
type kcInterview struct {
	id    string
	owner int
	n     int               // answers written so far
	sent  map[string]string // client id → text, every answer ever sent
	acked map[string]int    // client id → seq, from ack frames
	asked map[int]agent.Turn
	// pending is the client id of the answer sent and not acknowledged
	// yet, at most one at a time; "" when there is none.
	pending string
	// debrief is the first debrief the server showed: every later look
	// must find the same one, not a second grading.
	debrief *agent.Debrief

	// ending is set once the test has asked to end the interview; it is
	// ended again on every reconnect until done is set, by a debrief or a
	// complete session.
	ending, done atomic.Bool
	conn         atomic.Pointer[brclient.Conn]
}

// end asks the server to finish the interview now, on its open
// connection if it has one, else on the next.
func (iv *kcInterview) end(ctx context.Context) {
	iv.ending.Store(true)
	if conn := iv.conn.Load(); conn != nil {
		_ = conn.End(ctx) // a connection already gone ends it on the next one
	}
}

// graded records the first debrief the server showed.
func (iv *kcInterview) graded(d *agent.Debrief) {
	if iv.debrief == nil {
		iv.debrief = d
	}
}

// answerTexts are the kinds of answers sent, each then made unique by its
// client id: a strong story, a vague one, one near the length limit and
// one in several scripts, so that a torn or re-encoded write shows.
var answerTexts = []string{
	strongAnswer,
	vagueAnswer,
	strings.Repeat(strongAnswer+" ", 11),
	"Während der Migration ging das Lager offline — 東京のチームと一緒に、I rolled back within the hour and wrote the runbook. ✓",
}

// newAnswer writes the next answer, records it as sent and returns its
// client id.
func (iv *kcInterview) newAnswer(rng *rand.Rand) string {
	iv.n++
	cid := fmt.Sprintf("%s-%d", iv.id[:8], iv.n)
	text := answerTexts[rng.IntN(len(answerTexts))] + " (" + cid + ")"
	iv.sent[cid] = text
	return cid
}

// verify checks a transcript the server returned against its shape and
// against everything the test knows of the interview, and returns the
// first problem.
func (iv *kcInterview) verify(s *agent.Interview) error {
	if err := checkTranscriptShape(s); err != nil {
		return err
	}
	for _, tn := range s.Turns {
		if q, ok := iv.asked[tn.Seq]; ok && tn.Speaker == agent.SpeakerInterviewer &&
			(q.Text != tn.Text || q.Kind != tn.Kind || q.Principle != tn.Principle) {
			return fmt.Errorf("question %d was sent as %q but is stored as %q", tn.Seq, q.Text, tn.Text)
		}
	}
	if err := checkAnswersStoredOnce(s, iv.sent, iv.acked); err != nil {
		return err
	}
	for seq, q := range iv.asked {
		if seq > len(s.Turns) || s.Turns[seq-1].Speaker != agent.SpeakerInterviewer {
			return fmt.Errorf("question %d %q was sent but is not stored", seq, q.Text)
		}
	}
	if d := iv.debrief; d != nil && (s.Debrief == nil || !s.Debrief.CreatedAt.Equal(d.CreatedAt) || s.Debrief.Recommendation != d.Recommendation) {
		return fmt.Errorf("the debrief of %s (%s) is now %+v: graded twice, or lost", d.CreatedAt, d.Recommendation, s.Debrief)
	}
	return nil
}

// checkTranscriptShape checks what holds of any interview the server
// shows after a restart: seqs count from 1 without gaps; questions and
// answers alternate, starting with a question, so that no answer lacks its
// question and no slot holds two questions; no text is empty; each answer
// names the principle and follow-up of its question; a complete interview
// has a debrief for every planned principle, and none is left in grading.
func checkTranscriptShape(s *agent.Interview) error {
	for i, tn := range s.Turns {
		if tn.Seq != i+1 {
			return fmt.Errorf("turn %d has seq %d: seqs are not contiguous", i+1, tn.Seq)
		}
		if strings.TrimSpace(tn.Text) == "" || !utf8.ValidString(tn.Text) {
			return fmt.Errorf("turn %d has no valid text: %q", tn.Seq, tn.Text)
		}
		if i%2 == 0 {
			if tn.Speaker != agent.SpeakerInterviewer || (tn.Kind != agent.KindOpening && tn.Kind != agent.KindFollowUp) {
				return fmt.Errorf("turn %d is a %s %s where a question belongs", tn.Seq, tn.Speaker, tn.Kind)
			}
			continue
		}
		q := s.Turns[i-1]
		if tn.Speaker != agent.SpeakerCandidate || tn.Kind != agent.KindAnswer {
			return fmt.Errorf("turn %d is a %s %s where the answer to question %d belongs", tn.Seq, tn.Speaker, tn.Kind, q.Seq)
		}
		if tn.Principle != q.Principle || tn.FollowUp != q.FollowUp {
			return fmt.Errorf("answer %d is filed under %s/%d, its question under %s/%d", tn.Seq, tn.Principle, tn.FollowUp, q.Principle, q.FollowUp)
		}
	}
	switch s.Status {
	case agent.StatusInProgress:
		if s.Debrief != nil {
			return fmt.Errorf("in progress with a debrief")
		}
	case agent.StatusComplete:
		if s.Debrief == nil || s.Debrief.Recommendation == "" || len(s.Debrief.Principles) != len(s.Principles) {
			return fmt.Errorf("complete with debrief %+v for %d principles", s.Debrief, len(s.Principles))
		}
	default:
		return fmt.Errorf("%s after a restart: Recover should have graded it before the server listened", s.Status)
	}
	return nil
}

// recovered counts the interviews the processes graded at start. An
// interview graded so is complete before the server listens, hence before
// any kill: finding it in grading at a later start would mean that its
// debrief was lost.
func (r *killRun) recovered() int {
	lines := r.logLines(recoveredLog)
	seen := map[string]bool{}
	for _, line := range lines {
		_, id, _ := strings.Cut(line, "interview=")
		id, _, _ = strings.Cut(id, " ")
		if seen[id] {
			r.t.Errorf("seed %d: interview %s was left in grading by two processes: its debrief was not kept", r.seed, id)
		}
		seen[id] = true
	}
	return len(lines)
}

// logLines returns the lines of the servers' logs that contain s.
func (r *killRun) logLines(s string) []string {
	b, err := os.ReadFile(r.logs.Name())
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for line := range strings.Lines(string(b)) {
		if strings.Contains(line, s) {
			out = append(out, strings.TrimSuffix(line, "\n"))
		}
	}
	return out
}

// startCrashable runs `barraiser serve` with env as its whole
// environment, so that nothing of the test's own (such as an OpenAI key)
// reaches it, and its stderr going to logs. It returns once the server
// has printed its address and answers /healthz.
func startCrashable(t *testing.T, env []string, logs *os.File) *process {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stderr = logs
	w := &urlWatcher{found: make(chan string, 1)}
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd}
	t.Cleanup(p.kill)
	select {
	case p.url = <-w.found:
	case <-time.After(30 * time.Second):
		t.Fatal("the server process did not start within 30 seconds")
	}
	resp, err := http.Get(p.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz = %d", resp.StatusCode)
	}
	return p
}

// urlWatcher is a process's stdout: it sends the URL the server prints
// once it listens on found.
type urlWatcher struct {
	mu    sync.Mutex
	buf   []byte
	found chan string
	sent  bool
}

// Write looks for the line that announces the URL.
func (w *urlWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if u, ok := strings.CutPrefix(line, "Bar Raiser is running at "); ok {
			w.found <- u
			w.sent = true
			w.buf = nil
			return len(p), nil
		}
	}
}

// checkAnswersStoredOnce checks the answers of a stored interview against
// those a client sent (text by client id) and those acked (seq by client
// id): every stored answer was sent, with the same text, and stored once,
// and every acked one is stored at the seq of its ack.
func checkAnswersStoredOnce(iv *agent.Interview, sent map[string]string, acked map[string]int) error {
	stored := map[string]int{}
	for _, tn := range iv.Turns {
		if tn.Speaker != agent.SpeakerCandidate {
			continue
		}
		text, ok := sent[tn.ClientID]
		switch {
		case !ok:
			return fmt.Errorf("answer %d has client id %q, which was never sent", tn.Seq, tn.ClientID)
		case tn.Text != text:
			return fmt.Errorf("answer %d (%s) is stored as %d bytes that differ from the %d sent", tn.Seq, tn.ClientID, len(tn.Text), len(text))
		case stored[tn.ClientID] != 0:
			return fmt.Errorf("answer %s is stored twice, at %d and %d", tn.ClientID, stored[tn.ClientID], tn.Seq)
		}
		stored[tn.ClientID] = tn.Seq
	}
	for cid, seq := range acked {
		if stored[cid] != seq {
			return fmt.Errorf("answer %s was acked as seq %d but is stored at %d (0: not at all)", cid, seq, stored[cid])
		}
	}
	return nil
}
