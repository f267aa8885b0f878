package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
)

// errorFrameJSON is an error frame as it arrives, with retry_after_ms
// kept apart from its absence.
type errorFrameJSON struct {
	Type         string `json:"type"`
	Code         string `json:"code"`
	Message      string `json:"message"`
	RetryAfterMS *int64 `json:"retry_after_ms"`
}

// readErrorFrame reads the next frame of conn and wants an error frame.
func readErrorFrame(t *testing.T, conn *websocket.Conn) errorFrameJSON {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, b, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	var f errorFrameJSON
	if err := json.Unmarshal(b, &f); err != nil || f.Type != "error" {
		t.Fatalf("frame %s, want an error frame (%v)", b, err)
	}
	return f
}

// TestPostgresConnectFaults opens the interview WebSocket while the store
// fails at the claim, the first write of a connection, after the check
// before the upgrade passed: the client gets an error frame with the
// store's own code, and retry_after_ms when the code suggests a wait, then
// close 1013 (try again later), not an internal error and 1011. An error
// the client caused carries no retry_after_ms.
func TestPostgresConnectFaults(t *testing.T) {
	dbURL := pgtest.URL(t)
	proxy, proxied := pgtest.NewProxy(t, dbURL)
	logs := &syncBuffer{}
	m := startWith(t, []string{"-database-url", proxied}, nil, logs)
	// A second server on the same database, straight, not through the
	// proxy: it outlives the cut and turns read-only later.
	second := startWith(t, []string{"-database-url", dbURL}, nil, logs)
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)

	t.Run("validation error", func(t *testing.T) {
		conn, _ := c.open(iv.WSURL)
		readType(t, conn, "question")
		send(t, conn, answer("   ", "v-1"))
		f := readErrorFrame(t, conn)
		if f.Code != agent.EEMPTYANSWER || f.RetryAfterMS != nil {
			t.Errorf("empty answer = %+v, want %s without retry_after_ms", f, agent.EEMPTYANSWER)
		}
		conn.Close(websocket.StatusNormalClosure, "")
	})

	t.Run("store_unavailable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// Hold the interview's row, straight on the server, so that the
		// claim waits; then take the database out of the server's reach.
		lock, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close(context.Background())
		tx, err := lock.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(context.Background())
		if _, err := tx.Exec(ctx, `SELECT 1 FROM interviews WHERE id = $1 FOR UPDATE`, iv.ID); err != nil {
			t.Fatal(err)
		}
		conn, _, err := c.dial("/api/v1/interviews/"+iv.ID+"/ws", "")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.CloseNow()
		for waiting := false; !waiting; {
			if err := lock.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE interviews SET generation%')`).Scan(&waiting); err != nil {
				t.Fatalf("waiting for the claim to block: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		proxy.Cut()
		f := readErrorFrame(t, conn)
		if f.Code != agent.ESTOREUNAVAILABLE || f.Message == "" {
			t.Errorf("connect with the database gone = %+v, want %s with a message", f, agent.ESTOREUNAVAILABLE)
		}
		if f.RetryAfterMS == nil || *f.RetryAfterMS != 2000 {
			t.Errorf("retry_after_ms of %s = %v, want 2000", f.Code, f.RetryAfterMS)
		}
		if s := expectClose(t, conn); s != websocket.StatusTryAgainLater {
			t.Errorf("closed with %d, want %d", s, websocket.StatusTryAgainLater)
		}

		// Creating an interview, which plans by searching pgvector, is
		// refused the same way over HTTP.
		resp, body := c.raw("POST", "/api/v1/interviews", `{"role":"sde","level":"L5","focus":"a launch that slipped"}`)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"`+agent.ESTOREUNAVAILABLE+`"`) ||
			resp.Header.Get("Retry-After") == "" {
			t.Errorf("create with the database gone = %d %s (Retry-After %q), want 503 %s with Retry-After",
				resp.StatusCode, body, resp.Header.Get("Retry-After"), agent.ESTOREUNAVAILABLE)
		}
	})
	t.Run("read_only", func(t *testing.T) {
		// From now on the database's new sessions may only read, and the
		// second server's pool opens new ones: the check before the
		// upgrade passes, the claim does not.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database()); END $$`); err != nil {
			t.Fatal(err)
		}
		second.Store.(*postgres.DB).Pool().Reset()
		rc := *c
		rc.base = second.Server.URL()
		conn, _, err := rc.dial("/api/v1/interviews/"+iv.ID+"/ws", "")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.CloseNow()
		f := readErrorFrame(t, conn)
		if f.Code != agent.EREADONLY || f.Message == "" || f.RetryAfterMS != nil {
			t.Errorf("connect on a read-only database = %+v, want %s with a message and no retry_after_ms", f, agent.EREADONLY)
		}
		if s := expectClose(t, conn); s != websocket.StatusTryAgainLater {
			t.Errorf("closed with %d, want %d", s, websocket.StatusTryAgainLater)
		}
	})
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a store failure at connect was logged as an error; it should warn:\n%s", logs.String())
	}
}
