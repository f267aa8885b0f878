package postgres

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnection delays of WatchClaims: the first retry waits
// minWatchBackoff, each failed one doubles the wait up to maxWatchBackoff.
const (
	minWatchBackoff = 100 * time.Millisecond
	maxWatchBackoff = 5 * time.Second
)

// WatchClaims calls fn with the interview id and new generation of every
// claim committed by any process on this database (including this one),
// until ctx ends; then it returns nil. fn runs on WatchClaims' goroutine,
// one call at a time, and should return quickly.
//
// It holds one dedicated connection, outside the pool, listening on
// ClaimsChannel. When the connection is lost it logs a warning with
// slog.Default and reconnects, waiting 100 ms and doubling up to 5 s
// between attempts; claims made while it is disconnected are not seen.
func (db *DB) WatchClaims(ctx context.Context, fn func(id string, gen int64)) error {
	backoff := minWatchBackoff
	for {
		err := db.listenClaims(ctx, fn, func() { backoff = minWatchBackoff })
		if ctx.Err() != nil {
			return nil
		}
		slog.Default().Warn("postgres: claims listener disconnected; reconnecting",
			"err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, maxWatchBackoff)
	}
}

// listenClaims connects, listens on ClaimsChannel, calls listening once it
// does and then passes every notification to fn until the connection
// fails or ctx ends.
func (db *DB) listenClaims(ctx context.Context, fn func(id string, gen int64), listening func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.listen)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+ClaimsChannel); err != nil {
		return err
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, gen, ok := parseClaim(n.Payload); ok {
			fn(id, gen)
		}
	}
}

// parseClaim splits a ClaimsChannel payload, "<id> <generation>".
func parseClaim(payload string) (id string, gen int64, ok bool) {
	i := strings.LastIndexByte(payload, ' ')
	if i < 0 {
		return "", 0, false
	}
	gen, err := strconv.ParseInt(payload[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return payload[:i], gen, true
}
