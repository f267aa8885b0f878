// Package sqlite is the embedded store of Bar Raiser: one SQLite database
// file in a data directory, opened with the pure-Go modernc.org/sqlite
// driver and migrated with goose on open.
//
// A DB holds two pools on the same file. Every write goes through a single
// connection whose transactions start with BEGIN IMMEDIATE, so writers of
// this process queue in Go instead of failing with "database is locked".
// Reads go through a separate pool of read-only connections; in WAL mode
// they see a consistent snapshot and never block the writer.
//
// The writes every interview makes (EnsureOwner, CreateInterview, Claim,
// AppendTurns, SetStatus, AddUsage and SaveDebrief) do not take that
// connection themselves: they queue for one goroutine, the committer,
// which commits whatever has queued meanwhile in a single transaction (see
// committer). Many interviews answering, starting and finishing at once
// thus share fsyncs rather than queue for one apiece. The rarer writes
// (keys, shares, erasure, the corpus, webhook deliveries) keep taking the
// connection directly, in turn with the committer's batches.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/migrations"
)

// File names inside the data directory.
const (
	// FileName is the database file.
	FileName = "barraiser.db"
	// LockFileName is the file a server locks for as long as it runs.
	LockFileName = "barraiser.lock"
	// migrateLockFileName is locked only while migrations run, so that
	// two processes opening the same directory do not migrate together.
	migrateLockFileName = "barraiser.migrate.lock"
)

// BusyTimeout is how long a statement waits for a lock held by another
// process (or a checkpoint) before it fails with SQLITE_BUSY.
const BusyTimeout = 10 * time.Second

// Options tunes Open.
type Options struct {
	// Lock takes an exclusive lock on the data directory for as long as
	// the DB is open, so that a second server cannot use it concurrently.
	// Long-running servers set it; short-lived commands do not.
	Lock bool

	// WriteQueue is how many turn writes may wait for the committer; once
	// that many wait, further ones fail at once with EBUSY and a
	// RetryAfter. 0 means DefaultWriteQueue.
	WriteQueue int

	// ObserveCommit, when not nil, is called by the committer after each
	// batch it commits, with the number of writes the batch ran (those
	// that failed and were rolled back to their savepoint included) and
	// the time from BEGIN to the end of COMMIT. It runs on the committer's
	// goroutine, so it must be quick and must not write to the store.
	// Metrics may use it to follow batch sizes and commits per second.
	ObserveCommit func(ops int, d time.Duration)

	// Logger receives the store's own warnings, such as a checkpoint that
	// failed. nil means slog.Default().
	Logger *slog.Logger
}

// logger returns o.Logger, or slog.Default() when it is nil.
func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// DB is the embedded store. It implements agent.Store, agent.EmbeddingStore
// and agent.KeyStore and is safe for concurrent use.
type DB struct {
	dir string
	w   *sql.DB // one connection; transactions begin immediate
	r   *sql.DB // read-only connections
	// wc and rc are the statement caches of w and r.
	wc, rc *stmtCache
	lock   *os.File
	c      *committer    // runs the turn writes on w; nil until Open succeeds
	ck     *checkpointer // nil when read-only
	// readOnly is set when the data directory is on a read-only file
	// system; see openReadOnly.
	readOnly bool
}

var (
	_ agent.Store          = (*DB)(nil)
	_ agent.EmbeddingStore = (*DB)(nil)
	_ agent.KeyStore       = (*DB)(nil)
)

// Open opens (creating when needed) the database in dataDir, applies every
// pending migration and returns the store. With opts.Lock it first takes
// the data directory's lock and fails with an error wrapping ErrLocked when
// another process holds it. A dataDir on a read-only file system is opened
// for reads only, as openReadOnly describes.
//
// A write that fails because the disk is full returns a storage_full
// *agent.Error, and one refused by a read-only store a read_only one;
// either way nothing of it is stored, and reads go on working (see fault).
func Open(ctx context.Context, dataDir string, opts Options) (_ *DB, err error) {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("sqlite: data directory %q: %w", dataDir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: create data directory: %w", err)
	}
	if readOnlyFS(dir) {
		return openReadOnly(ctx, dir, opts)
	}
	db := &DB{dir: dir}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if opts.Lock {
		if db.lock, err = lockDir(dir); err != nil {
			return nil, err
		}
	}

	// Processes opening one directory take turns from the writer's first
	// connection (which may switch the file to WAL) to the last migration.
	setup, err := waitLock(ctx, filepath.Join(dir, migrateLockFileName))
	if err != nil {
		return nil, err
	}
	defer setup.Close()
	path := filepath.Join(dir, FileName)
	db.w, err = sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if err := db.w.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		return nil, err
	}

	// The read pool opens after migrating: mode=ro cannot create the file.
	db.r, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.r.SetMaxOpenConns(n)
	db.r.SetMaxIdleConns(n)
	db.r.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.r.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	db.wc, db.rc = newStmtCache(ctx, db.w, hotQueries), newStmtCache(ctx, db.r, hotQueries)
	if db.ck, err = newCheckpointer(ctx, path, CheckpointEvery, opts.logger()); err != nil {
		return nil, err
	}
	observe := func(ops int, d time.Duration) {
		db.ck.nudge()
		if opts.ObserveCommit != nil {
			opts.ObserveCommit(ops, d)
		}
	}
	db.c = newCommitter(db.w, db.wc, opts.WriteQueue, observe)
	return db, nil
}

// dsn returns the modernc.org/sqlite data source name of the database at
// path. Because it starts with "file:", SQLite sees the whole URI and
// honours mode=ro; the driver reads the underscore parameters itself:
// _txlock sets the BEGIN mode of sql.Tx and each _pragma runs on every new
// connection.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// FULL: a commit is on disk when it returns, even across power loss.
		q.Add("_pragma", "synchronous(FULL)")
		// The checkpointer keeps the log short; see checkpointer.
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint))
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// migrate applies the embedded migrations through the writer. Open holds
// the migration lock around it.
func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations.SQLite, "sqlite")
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.w, fsys)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// Dir returns the absolute path of the data directory.
func (db *DB) Dir() string { return db.dir }

// Ping checks that both the writer and the readers can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping readers: %w", err)
	}
	return nil
}

// Ready checks that the database can be reached and that every migration
// this build embeds has been applied, for a readiness probe. A database
// migrated further by a newer build counts as ready.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	want, err := latestMigration()
	if err != nil {
		return err
	}
	var have sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&have); err != nil {
		return fmt.Errorf("sqlite: read migration version: %w", err)
	}
	if have.Int64 < want {
		return fmt.Errorf("sqlite: database at migration %d, this build needs %d", have.Int64, want)
	}
	return nil
}

// latestMigration is the highest version among the embedded migrations.
var latestMigration = sync.OnceValues(func() (int64, error) {
	return migrations.Latest(migrations.SQLite, "sqlite/*.sql")
})

// Close commits the turn writes already queued, closes the database and
// then releases the data directory's lock. Writes made after Close fail.
func (db *DB) Close() error {
	var errs []error
	if db.c != nil {
		db.c.stop()
	}
	if db.ck != nil {
		if err := db.ck.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range []*stmtCache{db.wc, db.rc} {
		if c != nil {
			c.close()
		}
	}
	// Readers first, so that the writer is the last connection and
	// checkpoints the WAL into the database file as it closes.
	if db.r != nil {
		if err := db.r.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlite: close readers: %w", err))
		}
	}
	if db.w != nil {
		if err := db.w.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlite: close writer: %w", err))
		}
	}
	if db.lock != nil {
		if err := db.lock.Close(); err != nil { // closing releases the flock
			errs = append(errs, fmt.Errorf("sqlite: release lock: %w", err))
		}
		db.lock = nil
	}
	return errors.Join(errs...)
}

// writeTx runs fn in one IMMEDIATE transaction on the writer and commits
// it when fn returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx *cachedTx) error) error {
	if err := db.writable(); err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(&cachedTx{Tx: tx, cache: db.wc}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if db.ck != nil {
		db.ck.nudge()
	}
	return nil
}

// commit runs fn through the committer, in a transaction it may share
// with other writes, and returns once that transaction is durable. fn must
// use the ctx and tx it is given and nothing else of the store. A full
// queue fails at once with EBUSY unless wait is set; committer.do lists
// every outcome.
func (db *DB) commit(ctx context.Context, fn opFunc, wait bool) error {
	if err := db.writable(); err != nil {
		return err
	}
	return db.c.do(ctx, fn, wait)
}

// readTx runs fn in one read transaction, so that everything it reads
// comes from the same snapshot.
//
// Once begun, the transaction's statements run to the end whatever ctx
// does: each takes microseconds, and a statement run with a context that
// can be cancelled costs the driver a goroutine to watch it, several for
// every interview read, which a busy server feels.
func (db *DB) readTx(ctx context.Context, fn func(tx *cachedTx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	uncancelled := context.WithoutCancel(ctx)
	tx, err := db.r.BeginTx(uncancelled, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(&cachedTx{Tx: tx, cache: db.rc, uncancelled: uncancelled})
}
