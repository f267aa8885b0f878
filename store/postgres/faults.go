package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/barraiser/barraiser/agent"
)

// UnavailableRetryAfter is the wait a store_unavailable error suggests:
// about what a restarted server takes to accept connections again.
const UnavailableRetryAfter = 2 * time.Second

// ConnectTimeout bounds each attempt to open a connection, unless the
// database URL sets connect_timeout, so that a server that does not answer
// at all fails requests rather than holds them. It is generous: a server
// on a loaded machine was seen to take 7 s to accept a connection.
const ConnectTimeout = 20 * time.Second

// unavailableSQLStates are the server's error codes that mean it is going
// away or not yet there, rather than that the statement was wrong.
var unavailableSQLStates = []string{
	"57P01", // admin_shutdown: a fast or immediate shutdown ended the session
	"57P02", // crash_shutdown: another server process crashed
	"57P03", // cannot_connect_now: starting up or recovering
	"53300", // too_many_connections
}

// unreachable reports whether err says that the database could not be
// reached or that the connection broke, rather than that a statement
// failed.
func unreachable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is connection exceptions.
		return strings.HasPrefix(pgErr.Code, "08") || slices.Contains(unavailableSQLStates, pgErr.Code)
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err)
}

// readOnlySQLState is read_only_sql_transaction: a write sent to a hot
// standby, or to a session whose transactions are read-only by default
// (default_transaction_read_only).
const readOnlySQLState = "25006"

// Fault classifies err, an error of a query on the store's database or
// on another pool of the same server (such as the pgvector retriever's).
// It returns a store_unavailable *agent.Error with a RetryAfter when err
// says the database is out of reach, and a read_only *agent.Error when
// the server refused a write because it accepts reads only; either still
// wraps err for the logs. Any other err comes back unchanged, as does any
// err while ctx is done: then the failure is the caller's (gone, or out of
// time), not the database's.
func Fault(ctx context.Context, err error) error {
	var known *agent.Error
	if err == nil || ctx.Err() != nil || errors.As(err, &known) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == readOnlySQLState {
		e := agent.Errorf(agent.EREADONLY,
			"The database accepts reads only right now, so nothing was stored; interviews can still be read.")
		return fmt.Errorf("%w: %w", e, err)
	}
	if !unreachable(err) {
		return err
	}
	e := agent.Errorf(agent.ESTOREUNAVAILABLE,
		"The database cannot be reached right now. Try again shortly; an answer resent under its client_id is never stored twice.")
	e.RetryAfter = UnavailableRetryAfter
	return fmt.Errorf("%w: %w", e, err)
}

// faultOf applies Fault to *err; store methods defer it so that every
// error they return is classified the same way.
func faultOf(ctx context.Context, err *error) {
	*err = Fault(ctx, *err)
}
