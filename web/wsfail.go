package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// StatusTryAgainLater (1013) closes a connection that could not start
// because the store failed in a way that may pass: unreachable, busy,
// full or read-only. The error frame before it carries the store's code.
const StatusTryAgainLater = websocket.StatusTryAgainLater

// newErrorFrame returns the error frame of code and message, with the
// wait retryAfter suggests, rounded up to whole milliseconds; zero leaves
// retry_after_ms out.
func newErrorFrame(code, message string, retryAfter time.Duration) errorFrame {
	f := errorFrame{Type: "error", Code: code, Message: message}
	if retryAfter > 0 {
		f.RetryAfterMS = int64((retryAfter + time.Millisecond - 1) / time.Millisecond)
	}
	return f
}

// errorFrameOf returns the error frame of err: its code, its message (a
// generic one for internal errors) and its RetryAfter, the same wait an
// HTTP response would send as Retry-After.
func errorFrameOf(err error) errorFrame {
	return newErrorFrame(agent.ErrorCode(err), agent.ErrorMessage(err), agent.ErrorRetryAfter(err))
}

// storeFailures are the codes of a store that failed on its own account
// rather than because of what the client sent; a connection that cannot
// start because of one is closed with StatusTryAgainLater.
var storeFailures = map[string]bool{
	agent.EBUSY:             true,
	agent.ESTOREUNAVAILABLE: true,
	agent.ESTORAGEFULL:      true,
	agent.EREADONLY:         true,
}

// failStatus returns the close status and reason of a connection that
// ends on err before, or instead of, serving the interview: 1013 for a
// failure of the store (see storeFailures), 4004 for an interview deleted
// since the check before the upgrade, and 1011 for anything else.
func failStatus(err error) (websocket.StatusCode, string) {
	switch code := agent.ErrorCode(err); {
	case storeFailures[code]:
		return StatusTryAgainLater, "store failure, try again later"
	case code == agent.ENOTFOUND:
		return StatusInterviewDeleted, "interview deleted"
	}
	return websocket.StatusInternalError, "internal error"
}

// failFrame is the error frame sent before closing on err: err's own,
// except that an interview gone since the check before the upgrade is
// reported as interview_deleted, the code that goes with 4004.
func failFrame(err error) errorFrame {
	if agent.ErrorCode(err) == agent.ENOTFOUND {
		return newErrorFrame(agent.EINTERVIEWDELETED, "this interview was deleted", 0)
	}
	return errorFrameOf(err)
}

// logFailure logs err, on which a connection ends: as an error when it is
// internal, as a warning when the store failed (the operator has to act,
// the client only waits), and not at all otherwise.
func logFailure(log *slog.Logger, msg string, err error) {
	code := agent.ErrorCode(err)
	switch {
	case code == agent.EINTERNAL:
		log.Error(msg, "err", err)
	case storeFailures[code]:
		log.Warn(msg, "code", code, "err", err)
	}
}

// refuseSession ends conn, just upgraded, whose interview could not be
// claimed because of err: it sends err's error frame (its own code,
// message and retry_after_ms), closes with failStatus's status, and
// returns that status.
func refuseSession(ctx context.Context, conn *websocket.Conn, log *slog.Logger, err error) websocket.StatusCode {
	status, reason := failStatus(err)
	if ctx.Err() != nil {
		// The server is shutting down, which is why the claim failed.
		status, reason = websocket.StatusServiceRestart, "server restarting"
		err = agent.Errorf(agent.ESERVERRESTARTING, "the server is restarting; reconnect in a moment")
	} else {
		logFailure(log, "websocket claim", err)
	}
	wctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	_ = wsjson.Write(wctx, conn, failFrame(err))
	conn.Close(status, reason)
	return status
}
