package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
	"github.com/barraiser/barraiser/store/storetest"
)

// openTest opens a fresh store in a temporary directory, closed when the
// test ends.
func openTest(t testing.TB, opts Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openTest(t, Options{})
	})
}

func TestOpenPragmas(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{Lock: true})
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	for _, c := range []struct {
		pool   string
		pragma string
		want   string
	}{
		{"writer", "journal_mode", "wal"},
		{"writer", "foreign_keys", "1"},
		{"writer", "busy_timeout", "10000"},
		{"writer", "synchronous", "2"},
		{"writer", "query_only", "0"},
		{"writer", "wal_autocheckpoint", "1000"},
		{"reader", "journal_mode", "wal"},
		{"reader", "foreign_keys", "1"},
		{"reader", "busy_timeout", "10000"},
		{"reader", "query_only", "1"},
	} {
		pool := db.w
		if c.pool == "reader" {
			pool = db.r
		}
		var got string
		if err := pool.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatalf("%s PRAGMA %s: %v", c.pool, c.pragma, err)
		}
		if got != c.want {
			t.Errorf("%s PRAGMA %s = %q, want %q", c.pool, c.pragma, got, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(db.Dir(), FileName)); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestReadersAreReadOnly(t *testing.T) {
	db := openTest(t, Options{})
	_, err := db.r.ExecContext(context.Background(), `INSERT INTO owners (id, created_at) VALUES ('x', 'y')`)
	if err == nil {
		t.Fatal("insert through the read pool succeeded")
	}
	t.Logf("read pool refuses writes: %v", err)
}

// TestTxLockImmediate checks that the writer's transactions take the write
// lock at BEGIN: while one is open, a second connection cannot even start
// an IMMEDIATE transaction, where a DEFERRED one would not have locked yet.
func TestTxLockImmediate(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{})
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	other, err := Open(ctx, db.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.w.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	otx, err := other.w.BeginTx(ctx, nil)
	if err == nil {
		otx.Rollback()
		t.Fatal("another connection began a write while this writer's transaction was open: the writer's BEGIN is not IMMEDIATE")
	}
	if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
		t.Fatalf("second BEGIN: %v, want database is locked", err)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for i := range 3 {
		db, err := Open(ctx, dir, Options{})
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		var n int
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version WHERE version_id = 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("migration 1 recorded %d times, want 1", n)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConcurrentOpens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := Open(ctx, dir, Options{})
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
}

func TestSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir, Options{Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("PST", -8*3600))
	iv := &agent.Interview{ID: "iv-1", OwnerID: "alice", Role: agent.RoleSDE, Level: "L5", Focus: "f",
		Principles: []agent.PlannedPrinciple{{ID: "ownership", Name: "Ownership", QuestionID: "q1"}},
		CreatedAt:  at, UpdatedAt: at}
	if err := db.CreateInterview(ctx, iv); err != nil {
		t.Fatal(err)
	}
	if !iv.CreatedAt.Equal(at.Truncate(time.Microsecond)) || iv.CreatedAt.Location() != time.UTC || iv.Status != agent.StatusInProgress {
		t.Errorf("CreateInterview left iv at %v (%s), want %v in UTC, in_progress", iv.CreatedAt, iv.Status, at)
	}
	gen, err := db.Claim(ctx, "iv-1")
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := agent.AppendTurn(ctx, db, "iv-1", gen, agent.Turn{Seq: 1, Speaker: agent.SpeakerInterviewer,
		Kind: agent.KindOpening, Principle: "ownership", Text: "Tell me…", At: at.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveEmbeddings(ctx, "e", 2, []agent.Embedding{{EntryID: "ownership", Hash: "h", Vector: []float32{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	before, err := db.Interview(ctx, "alice", "iv-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, dir, Options{Lock: true})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	after, err := db.Interview(ctx, "alice", "iv-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("after reopen\n got %#v\nwant %#v", after, before)
	}
	if !reflect.DeepEqual(after.Turns, []agent.Turn{stored}) {
		t.Errorf("turns after reopen %#v, want %#v", after.Turns, stored)
	}
	// The generation survives too: the next claim is 2.
	if g, err := db.Claim(ctx, "iv-1"); err != nil || g != gen+1 {
		t.Errorf("Claim after reopen = %d, %v; want %d", g, err, gen+1)
	}
	es, err := db.Embeddings(ctx, "e")
	if err != nil || len(es) != 1 || es["ownership"].Vector[1] != 2 {
		t.Errorf("Embeddings after reopen = %v, %v", es, err)
	}
}

func TestTimeRoundTrip(t *testing.T) {
	for _, in := range []time.Time{
		{},
		time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2024, 1, 2, 3, 4, 5, 999_999_999, time.FixedZone("X", 3600)),
		time.Date(2024, 1, 2, 3, 4, 5, 1000, time.Local),
		time.Now(),
	} {
		got, err := parseTime(fmtTime(in))
		if err != nil {
			t.Fatal(err)
		}
		if want := codec.NormTime(in); got != want {
			t.Errorf("round trip of %v = %#v, want %#v", in, got, want)
		}
	}
	// Fixed width: text order is time order.
	a, b := fmtTime(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), fmtTime(time.Date(2024, 1, 2, 3, 4, 5, 1000, time.UTC))
	if !(a < b) {
		t.Errorf("%q does not sort before %q", a, b)
	}
}

func TestDSN(t *testing.T) {
	got := dsn("/data dir/with?odd#chars/barraiser.db", false)
	if !strings.HasPrefix(got, "file:/data%20dir/with%3Fodd%23chars/barraiser.db?") {
		t.Errorf("dsn = %q", got)
	}
	for _, p := range []string{"_txlock=immediate", "busy_timeout%2810000%29", "journal_mode%28WAL%29"} {
		if !strings.Contains(got, p) {
			t.Errorf("dsn %q lacks %s", got, p)
		}
	}
	if ro := dsn("/x/barraiser.db", true); !strings.Contains(ro, "mode=ro") || strings.Contains(ro, "_txlock") {
		t.Errorf("read-only dsn = %q", ro)
	}
}

func TestOddDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir with spaces?", "and#more")
	db, err := Open(context.Background(), dir, Options{Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.EnsureOwner(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Errorf("database not at %s: %v", dir, err)
	}
}
