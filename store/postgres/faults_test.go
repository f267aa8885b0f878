package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres/pgtest"
)

// TestFault checks which errors Fault reports as store_unavailable (those
// of a server out of reach or a connection lost) and as read_only (a
// write refused by a server that takes reads only), and that it leaves
// every other error alone.
func TestFault(t *testing.T) {
	live := context.Background()
	gone, cancel := context.WithCancel(live)
	cancel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want string // the code fault's error has; "" for none, err unchanged
	}{
		{"nil", live, nil, ""},
		{"connection refused", live, fmt.Errorf("postgres: read: %w", refused), agent.ESTOREUNAVAILABLE},
		{"connect error", live, &pgconn.ConnectError{}, agent.ESTOREUNAVAILABLE},
		{"connection cut mid-reply", live, fmt.Errorf("postgres: commit: %w", io.ErrUnexpectedEOF), agent.ESTOREUNAVAILABLE},
		{"closed connection", live, pgconn.ErrConnClosed, agent.ESTOREUNAVAILABLE},
		{"shutdown ended the session", live, &pgconn.PgError{Code: "57P01"}, agent.ESTOREUNAVAILABLE},
		{"server starting up", live, &pgconn.PgError{Code: "57P03"}, agent.ESTOREUNAVAILABLE},
		{"connection exception class", live, &pgconn.PgError{Code: "08006"}, agent.ESTOREUNAVAILABLE},
		{"read-only transaction", live, &pgconn.PgError{Code: "25006"}, agent.EREADONLY},
		{"read-only transaction, wrapped", live, fmt.Errorf("postgres: claim: %w", &pgconn.PgError{Code: "25006"}), agent.EREADONLY},
		{"unique violation", live, &pgconn.PgError{Code: "23505"}, ""},
		{"syntax error", live, &pgconn.PgError{Code: "42601"}, ""},
		{"other error", live, errors.New("postgres: decode principles: bad json"), ""},
		{"an agent error", live, agent.Errorf(agent.ECONFLICT, "moved on"), agent.ECONFLICT},
		{"the caller gave up", gone, fmt.Errorf("postgres: read: %w", refused), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fault(tt.ctx, tt.err)
			if tt.err == nil {
				if got != nil {
					t.Fatalf("Fault(nil) = %v", got)
				}
				return
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Fault(%v) = %v, which no longer wraps the error", tt.err, got)
			}
			var e *agent.Error
			code := ""
			if errors.As(got, &e) {
				code = e.Code
			}
			if code != tt.want {
				t.Errorf("Fault(%v) has code %q, want %q", tt.err, code, tt.want)
			}
			want := time.Duration(0)
			if code == agent.ESTOREUNAVAILABLE {
				want = UnavailableRetryAfter
			}
			if d := agent.ErrorRetryAfter(got); d != want {
				t.Errorf("Fault(%v) suggests waiting %s, want %s", tt.err, d, want)
			}
		})
	}
}

// TestReadOnlySession opens the store on a database whose sessions are
// read-only by default, as on a hot standby: reads work, and every write
// the server refuses comes back as read_only, not as an internal error.
func TestReadOnlySession(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.URL(t)
	rw, err := Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	iv := &agent.Interview{ID: agent.NewID(), OwnerID: "o1", Status: agent.StatusInProgress, Role: "sde", Level: "L5",
		Principles: []agent.PlannedPrinciple{{ID: "ownership"}}, Turns: []agent.Turn{}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := rw.EnsureOwner(ctx, "o1"); err != nil {
		t.Fatal(err)
	}
	if err := rw.CreateInterview(ctx, iv); err != nil {
		t.Fatal(err)
	}

	// Only this pool's sessions are read-only; other tests sharing the
	// server are not touched.
	ro, err := Open(ctx, pgtest.WithParams(t, dbURL, "options=-cdefault_transaction_read_only=on"))
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	defer ro.Close()
	if _, err := ro.Interview(ctx, "o1", iv.ID); err != nil {
		t.Fatalf("read on a read-only session: %v", err)
	}
	writes := []struct {
		name string
		do   func() error
	}{
		{"claim", func() error { _, err := ro.Claim(ctx, iv.ID); return err }},
		{"create interview", func() error {
			c := *iv
			c.ID = agent.NewID()
			return ro.CreateInterview(ctx, &c)
		}},
	}
	for _, w := range writes {
		err := w.do()
		if agent.ErrorCode(err) != agent.EREADONLY {
			t.Errorf("%s on a read-only session = %v, want %s", w.name, err, agent.EREADONLY)
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
			t.Errorf("%s on a read-only session no longer wraps the server's error: %v", w.name, err)
		}
	}
}
