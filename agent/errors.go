package agent

import (
	"errors"
	"fmt"
	"time"
)

// Error codes shared by every adapter. The web package maps them to HTTP
// statuses in one place; clients see the code and the message.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	ESUPERSEDED   = "superseded"

	// Validation codes for creating an interview.
	EINVALIDJSON       = "invalid_json"
	EINVALIDROLE       = "invalid_role"
	EINVALIDLEVEL      = "invalid_level"
	EUNKNOWNPRINCIPLE  = "unknown_principle"
	EINVALIDPRINCIPLES = "invalid_principles"
	EINVALIDCOUNT      = "invalid_count"
	EFOCUSTOOLONG      = "focus_too_long"
	EINVALIDTEXT       = "invalid_text"

	// Codes for frames sent during an interview.
	EUNKNOWNTYPE       = "unknown_type"
	EANSWERTOOLONG     = "answer_too_long"
	EEMPTYANSWER       = "empty_answer"
	ENOPENDINGQUESTION = "no_pending_question"
	EINVALIDCLIENTID   = "invalid_client_id"

	// Codes of API keys.
	EKEYREVOKED     = "key_revoked"
	EINVALIDKEYNAME = "invalid_key_name"

	// Codes of the limits on each owner.
	ERATELIMITED       = "rate_limited"
	ETOOMANYINTERVIEWS = "too_many_interviews"
	// ETOOMANYCONNECTIONS refuses a WebSocket upgrade from a client
	// address that holds its quota of open connections already.
	ETOOMANYCONNECTIONS = "too_many_connections"

	// Codes of listing interviews.
	EINVALIDLIMIT  = "invalid_limit"
	EINVALIDCURSOR = "invalid_cursor"
	EINVALIDSTATUS = "invalid_status"
	EINVALIDDATE   = "invalid_date"

	// ENODEBRIEF answers a request for the debrief of an interview that
	// has none yet.
	ENODEBRIEF = "no_debrief"

	// EINTERVIEWDELETED tells a WebSocket that its interview was deleted.
	EINTERVIEWDELETED = "interview_deleted"

	// ESERVERRESTARTING tells a WebSocket that the server process is
	// stopping: the connection closes with 1012 once any turn in flight is
	// stored and acknowledged, and the client should reconnect shortly.
	ESERVERRESTARTING = "server_restarting"

	// EINVALIDTITLE answers a story title that is empty, too long or holds
	// control characters.
	EINVALIDTITLE = "invalid_title"

	// EUNSUPPORTEDMEDIA answers a body in a content type a route does not take.
	EUNSUPPORTEDMEDIA = "unsupported_media_type"

	// EBUSY refuses a write because the store has too many writes waiting
	// already. Nothing was stored; the caller may send the same request
	// again after RetryAfter.
	EBUSY = "busy"

	// ESTOREUNAVAILABLE answers a request that failed because the
	// database could not be reached, or lost the connection midway (a
	// PostgreSQL restart, say). A read may be sent again after RetryAfter
	// as it is. A write was not acknowledged, so whether it was stored is
	// unknown: resend it, keeping an answer's client_id, which never
	// stores one answer twice.
	ESTOREUNAVAILABLE = "store_unavailable"

	// ESTORAGEFULL refuses a write because the disk of the embedded store
	// is full. Nothing was stored and reads still work; the write can only
	// succeed once an operator frees space, so it carries no RetryAfter.
	ESTORAGEFULL = "storage_full"

	// EREADONLY refuses a write because the store is read-only: the data
	// directory of the embedded store is on a read-only file system, or
	// the PostgreSQL server accepts reads only (a hot standby, or
	// default_transaction_read_only). Nothing was stored and reads still
	// work.
	EREADONLY = "read_only"
)

// Error is a failure the caller can act on: a machine-readable code and a
// human-readable message. Anything that is not an *Error is internal.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when set, is how long the caller should wait before
	// trying again.
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("agent error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorRetryAfter returns the RetryAfter of the first *Error in err's
// chain, or zero.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic text for internal errors so that their details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
