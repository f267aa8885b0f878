package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/barraiser/barraiser/agent"
)

// TestFault checks which errors fault reports as store_unavailable: those
// of a server out of reach or a connection lost, and no others.
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
		{"unique violation", live, &pgconn.PgError{Code: "23505"}, ""},
		{"syntax error", live, &pgconn.PgError{Code: "42601"}, ""},
		{"other error", live, errors.New("postgres: decode principles: bad json"), ""},
		{"an agent error", live, agent.Errorf(agent.ECONFLICT, "moved on"), agent.ECONFLICT},
		{"the caller gave up", gone, fmt.Errorf("postgres: read: %w", refused), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fault(tt.ctx, tt.err)
			if tt.err == nil {
				if got != nil {
					t.Fatalf("fault(nil) = %v", got)
				}
				return
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("fault(%v) = %v, which no longer wraps the error", tt.err, got)
			}
			var e *agent.Error
			code := ""
			if errors.As(got, &e) {
				code = e.Code
			}
			if code != tt.want {
				t.Errorf("fault(%v) has code %q, want %q", tt.err, code, tt.want)
			}
			if code == agent.ESTOREUNAVAILABLE && agent.ErrorRetryAfter(got) != UnavailableRetryAfter {
				t.Errorf("fault(%v) suggests waiting %s, want %s", tt.err, agent.ErrorRetryAfter(got), UnavailableRetryAfter)
			}
		})
	}
}
