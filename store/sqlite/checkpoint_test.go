package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestCheckpointerCopiesLog checks that a committed write reaches the
// database file itself, not only the write-ahead log, without the writer
// checkpointing: one small write is far below the writer's own threshold,
// so only the checkpointer can have copied it.
func TestCheckpointerCopiesLog(t *testing.T) {
	db := openTest(t, Options{})
	createInterviews(t, db, "iv-1")

	deadline := time.Now().Add(5 * time.Second)
	for {
		// Until a checkpoint, even the tables exist only in the log.
		n, err := countInMainFile(t, db.Dir(), `SELECT COUNT(*) FROM interviews WHERE id = 'iv-1'`)
		if err == nil && n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the interview is still only in the write-ahead log after 5 s (count %d, %v): nothing checkpointed it", n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// countInMainFile copies the database file alone, leaving its log behind,
// and runs the counting query q on the copy.
func countInMainFile(t *testing.T, dir, q string) (int, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: copyPath, RawQuery: "mode=ro&immutable=1"}
	c, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	err = c.QueryRowContext(context.Background(), q).Scan(&n)
	return n, err
}

// TestCheckpointerLogsFailureOnce checks that a checkpointer whose
// checkpoints keep failing warns once for the spell, not at every nudge.
func TestCheckpointerLogsFailureOnce(t *testing.T) {
	db := openTest(t, Options{})
	var warns warnCounter
	c, err := newCheckpointer(context.Background(), filepath.Join(db.Dir(), FileName), time.Millisecond, slog.New(&warns))
	if err != nil {
		t.Fatal(err)
	}
	defer c.stop()
	c.db.Close() // every checkpoint from now on fails
	for range 5 {
		c.nudge()
		time.Sleep(10 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for warns.n.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no warning after failed checkpoints")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := warns.n.Load(); n != 1 {
		t.Errorf("%d warnings for one spell of failures, want 1", n)
	}
}

// warnCounter is a slog.Handler that counts warnings and drops the rest.
type warnCounter struct{ n atomic.Int64 }

func (w *warnCounter) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *warnCounter) WithGroup(string) slog.Handler            { return w }

func (w *warnCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		w.n.Add(1)
	}
	return nil
}
