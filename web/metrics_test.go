package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
	"github.com/barraiser/barraiser/store/sqlite"
	"github.com/coder/websocket"
)

// dropLatestMigration makes a store look one migration behind this build.
const dropLatestMigration = `DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)`

// readyStore is a store under test for /readyz: behind undoes its latest
// migration's record, and close makes it unreachable.
type readyStore struct {
	store  agent.Store
	behind func(t *testing.T)
	close  func()
}

// TestReadyz checks /readyz on both stores: ready while the store answers
// and is migrated, 503 not_ready when a migration is missing or the store
// is gone, and /healthz answering throughout.
func TestReadyz(t *testing.T) {
	stores := map[string]func(t *testing.T) readyStore{
		"sqlite": func(t *testing.T) readyStore {
			dir := t.TempDir()
			db, err := sqlite.Open(context.Background(), dir, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			closeDB := sync.OnceFunc(func() { db.Close() })
			t.Cleanup(closeDB)
			return readyStore{db, func(t *testing.T) {
				raw, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				if _, err := raw.Exec(dropLatestMigration); err != nil {
					t.Fatal(err)
				}
			}, closeDB}
		},
		"postgres": func(t *testing.T) readyStore {
			db, err := postgres.Open(context.Background(), pgtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			return readyStore{db, func(t *testing.T) {
				if _, err := db.Pool().Exec(context.Background(), dropLatestMigration); err != nil {
					t.Fatal(err)
				}
			}, db.Close}
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			st := stores[name](t)
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			s := NewServer(agent.NewService(st.store, nil, logger), logger)
			ts := httptest.NewServer(s.Handler())
			defer ts.Close()
			steps := []struct {
				name   string
				before func(t *testing.T)
				status int
				body   string
			}{
				{"migrated", nil, 200, `{"status":"ready"}`},
				{"a migration behind", st.behind, 503, `"code":"not_ready"`},
				{"unreachable", func(*testing.T) { st.close() }, 503, `"code":"not_ready"`},
			}
			for _, step := range steps {
				if step.before != nil {
					step.before(t)
				}
				status, body := get(t, ts.URL+"/readyz")
				if status != step.status || !strings.Contains(body, step.body) {
					t.Errorf("%s: /readyz = %d %s, want %d with %s", step.name, status, body, step.status, step.body)
				}
				if status, _ := get(t, ts.URL+"/healthz"); status != 200 {
					t.Errorf("%s: /healthz = %d", step.name, status)
				}
			}
		})
	}
}

// get fetches url and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestRequestIDs checks that every request gets an id in X-Request-Id, the
// client's own when it is a plain token, and that its log record carries
// that id and the interview id of the path, and nothing of the cookie.
func TestRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := sqlite.Open(context.Background(), t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := NewServer(agent.NewService(db, nil, logger), logger)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	cookie := strings.Repeat("ef", 16)
	interview := strings.Repeat("0a", 16)
	tests := []struct {
		name, sent string
		keep       bool
	}{
		{"none sent", "", false},
		{"a plain token is kept", "trace-42.a_b", true},
		{"spaces are replaced", "two words", false},
		{"an overlong one is replaced", strings.Repeat("x", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			req, _ := http.NewRequest("DELETE", ts.URL+"/api/v1/interviews/"+interview+"/share", nil)
			req.Header.Set("X-Request-Id", tt.sent)
			req.AddCookie(&http.Cookie{Name: OwnerCookie, Value: cookie})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			id := resp.Header.Get("X-Request-Id")
			if (id == tt.sent) != tt.keep || !safeID.MatchString(id) {
				t.Fatalf("sent %q, got X-Request-Id %q", tt.sent, id)
			}
			var rec map[string]any
			for line := range strings.Lines(logs.String()) {
				var r map[string]any
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if r["msg"] == "http" {
					rec = r
				}
			}
			if rec == nil || rec["request_id"] != id || rec["interview_id"] != interview || rec["route"] != "/api/v1/interviews/:id/share" {
				t.Errorf("request log %v, want request_id %s and interview_id %s", rec, id, interview)
			}
			if strings.Contains(logs.String(), cookie) {
				t.Error("the owner cookie reached the log")
			}
		})
	}
}

// TestMetricsActiveWindow checks that an interview counts as active for
// five minutes after its last answer.
func TestMetricsActiveWindow(t *testing.T) {
	m := NewMetrics()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	m.nowFunc = func() time.Time { return now }
	steps := []struct {
		advance time.Duration
		answer  string
		want    int
	}{
		{0, "a", 1},
		{time.Minute, "b", 2},
		{4*time.Minute + 30*time.Second, "", 1}, // a answered 5m30s ago
		{0, "a", 2},                             // and is back
		{61 * time.Second, "", 1},               // b answered 5m31s ago
		{5 * time.Minute, "", 0},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		if st.answer != "" {
			m.ObserveAnswer(TransportWebSocket, st.answer)
		}
		if got := m.activeCount(); got != st.want {
			t.Errorf("step %d: %d active, want %d", i, got, st.want)
		}
	}
}

// TestMetricsNil checks that a nil *Metrics records nothing and does not
// panic, as a server without ADMIN_ADDR has none.
func TestMetricsNil(t *testing.T) {
	var m *Metrics
	m.ObserveCommit(3, time.Millisecond)
	m.ObserveLLM("ask", time.Second, agent.Usage{PromptTokens: 5}, errors.New("x"))
	m.ObserveRetrieval("questions", time.Millisecond)
	m.ObserveAnswer(TransportHTTP, "id")
	m.ObserveQuestion(TransportHTTP, time.Now())
	m.sessionOpened()
	m.sessionClosed(websocket.StatusNormalClosure)
	m.closedBeforeSession(websocket.StatusInternalError)
}

// TestReadEndedCodes checks the close code a session is counted under when
// its read fails.
func TestReadEndedCodes(t *testing.T) {
	tests := []struct {
		name  string
		first websocket.StatusCode // recorded before the read failed; 0 for none
		err   error
		want  websocket.StatusCode
	}{
		{"the client closed", 0, websocket.CloseError{Code: websocket.StatusNormalClosure}, 1000},
		{"the client went away", 0, fmt.Errorf("read: %w", websocket.CloseError{Code: websocket.StatusGoingAway}), 1001},
		{"a frame over the limit", 0, fmt.Errorf("%w: read limited", websocket.ErrMessageTooBig), 1009},
		{"the server shutting down", 0, context.Canceled, 1001},
		{"the connection dropped", 0, io.ErrUnexpectedEOF, 1006},
		{"the server's own close stands", StatusSuperseded, websocket.CloseError{Code: StatusSuperseded}, 4001},
		{"the server's close before a drop", StatusKeyRevoked, io.EOF, 4003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s session
			s.closeCode.Store(int32(tt.first))
			s.readEnded(tt.err)
			if got := s.closeStatus(); got != tt.want {
				t.Errorf("close status %d, want %d", got, tt.want)
			}
		})
	}
	var s session
	if got := s.closeStatus(); got != websocket.StatusAbnormalClosure {
		t.Errorf("nothing recorded: %d, want 1006", got)
	}
}
