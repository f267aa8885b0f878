package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/barraiser/barraiser/store/sqlite"
)

const backupUsage = `usage:
  barraiser backup PATH [flags]   copy the embedded store to the new file PATH

The copy is consistent and may be made while a server runs on the store;
PATH must not exist yet. -data-dir (DATA_DIR) chooses the store. To restore,
stop the server and put the copy in the data directory as ` + sqlite.FileName + `.
A PostgreSQL store is backed up with pg_dump instead (see the README).`

// runBackup runs "barraiser backup PATH".
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, backupUsage)
		return errors.New("backup: want the path of the copy")
	}
	dest, args := args[0], args[1:]
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New("backup: DATABASE_URL is set, and a PostgreSQL store is not copied by this command; " +
			"use pg_dump, e.g. pg_dump --format=custom --file=barraiser.dump \"$DATABASE_URL\"")
	}
	n, err := backupSQLite(ctx, cfg.DataDir, dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (%d bytes).\n", filepath.Join(cfg.DataDir, sqlite.FileName), dest, n)
	return nil
}

// backupSQLite writes a consistent copy of the database in dataDir to the
// new file dest with VACUUM INTO, which reads one snapshot: a server may
// keep writing meanwhile. It returns the size of the copy.
func backupSQLite(ctx context.Context, dataDir, dest string) (int64, error) {
	src := filepath.Join(dataDir, sqlite.FileName)
	if _, err := os.Stat(src); err != nil {
		return 0, fmt.Errorf("backup: no store to copy: %w", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return 0, fmt.Errorf("backup: %s already exists; choose a new path", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("backup: %w", err)
	}
	// The store's own DSN conventions: a file: URI and a busy timeout, so
	// that the copy waits for a server's commit instead of failing.
	abs, err := filepath.Abs(src)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqlite.BusyTimeout.Milliseconds()))
	u := url.URL{Scheme: "file", OmitHost: true, Path: abs, RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return 0, fmt.Errorf("backup: open store: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return 0, fmt.Errorf("backup: copy to %s: %w", dest, err)
	}
	fi, err := os.Stat(dest)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return fi.Size(), nil
}
