package postgres

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/barraiser/barraiser/store/storetest"
)

// openURL opens the store at databaseURL, closed when the test ends.
func openURL(t testing.TB, databaseURL string) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := Open(ctx, databaseURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// twoStores opens two stores on one fresh database, as two server
// processes would, and creates interview id (owner alice) through the
// first.
func twoStores(t *testing.T, id string) (*DB, *DB) {
	t.Helper()
	u := pgtest.URL(t)
	a, b := openURL(t, u), openURL(t, u)
	at := time.Now()
	if err := a.CreateInterview(context.Background(), &agent.Interview{ID: id, OwnerID: "alice", Role: agent.RoleSDE, Level: "L5",
		CreatedAt: at, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// openTest opens the store on a fresh database.
func openTest(t testing.TB) *DB {
	t.Helper()
	return openURL(t, pgtest.URL(t))
}

func TestConformance(t *testing.T) {
	pgtest.AdminURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openTest(t)
	})
}

// TestConformanceICU runs the suite on a database whose default collation
// is not byte order, where ids must still sort as in the SQLite store.
func TestConformanceICU(t *testing.T) {
	pgtest.AdminURL(t)
	const icu = "TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openURL(t, pgtest.Database(t, icu))
	})
	t.Run("ByteOrder", func(t *testing.T) {
		ctx := context.Background()
		db := openURL(t, pgtest.Database(t, icu))
		var icuFirst bool
		if err := db.Pool().QueryRow(ctx, `SELECT 'iv-a' < 'iv-B'`).Scan(&icuFirst); err != nil {
			t.Fatal(err)
		}
		if !icuFirst {
			t.Fatal("the database collation sorts iv-a after iv-B: not the collation this test needs")
		}
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, id := range []string{"iv-a", "iv-B", "iv-_", "iv-Z"} {
			iv := &agent.Interview{ID: id, OwnerID: "alice", Role: agent.RoleSDE, Level: "L5", CreatedAt: at, UpdatedAt: at}
			if err := db.CreateInterview(ctx, iv); err != nil {
				t.Fatal(err)
			}
			if err := db.SetStatus(ctx, id, 0, agent.StatusInProgress, agent.StatusGrading); err != nil {
				t.Fatal(err)
			}
		}
		list, err := db.Interviews(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range list {
			got = append(got, s.ID)
		}
		want := "iv-B iv-Z iv-_ iv-a" // byte order, as SQLite's BINARY collation
		if strings.Join(got, " ") != want {
			t.Errorf("Interviews order = %v, want %s", got, want)
		}
		ids, err := db.InterviewIDsByStatus(ctx, agent.StatusGrading)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(ids, " ") != want {
			t.Errorf("InterviewIDsByStatus order = %v, want %s", ids, want)
		}
	})
}

func TestOpenPoolSize(t *testing.T) {
	base := pgtest.URL(t)
	db := openURL(t, base)
	if got, want := db.Pool().Config().MaxConns, int32(max(8, 4*runtime.GOMAXPROCS(0))); got != want {
		t.Errorf("default MaxConns = %d, want %d", got, want)
	}
	if got := db.Pool().Config().ConnConfig.StatementCacheCapacity; got != StatementCacheCapacity {
		t.Errorf("default statement cache = %d, want %d", got, StatementCacheCapacity)
	}
	// pool_max_conns is the pool's, not a server setting: Migrate must not
	// send it to the server either.
	small := openURL(t, pgtest.WithParams(t, base, "pool_max_conns=3", "statement_cache_capacity=7"))
	if got := small.Pool().Config().MaxConns; got != 3 {
		t.Errorf("MaxConns with pool_max_conns=3 = %d, want 3", got)
	}
	if got := small.Pool().Config().ConnConfig.StatementCacheCapacity; got != 7 {
		t.Errorf("statement cache with statement_cache_capacity=7 = %d, want 7", got)
	}
	if err := small.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	pgtest.AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Port 1 on loopback refuses connections.
	db, err := Open(ctx, "postgres://postgres@127.0.0.1:1/nothing?sslmode=disable&connect_timeout=5")
	if err == nil {
		db.Close()
		t.Fatal("Open of an unreachable server succeeded")
	}
	if !strings.HasPrefix(err.Error(), "postgres: ") {
		t.Errorf("error %q is not wrapped by the package", err)
	}
}

func TestMigrateIdempotent(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	for i := range 2 {
		if err := Migrate(ctx, u); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	db := openURL(t, u) // migrates a third time
	checkMigrated(t, db)
}

func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- Migrate(ctx, u) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
	checkMigrated(t, openURL(t, u))
}

// checkMigrated checks that migration 1 is recorded once and its tables
// exist.
func checkMigrated(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM goose_db_version WHERE version_id = 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("migration 1 recorded %d times, want 1", n)
	}
	for _, table := range []string{"owners", "interviews", "turns", "debriefs", "corpus_entries", "embeddings"} {
		var ok bool
		if err := db.Pool().QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s: exists %v, %v", table, ok, err)
		}
	}
	var ext string
	if err := db.Pool().QueryRow(ctx, `SELECT extversion FROM pg_extension WHERE extname = 'vector'`).Scan(&ext); err != nil {
		t.Errorf("vector extension: %v", err)
	}
}

func TestParseClaim(t *testing.T) {
	for _, c := range []struct {
		payload string
		id      string
		gen     int64
		ok      bool
	}{
		{"iv-1 3", "iv-1", 3, true},
		{"with space 12", "with space", 12, true},
		{"iv-1", "", 0, false},
		{"iv-1 x", "", 0, false},
		{"", "", 0, false},
	} {
		id, gen, ok := parseClaim(c.payload)
		if id != c.id || gen != c.gen || ok != c.ok {
			t.Errorf("parseClaim(%q) = %q, %d, %v; want %q, %d, %v", c.payload, id, gen, ok, c.id, c.gen, c.ok)
		}
	}
}
