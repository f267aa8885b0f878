package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
)

// TestFault checks that fault maps the errors SQLite really returns for a
// full database and a read-only one, and leaves the others alone.
func TestFault(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the pragmas below hold for one connection
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) error {
		_, err := db.ExecContext(ctx, q, args...)
		return err
	}
	tests := []struct {
		name string
		run  func() error // returns the error SQLite gives
		want string       // fault's code; "" when the error is left as is
	}{
		{"constraint violation", func() error {
			if err := exec(`INSERT INTO t (id) VALUES (1)`); err != nil {
				return err
			}
			return exec(`INSERT INTO t (id) VALUES (1)`)
		}, ""},
		{"database full", func() error {
			if err := exec(`PRAGMA max_page_count = 8`); err != nil {
				return err
			}
			defer exec(`PRAGMA max_page_count = 1073741823`)
			return exec(`INSERT INTO t (body) VALUES (?)`, strings.Repeat("x", 64<<10))
		}, agent.ESTORAGEFULL},
		{"read-only connection", func() error {
			if err := exec(`PRAGMA query_only = 1`); err != nil {
				return err
			}
			defer exec(`PRAGMA query_only = 0`)
			return exec(`INSERT INTO t (body) VALUES ('y')`)
		}, agent.EREADONLY},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.run()
			if raw == nil {
				t.Fatal("the statement did not fail")
			}
			got := fault(raw)
			if !errors.Is(got, raw) {
				t.Errorf("fault(%v) = %v, which no longer wraps the error", raw, got)
			}
			code := ""
			var e *agent.Error
			if errors.As(got, &e) {
				code = e.Code
			}
			if code != tt.want {
				t.Errorf("fault(%v) has code %q, want %q", raw, code, tt.want)
			}
		})
	}
	if fault(nil) != nil {
		t.Error("fault(nil) is not nil")
	}
	if e := agent.Errorf(agent.EBUSY, "busy"); fault(e) != error(e) {
		t.Error("fault changed an *agent.Error")
	}
}
