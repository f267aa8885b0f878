package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// commitLog records what ObserveCommit is told.
type commitLog struct {
	mu  sync.Mutex
	ops []int
}

// observe is an Options.ObserveCommit.
func (l *commitLog) observe(ops int, _ time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, ops)
}

// batches returns the op count of every commit so far.
func (l *commitLog) batches() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int(nil), l.ops...)
}

// createInterviews stores interviews with the given ids, in progress.
func createInterviews(t testing.TB, db *DB, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := db.CreateInterview(context.Background(), &agent.Interview{ID: id, OwnerID: "alice",
			Role: agent.RoleSDE, Level: "L5", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
}

// answerTurn is a candidate turn at seq with a client id.
func answerTurn(seq int, clientID string) agent.Turn {
	return agent.Turn{Seq: seq, Speaker: agent.SpeakerCandidate, Kind: agent.KindAnswer, Principle: "ownership",
		Text: "I owned it.", ClientID: clientID}
}

// block keeps the committer busy with a write that holds its transaction
// open until the returned function is called. It returns once that write
// is running, so that every write queued after it waits in the queue and
// goes into the next batch together.
func block(t *testing.T, db *DB) (release func()) {
	t.Helper()
	started, stop := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.commit(context.Background(), func(context.Context, *cachedTx) error {
			close(started)
			<-stop
			return nil
		}, false)
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the blocking write never started")
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(stop)
			if err := <-errc; err != nil {
				t.Errorf("blocking write: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// waitQueued waits until n writes wait in the committer's queue.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(db.c.queue) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", len(db.c.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCommitterConcurrentAppends has many goroutines race to append turns
// to a few interviews, retrying on conflict, and checks after reopening the
// database that every acknowledged turn is stored exactly once, at the seq
// it was acknowledged with, and that nothing else is.
func TestCommitterConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var log commitLog
	db, err := Open(ctx, dir, Options{ObserveCommit: log.observe})
	if err != nil {
		t.Fatal(err)
	}
	const (
		interviews = 30
		writers    = 3 // per interview
		turns      = 4 // per writer
	)
	var ids []string
	for i := range interviews {
		ids = append(ids, fmt.Sprintf("iv-%d", i))
	}
	createInterviews(t, db, ids...)

	type ack struct {
		id, clientID string
		seq          int
	}
	var (
		mu    sync.Mutex
		acked []ack
		wg    sync.WaitGroup
	)
	for _, id := range ids {
		for w := range writers {
			wg.Go(func() {
				for n := range turns {
					clientID := fmt.Sprintf("w%d-t%d", w, n)
					for {
						iv, err := db.Interview(ctx, "", id)
						if err != nil {
							t.Error(err)
							return
						}
						stored, created, err := agent.AppendTurn(ctx, db, id, 0, answerTurn(iv.LastSeq()+1, clientID))
						if agent.ErrorCode(err) == agent.ECONFLICT {
							continue // another writer took that seq
						} else if err != nil {
							t.Errorf("AppendTurn %s %s: %v", id, clientID, err)
							return
						} else if !created {
							t.Errorf("AppendTurn %s %s: not created", id, clientID)
						}
						mu.Lock()
						acked = append(acked, ack{id, clientID, stored.Seq})
						mu.Unlock()
						break
					}
				}
			})
		}
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if t.Failed() {
		return
	}

	db, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if want := interviews * writers * turns; len(acked) != want {
		t.Fatalf("%d turns acknowledged, want %d", len(acked), want)
	}
	byID := map[string]map[string]int{} // interview → client id → seq
	for _, a := range acked {
		if byID[a.id] == nil {
			byID[a.id] = map[string]int{}
		}
		byID[a.id][a.clientID] = a.seq
	}
	for _, id := range ids {
		iv, err := db.Interview(ctx, "", id)
		if err != nil {
			t.Fatal(err)
		}
		if len(iv.Turns) != writers*turns {
			t.Errorf("%s has %d turns after reopening, want %d", id, len(iv.Turns), writers*turns)
		}
		seen := map[string]bool{}
		for i, turn := range iv.Turns {
			if turn.Seq != i+1 {
				t.Errorf("%s: turn %d has seq %d", id, i, turn.Seq)
			}
			if seen[turn.ClientID] {
				t.Errorf("%s: client id %s stored twice", id, turn.ClientID)
			}
			seen[turn.ClientID] = true
			if seq, ok := byID[id][turn.ClientID]; !ok || seq != turn.Seq {
				t.Errorf("%s: stored %s at %d, acknowledged at %d (acknowledged: %v)", id, turn.ClientID, turn.Seq, seq, ok)
			}
		}
	}
	batches, ops := log.batches(), 0
	for _, n := range batches {
		ops += n
	}
	t.Logf("%d writes ran in %d commits", ops, len(batches))
}

// TestCommitterBatchIsolatesFailures queues writes that fail their checks
// among writes that pass, all into one batch, and checks that only the
// failing ones are rolled back, each with its own error.
func TestCommitterBatchIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	var log commitLog
	db := openTest(t, Options{ObserveCommit: log.observe})
	createInterviews(t, db, "a", "b", "c", "d")
	stale, err := db.Claim(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	current, err := db.Claim(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := agent.AppendTurn(ctx, db, "d", 0, answerTurn(1, "first")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		write func() error
		code  string // "" for success
	}{
		{"superseded generation", func() error {
			_, _, err := agent.AppendTurn(ctx, db, "a", stale, answerTurn(1, "old"))
			return err
		}, agent.ESUPERSEDED},
		{"current generation", func() error {
			_, _, err := agent.AppendTurn(ctx, db, "a", current, answerTurn(1, "new"))
			return err
		}, ""},
		{"next seq", func() error {
			_, _, err := agent.AppendTurn(ctx, db, "b", 0, answerTurn(1, "b1"))
			return err
		}, ""},
		{"seq not next", func() error {
			_, _, err := agent.AppendTurn(ctx, db, "c", 0, answerTurn(5, "c5"))
			return err
		}, agent.ECONFLICT},
		{"unknown interview", func() error {
			_, _, err := agent.AppendTurn(ctx, db, "nope", 0, answerTurn(1, "x"))
			return err
		}, agent.ENOTFOUND},
		{"status change", func() error {
			return db.SetStatus(ctx, "d", 0, agent.StatusInProgress, agent.StatusGrading)
		}, ""},
		{"usage", func() error { return db.AddUsage(ctx, "b", agent.Usage{PromptTokens: 7}) }, ""},
		{"panic", func() error {
			return db.commit(ctx, func(context.Context, *cachedTx) error { panic("boom") }, false)
		}, agent.EINTERNAL},
	}

	release := block(t, db)
	errs := make([]error, len(tests))
	var wg sync.WaitGroup
	for i, tt := range tests {
		wg.Go(func() { errs[i] = tt.write() })
	}
	waitQueued(t, db, len(tests))
	before := len(log.batches())
	release()
	wg.Wait()

	for i, tt := range tests {
		if got := agent.ErrorCode(errs[i]); got != tt.code {
			t.Errorf("%s: code %q (%v), want %q", tt.name, got, errs[i], tt.code)
		}
	}
	// The blocking write commits alone, then everything queued behind it
	// together: the first write to fail is answered and the transaction
	// rolled back, and the others run again in one transaction, each in a
	// savepoint, the later failures included.
	if got := log.batches()[before:]; len(got) != 2 || got[0] != 1 || got[1] != len(tests)-1 {
		t.Errorf("commits after release ran %v writes, want [1 %d]", got, len(tests)-1)
	}
	for _, c := range []struct {
		id      string
		clients []string
		status  agent.Status
		prompt  int
	}{
		{"a", []string{"new"}, agent.StatusInProgress, 0},
		{"b", []string{"b1"}, agent.StatusInProgress, 7},
		{"c", nil, agent.StatusInProgress, 0},
		{"d", []string{"first"}, agent.StatusGrading, 0},
	} {
		iv, err := db.Interview(ctx, "", c.id)
		if err != nil {
			t.Fatal(err)
		}
		var clients []string
		for _, turn := range iv.Turns {
			clients = append(clients, turn.ClientID)
		}
		if strings.Join(clients, ",") != strings.Join(c.clients, ",") || iv.Status != c.status ||
			iv.Usage.PromptTokens != c.prompt {
			t.Errorf("%s: turns %v, %s, %d prompt tokens; want %v, %s, %d",
				c.id, clients, iv.Status, iv.Usage.PromptTokens, c.clients, c.status, c.prompt)
		}
	}
}

// TestCommitterCommitFails makes COMMIT itself fail, with a foreign key
// check deferred to it, and checks that every write of the batch gets an
// error, that none of them is stored, and that the next write succeeds.
func TestCommitterCommitFails(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	createInterviews(t, db, "a")
	orphan := func(ctx context.Context, tx *cachedTx) error {
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO turns (interview_id, seq, speaker, kind, principle, follow_up,
				probe, text, client_id, at)
			VALUES ('missing', 1, 'candidate', 'answer', '', 0, '', 'x', '', ?)`, fmtTime(time.Now()))
		return err
	}

	release := block(t, db)
	var orphanErr, turnErr error
	var wg sync.WaitGroup
	wg.Go(func() { orphanErr = db.commit(ctx, orphan, false) })
	wg.Go(func() { _, _, turnErr = agent.AppendTurn(ctx, db, "a", 0, answerTurn(1, "lost")) })
	waitQueued(t, db, 2)
	release()
	wg.Wait()
	for name, err := range map[string]error{"orphan": orphanErr, "turn": turnErr} {
		if err == nil || !strings.Contains(err.Error(), "commit") {
			t.Errorf("%s: %v, want a failed commit", name, err)
		}
	}
	iv, err := db.Interview(ctx, "", "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(iv.Turns) != 0 {
		t.Errorf("turns %+v stored by a batch whose commit failed", iv.Turns)
	}
	if _, _, err := agent.AppendTurn(ctx, db, "a", 0, answerTurn(1, "kept")); err != nil {
		t.Errorf("AppendTurn after a failed commit: %v", err)
	}
}

// TestCommitterQueueFull fills the queue and checks that a turn write is
// refused at once with EBUSY and a RetryAfter, storing nothing, that usage
// waits for room instead, and that reads go on meanwhile.
func TestCommitterQueueFull(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{WriteQueue: 2})
	createInterviews(t, db, "a", "b", "c")

	release := block(t, db)
	var errs [3]error
	var wg sync.WaitGroup
	wg.Go(func() { _, _, errs[0] = agent.AppendTurn(ctx, db, "a", 0, answerTurn(1, "a1")) })
	wg.Go(func() { _, _, errs[1] = agent.AppendTurn(ctx, db, "b", 0, answerTurn(1, "b1")) })
	waitQueued(t, db, 2)

	_, _, err := agent.AppendTurn(ctx, db, "c", 0, answerTurn(1, "c1"))
	if agent.ErrorCode(err) != agent.EBUSY || agent.ErrorRetryAfter(err) != BusyRetryAfter {
		t.Errorf("AppendTurn on a full queue: %v (retry after %v), want %s after %v",
			err, agent.ErrorRetryAfter(err), agent.EBUSY, BusyRetryAfter)
	}
	if err := db.SetStatus(ctx, "c", 0, agent.StatusInProgress, agent.StatusGrading); agent.ErrorCode(err) != agent.EBUSY {
		t.Errorf("SetStatus on a full queue: %v, want %s", err, agent.EBUSY)
	}
	wg.Go(func() { errs[2] = db.AddUsage(ctx, "c", agent.Usage{CompletionTokens: 3}) })

	// Reads do not wait for the queue.
	readCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := db.Interview(readCtx, "", "a"); err != nil {
		t.Errorf("read while the queue is full: %v", err)
	}

	release()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("queued write %d: %v", i, err)
		}
	}
	iv, err := db.Interview(ctx, "", "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(iv.Turns) != 0 || iv.Status != agent.StatusInProgress || iv.Usage.CompletionTokens != 3 {
		t.Errorf("c after the refusals: %d turns, %s, %d completion tokens; want 0, in_progress, 3",
			len(iv.Turns), iv.Status, iv.Usage.CompletionTokens)
	}
}

// TestCommitterCancel checks both sides of a cancelled context: a write
// cancelled while queued returns the context's error at once and is never
// stored, while one cancelled after it started is stored and reported so.
func TestCommitterCancel(t *testing.T) {
	ctx := context.Background()
	var log commitLog
	db := openTest(t, Options{ObserveCommit: log.observe})
	createInterviews(t, db, "a", "b")

	t.Run("while queued", func(t *testing.T) {
		release := block(t, db)
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() {
			_, _, err := agent.AppendTurn(cctx, db, "a", 0, answerTurn(1, "gone"))
			errc <- err
		}()
		waitQueued(t, db, 1)
		cancel()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled AppendTurn: %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a write cancelled while queued waited for the committer")
		}
		before := len(log.batches())
		release()
		// The next write commits alone: the cancelled one was skipped.
		if _, _, err := agent.AppendTurn(ctx, db, "b", 0, answerTurn(1, "b1")); err != nil {
			t.Fatal(err)
		}
		if got := log.batches()[before:]; len(got) != 2 || got[0] != 1 || got[1] != 1 {
			t.Errorf("commits after the cancel ran %v writes, want [1 1]", got)
		}
		iv, err := db.Interview(ctx, "", "a")
		if err != nil {
			t.Fatal(err)
		}
		if len(iv.Turns) != 0 {
			t.Errorf("a write cancelled while queued was stored: %+v", iv.Turns)
		}
	})

	t.Run("once started", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		started := make(chan struct{})
		errc := make(chan error, 1)
		go func() {
			errc <- db.commit(cctx, func(ctx context.Context, tx *cachedTx) error {
				close(started)
				<-cctx.Done() // the caller's context ends while the write runs
				_, err := tx.ExecContext(ctx, `UPDATE interviews SET completion_tokens = 11 WHERE id = 'a'`)
				return err
			}, false)
		}()
		<-started
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("write cancelled after it started: %v, want it committed", err)
		}
		iv, err := db.Interview(ctx, "", "a")
		if err != nil {
			t.Fatal(err)
		}
		if iv.Usage.CompletionTokens != 11 {
			t.Errorf("completion tokens %d, want 11: the started write was not stored", iv.Usage.CompletionTokens)
		}
	})
}

// TestCommitterClose checks that Close commits what is queued and that
// writes after it fail.
func TestCommitterClose(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	createInterviews(t, db, "a")
	release := block(t, db)
	errc := make(chan error, 1)
	go func() {
		_, _, err := agent.AppendTurn(ctx, db, "a", 0, answerTurn(1, "queued"))
		errc <- err
	}()
	waitQueued(t, db, 1)
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Errorf("write queued before Close: %v", err)
	}
	if _, _, err := agent.AppendTurn(ctx, db, "a", 0, answerTurn(2, "late")); !errors.Is(err, errClosed) {
		t.Errorf("AppendTurn after Close: %v, want %v", err, errClosed)
	}

	db, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	iv, err := db.Interview(ctx, "", "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(iv.Turns) != 1 || iv.Turns[0].ClientID != "queued" {
		t.Errorf("turns after reopening %+v, want the one queued before Close", iv.Turns)
	}
}

// countCommits has opts count the committer's commits in n, for the
// benchmarks, and reports that it can.
func countCommits(opts *Options, n *atomic.Int64) bool {
	opts.ObserveCommit = func(int, time.Duration) { n.Add(1) }
	return true
}
