package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// CheckpointEvery is the least time between two checkpoints the
// checkpointer runs. Under the 1,000-candidate load, checkpoints 25 ms
// apart gave a lower p99 than 100 ms apart (7-8 against 9-10 ms), each
// having fewer pages to write and sync; 5 ms apart cost more CPU for no
// better tail.
const CheckpointEvery = 25 * time.Millisecond

// writerAutoCheckpoint is the writer's own checkpoint threshold, in WAL
// pages (SQLite's default). The checkpointer has copied all but the last
// few commits by the time the log reaches it, so the writer's checkpoint
// only tops up; but only a checkpoint the writer runs itself can leave the
// log fully copied when its next transaction begins, which is when SQLite
// starts the log over from the top. Without it the log would grow under a
// steady load (to 32 MiB in the 1,000-candidate runs with a threshold of
// 8,000) rather than stay near 4 MiB.
const writerAutoCheckpoint = 1000

// checkpointer copies the write-ahead log back into the database file
// from a connection of its own.
//
// Left to itself, SQLite checkpoints inside the COMMIT that takes the log
// past its threshold: that commit then copies hundreds of pages and waits
// for a second fsync, and every write queued behind it in the committer
// waits too. Under the 1,000-candidate load those commits took 5–30 ms,
// two or three of them each second, and they caused most slow turns. A PASSIVE
// checkpoint from another connection does the same copying without
// holding the writer up, since WAL mode lets a checkpoint run beside a
// write transaction.
//
// The writer nudges the checkpointer after each commit; a nudge that comes
// while a checkpoint runs, or within CheckpointEvery of the last one, is
// taken once that time has passed. An idle store therefore never wakes it.
type checkpointer struct {
	db    *sql.DB // one writable connection
	every time.Duration
	log   *slog.Logger
	kick  chan struct{} // buffered 1: a nudge never waits
	quit  chan struct{}
	done  chan struct{}
}

// newCheckpointer opens a connection to the database at path and starts
// the checkpointer's goroutine.
func newCheckpointer(ctx context.Context, path string, every time.Duration, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	c := &checkpointer{
		db:    db,
		every: every,
		log:   log,
		kick:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go c.run()
	return c, nil
}

// nudge tells the checkpointer that the log has grown. It never blocks.
func (c *checkpointer) nudge() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// run is the checkpointer's goroutine.
func (c *checkpointer) run() {
	defer close(c.done)
	failing := false
	for {
		select {
		case <-c.kick:
		case <-c.quit:
			return
		}
		err := c.checkpoint()
		switch {
		case err != nil && !failing:
			c.log.Warn("sqlite: checkpoint failed; the write-ahead log grows until one succeeds", "err", err)
		case err == nil && failing:
			c.log.Info("sqlite: checkpoints succeed again")
		}
		failing = err != nil
		select {
		case <-time.After(c.every):
		case <-c.quit:
			return
		}
	}
}

// checkpoint copies into the database file every frame of the log that no
// reader still needs; it neither waits on the writer nor on readers.
func (c *checkpointer) checkpoint() error {
	var busy, logged, copied int
	err := c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
	if err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return nil
}

// stop ends the goroutine and closes the connection; a checkpoint in
// progress finishes first.
func (c *checkpointer) stop() error {
	close(c.quit)
	<-c.done
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close checkpointer: %w", err)
	}
	return nil
}
