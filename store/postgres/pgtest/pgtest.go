// Package pgtest gives tests a fresh PostgreSQL database of their own on the
// server named by TEST_DATABASE_URL.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// AdminURL returns TEST_DATABASE_URL, the server the tests create their own
// databases on. Without it the test is skipped, except under CI, where
// PostgreSQL must be there.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("TEST_DATABASE_URL is not set, and CI must run the PostgreSQL tests (scripts/test-postgres.sh prints it)")
		}
		t.Skip("TEST_DATABASE_URL not set; skipping PostgreSQL tests")
	}
	return u
}

// URL creates an empty database for the test and returns its URL; the
// database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return Database(t, "")
}

// Database is URL with options appended to CREATE DATABASE, such as a
// locale provider.
func Database(t testing.TB, options string) string {
	t.Helper()
	admin := AdminURL(t)
	name := "t_" + strings.ToLower(rand.Text()[:16])
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE DATABASE " + name + " " + options); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(t, admin, name)
}

// WithParams returns databaseURL (a URL or a key=value DSN) with the
// given key=value settings added, such as "pool_max_conns=4".
func WithParams(t testing.TB, databaseURL string, params ...string) string {
	t.Helper()
	if !strings.Contains(databaseURL, "://") {
		return databaseURL + " " + strings.Join(params, " ")
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatalf("pgtest: database URL: %v", err)
	}
	q := u.Query()
	for _, p := range params {
		k, v, _ := strings.Cut(p, "=")
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// withDatabase returns a database URL (or key=value DSN) naming another
// database.
func withDatabase(t testing.TB, databaseURL, name string) string {
	t.Helper()
	if !strings.Contains(databaseURL, "://") {
		return databaseURL + " dbname=" + name // a later key wins
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatalf("pgtest: TEST_DATABASE_URL: %v", err)
	}
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}
