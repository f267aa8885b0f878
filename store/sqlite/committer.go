package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// DefaultWriteQueue is how many writes may wait for the committer when
// Options.WriteQueue is 0.
const DefaultWriteQueue = 1024

// BusyRetryAfter is the wait an EBUSY refusal suggests to its caller.
const BusyRetryAfter = time.Second

// errClosed is returned by writes made after Close.
var errClosed = errors.New("sqlite: the store is closed")

// The states of a queued write. An op leaves opQueued once, for opStarted
// or opCancelled, and the side whose compare-and-swap wins decides: the
// committer (started: it runs, and its caller waits for the outcome) or a
// caller giving up (cancelled: it never runs).
const (
	opQueued int32 = iota
	opStarted
	opCancelled
)

// opFunc is one write, run inside the batch's transaction. ctx carries
// the caller's values but is never cancelled: an interrupted statement
// would roll back the whole batch, other callers' writes included.
type opFunc func(ctx context.Context, tx *cachedTx) error

// writeOp is a write waiting in the committer's queue.
type writeOp struct {
	ctx   context.Context
	fn    opFunc
	state atomic.Int32
	done  chan error // buffered: the committer never waits on a caller
}

// committer is the one goroutine that runs the writes every interview
// makes (see the package documentation). It takes whatever is queued when
// it is free, with no timer, and runs it all in one transaction: one
// COMMIT, hence one fsync, for the lot. A single client therefore waits no
// longer than before, while writes that pile up behind a commit in flight
// share the next one.
//
// An op that fails is answered with its own error and nothing of it is
// kept, while the others go on (batch says how). Callers hear back only after COMMIT has returned, so a nil error
// means the write is durable (synchronous=FULL in WAL mode); if COMMIT
// fails, every op of the batch gets an error and none of them is stored.
type committer struct {
	w       *sql.DB
	cache   *stmtCache // w's
	queue   chan *writeOp
	observe func(ops int, d time.Duration)
	quit    chan struct{} // closed by stop
	stopper sync.Once
	stopped chan struct{} // closed when run returns
}

// newCommitter starts the committer of the writer pool w with room for
// size waiting writes.
func newCommitter(w *sql.DB, cache *stmtCache, size int, observe func(int, time.Duration)) *committer {
	if size <= 0 {
		size = DefaultWriteQueue
	}
	c := &committer{
		w:       w,
		cache:   cache,
		queue:   make(chan *writeOp, size),
		observe: observe,
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go c.run()
	return c
}

// stop commits what is already queued, then ends the committer; writes
// that arrive later fail. It returns once the committer has ended.
func (c *committer) stop() {
	c.stopper.Do(func() { close(c.quit) })
	<-c.stopped
}

// do queues fn and waits for its outcome, which is one of:
//
//   - nil: fn succeeded and its batch is committed and durable;
//   - fn's own error: fn failed and nothing it did was kept;
//   - an error wrapping ctx.Err(): ctx ended while fn was still queued,
//     and fn will never run;
//   - an EBUSY *agent.Error with RetryAfter set, when the queue is full
//     and wait is false: fn was not queued;
//   - any other error: the batch could not begin or commit, and nothing
//     of fn was stored.
//
// Once the committer has started fn, do waits for the commit even if ctx
// ends meanwhile, so that a caller is never told "cancelled" about a write
// that was stored. With wait, a full queue makes do wait for room (or for
// ctx) instead of refusing.
func (c *committer) do(ctx context.Context, fn opFunc, wait bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: write not started: %w", err)
	}
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-c.stopped:
		return errClosed
	default:
	}
	select {
	case c.queue <- op:
	default:
		if !wait {
			e := agent.Errorf(agent.EBUSY, "The server is busy saving other writes, and nothing was saved. Try again shortly.")
			e.RetryAfter = BusyRetryAfter
			return e
		}
		select {
		case c.queue <- op:
		case <-ctx.Done():
			return fmt.Errorf("sqlite: write not started: %w", ctx.Err())
		case <-c.stopped:
			return errClosed
		}
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		if op.state.CompareAndSwap(opQueued, opCancelled) {
			return fmt.Errorf("sqlite: write not started: %w", ctx.Err())
		}
	case <-c.stopped:
		if op.state.CompareAndSwap(opQueued, opCancelled) {
			return errClosed
		}
	}
	return <-op.done // started: its outcome is on the way
}

// run is the committer's goroutine.
func (c *committer) run() {
	defer close(c.stopped)
	for {
		select {
		case op := <-c.queue:
			c.commit(c.take([]*writeOp{op}))
		case <-c.quit:
			for len(c.queue) > 0 {
				c.commit(c.take(nil))
			}
			return
		}
	}
}

// take appends to ops every op waiting in the queue right now, stopping
// at a queue's worth so that writers who keep coming cannot make one
// transaction grow without end.
func (c *committer) take(ops []*writeOp) []*writeOp {
	for len(ops) < cap(c.queue) {
		select {
		case op := <-c.queue:
			ops = append(ops, op)
		default:
			return ops
		}
	}
	return ops
}

// commit runs ops, in as many transactions as it takes, and answers each.
func (c *committer) commit(ops []*writeOp) {
	savepoints := false
	for len(ops) > 0 {
		ops, savepoints = c.batch(ops, savepoints)
	}
}

// batch runs ops in one transaction and answers each of them, returning
// the ops left for a transaction of their own and whether that one must
// use savepoints.
//
// A batch runs its ops one after another with no savepoint at first,
// which saves two statements an op on the one goroutine every write waits
// for. When one of them fails, the transaction is rolled back, that op is
// answered with its error, and the ops run before it (not yet answered,
// since nothing was committed) go again with the rest, this time each of
// several inside a savepoint: one that fails there is rolled back to it
// alone. When the transaction itself fails midway there, batch answers the
// ops run so far and returns the ones not yet started.
func (c *committer) batch(ops []*writeOp, savepoints bool) (rest []*writeOp, restSavepoints bool) {
	ctx := context.Background()
	conn, err := c.w.Conn(ctx)
	if err != nil {
		c.fail(ops, fmt.Errorf("sqlite: begin: %w", err))
		return nil, false
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		c.fail(c.take(ops), fmt.Errorf("sqlite: begin: %w", err))
		return nil, false
	}
	tx := &cachedTx{Tx: sqlTx, cache: c.cache}
	// Writes that queued while BEGIN waited for the lock join this batch.
	ops = c.take(ops)
	start := time.Now()
	var ran, ok []*writeOp
	single := len(ops) == 1
	for i, op := range ops {
		// An op already started is one run again after a rolled-back
		// attempt; only a queued one can have been given up.
		if !op.state.CompareAndSwap(opQueued, opStarted) && op.state.Load() != opStarted {
			continue // its caller gave up before it started
		}
		ran = append(ran, op)
		if !savepoints || single {
			if err := call(op, tx); err != nil {
				tx.Rollback()
				op.done <- err
				return append(ok, ops[i+1:]...), true
			}
			ok = append(ok, op)
			continue
		}
		if err := c.savepoint(ctx, op, tx); err != nil {
			var lost *lostError
			if !errors.As(err, &lost) {
				op.done <- err // rolled back to its savepoint; the rest go on
				continue
			}
			// The transaction is gone, and with it every write of the
			// batch so far; the ops not yet started get a fresh one.
			tx.Rollback()
			op.done <- lost.opErr
			failed := fmt.Errorf("sqlite: a batch of %d writes was rolled back: %w", len(ran), lost.err)
			for _, o := range ok {
				o.done <- failed
			}
			return ops[i+1:], true
		}
		ok = append(ok, op)
	}
	if len(ran) == 0 {
		tx.Rollback()
		return nil, false
	}
	if err := tx.Commit(); err != nil {
		// A COMMIT refused by a deferred constraint, or by SQLITE_BUSY,
		// leaves the transaction open on the connection; end it, or the
		// next BEGIN on the connection would fail.
		conn.ExecContext(ctx, `ROLLBACK`)
		err = fmt.Errorf("sqlite: commit of a batch of %d writes failed, none of them was stored: %w", len(ran), err)
		for _, op := range ok {
			op.done <- err
		}
		return nil, false
	}
	if c.observe != nil {
		c.observe(len(ran), time.Since(start))
	}
	for _, op := range ok {
		op.done <- nil
	}
	return nil, false
}

// fail answers err to every op of ops that has not been cancelled: those
// still queued, and those started but left to run again (batch passes on
// no op it has answered).
func (c *committer) fail(ops []*writeOp, err error) {
	for _, op := range ops {
		if op.state.CompareAndSwap(opQueued, opStarted) || op.state.Load() == opStarted {
			op.done <- err
		}
	}
}

// lostError reports that the batch's transaction can no longer be used:
// err is why, opErr what the op that found out gets.
type lostError struct {
	opErr, err error
}

// Error implements the error interface.
func (e *lostError) Error() string { return e.err.Error() }

// The statements around each op of a batch of several.
const (
	qSavepoint  = `SAVEPOINT op`
	qRollbackTo = `ROLLBACK TO op`
	qRelease    = `RELEASE op`
)

// savepoint runs op inside a savepoint of tx. When op fails it rolls tx
// back to the savepoint and returns op's error; a *lostError means that
// the transaction itself failed and is no longer usable.
func (c *committer) savepoint(ctx context.Context, op *writeOp, tx *cachedTx) error {
	if _, err := tx.ExecContext(ctx, qSavepoint); err != nil {
		err = fmt.Errorf("sqlite: savepoint: %w", err)
		return &lostError{opErr: err, err: err}
	}
	if opErr := call(op, tx); opErr != nil {
		// Some failures (a full disk, say) end the whole transaction,
		// which leaves no savepoint to roll back to.
		if _, err := tx.ExecContext(ctx, qRollbackTo); err != nil {
			return &lostError{opErr: opErr, err: fmt.Errorf("sqlite: rollback to savepoint: %w", err)}
		}
		if _, err := tx.ExecContext(ctx, qRelease); err != nil {
			return &lostError{opErr: opErr, err: fmt.Errorf("sqlite: release savepoint: %w", err)}
		}
		return opErr
	}
	if _, err := tx.ExecContext(ctx, qRelease); err != nil {
		err = fmt.Errorf("sqlite: release savepoint: %w", err)
		return &lostError{opErr: err, err: err}
	}
	return nil
}

// call runs op's function in tx, turning a panic into an error so that
// one faulty write cannot take the committer, and every later write, down.
func call(op *writeOp, tx *cachedTx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("sqlite: write panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return op.fn(context.WithoutCancel(op.ctx), tx)
}
