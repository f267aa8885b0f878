package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/barraiser/barraiser/agent"
)

// errStorageFull is the error of a write refused because the disk is full.
func errStorageFull() *agent.Error {
	return agent.Errorf(agent.ESTORAGEFULL,
		"The server's disk is full, and nothing was stored. Everything stored before can still be read; the write can succeed once space is freed.")
}

// errReadOnly is the error of a write to a read-only store.
func errReadOnly() *agent.Error {
	return agent.Errorf(agent.EREADONLY,
		"This server runs on a read-only copy of its data: interviews can be read, but nothing can be stored.")
}

// fault returns err as a storage_full or read_only *agent.Error, which
// still wraps err for the logs, when SQLite failed because the disk is
// full (SQLITE_FULL) or the database cannot be written (SQLITE_READONLY);
// otherwise it returns err unchanged. Either way SQLite rolled the write
// back, so nothing of it was stored.
func fault(err error) error {
	var known *agent.Error
	var se *sqlite.Error
	if err == nil || errors.As(err, &known) || !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %w", errStorageFull(), err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%w: %w", errReadOnly(), err)
	}
	return err
}

// faultOf applies fault to *err; store methods defer it so that every
// error they return is classified the same way.
func faultOf(err *error) {
	*err = fault(*err)
}

// readOnlyFS reports whether dir is on a file system mounted read-only.
func readOnlyFS(dir string) bool {
	return errors.Is(syscall.Access(dir, 2 /* W_OK */), syscall.EROFS)
}

// openReadOnly opens the database of dir, a directory on a read-only file
// system, for reads only; Open calls it instead of migrating. SQLite can
// create neither the lock files nor the shared-memory file of WAL mode
// there, so the file is opened immutable: SQLite then reads it without
// taking any lock, trusting that nothing changes it. Two checks back that
// trust. A database whose write-ahead log still holds writes is refused,
// because immutable reads would not see them. With opts.Lock a shared lock
// on the directory's lock file, when it has one, keeps a writing server
// from using the same files (through another mount) meanwhile, and fails
// with ErrLocked while one does.
//
// Writes fail with EREADONLY, except the few that only keep records:
// EnsureOwner, TouchKey and ClaimDeliveries do nothing, and Claim returns
// the interview's current generation without taking it over.
func openReadOnly(ctx context.Context, dir string, opts Options) (_ *DB, err error) {
	db := &DB{dir: dir, readOnly: true}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlite: data directory %s is on a read-only file system and holds no database: %w", dir, err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("sqlite: data directory %s is on a read-only file system, and writes are still waiting in %s: "+
			"start the server once with the directory writable to fold them into the database", dir, filepath.Base(fi.Name()))
	}
	if opts.Lock {
		if db.lock, err = shareLock(dir); err != nil {
			return nil, err
		}
	}
	for _, p := range []**sql.DB{&db.w, &db.r} {
		if *p, err = sql.Open("sqlite", immutableDSN(path)); err != nil {
			return nil, fmt.Errorf("sqlite: open read-only: %w", err)
		}
	}
	db.w.SetMaxOpenConns(1)
	n := max(4, runtime.GOMAXPROCS(0))
	db.r.SetMaxOpenConns(n)
	db.r.SetMaxIdleConns(n)
	db.r.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.Ready(ctx); err != nil {
		return nil, fmt.Errorf("sqlite: data directory %s is on a read-only file system, where it cannot be migrated: %w", dir, err)
	}
	db.wc, db.rc = newStmtCache(ctx, db.w, hotQueries), newStmtCache(ctx, db.r, hotQueries)
	db.c = newCommitter(db.w, db.wc, opts.WriteQueue, opts.ObserveCommit)
	opts.logger().Warn("sqlite: the data directory is on a read-only file system; serving reads only", "data_dir", dir)
	return db, nil
}

// immutableDSN is the data source name of the database at path opened
// read-only and immutable (see openReadOnly).
func immutableDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("immutable", "1")
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", "foreign_keys(1)")
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// shareLock takes a shared, non-blocking lock on the data directory's lock
// file, when there is one: servers reading the directory may share it, a
// server writing there (which holds it exclusively) may not. With no lock
// file it returns nil and no error, since none can be created.
func shareLock(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockFileName)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: open lock file: %w", err)
	}
	if err := flock(f, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlite: a barraiser server is writing to data directory %s (lock %s held): %w", dir, path, ErrLocked)
		}
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	return f, nil
}

// ReadOnly reports whether the store was opened read-only, because its
// data directory is on a read-only file system.
func (db *DB) ReadOnly() bool { return db.readOnly }

// writable returns EREADONLY from a read-only store, else nil.
func (db *DB) writable() error {
	if db.readOnly {
		return errReadOnly()
	}
	return nil
}
